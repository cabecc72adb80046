/**
 * Create, update, delete, undelete and upsert, with Salesforce's validation order and error
 * codes. Every write bumps LastModifiedDate and SystemModstamp, and is announced to change
 * listeners (CDC) once its transaction commits.
 *
 * `trusted` writes come from the control API and the world projection: they act as the platform
 * or an admin would and may set read-only fields (CreatedDate when seeding history, …).
 */
import { SalesforceApiError, invalidField, jsonParserError, notFound } from './errors.js';
import { coerceFieldValue } from './field-values.js';
import { to18 } from './ids.js';
import type { FieldDef, ObjectDef } from './schema.js';
import type { RecordLookup } from './soql/fields.js';
import { derivedValues } from './standard-objects.js';
import type { RecordValues } from './store.js';
import { formatDateTime, parseDateTime, type FieldValue } from './values.js';

export interface WriteContext extends RecordLookup {
  /** '' for a person (control API), else e.g. 'com/salesforce/api/rest/61.0'. */
  origin: string;
  userId: string;
  trusted: boolean;
}

/** Parent → children that Salesforce deletes (and undeletes) along with the parent. */
const CASCADES: Record<string, { objectName: string; field: string }[]> = {
  Account: [{ objectName: 'Contact', field: 'AccountId' }, { objectName: 'Opportunity', field: 'AccountId' }],
  Opportunity: [{ objectName: 'OpportunityContactRole', field: 'OpportunityId' }],
  Contact: [{ objectName: 'OpportunityContactRole', field: 'ContactId' }],
};

export function requireObject(lookup: RecordLookup, name: string): ObjectDef {
  const object = lookup.schema.find(name);
  if (!object) throw notFound(`The requested resource does not exist`);
  return object;
}

function asInputObject(input: unknown): Record<string, unknown> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw jsonParserError('Cannot deserialize instance of SObject from START_ARRAY value or request may be missing a required field');
  }
  return input as Record<string, unknown>;
}

function parseInput(ctx: WriteContext, object: ObjectDef, input: unknown, mode: 'create' | 'update'): Record<string, FieldValue> {
  const values: Record<string, FieldValue> = {};
  const forbidden: string[] = [];
  for (const [key, raw] of Object.entries(asInputObject(input))) {
    if (key === 'attributes') continue;
    const field = object.fieldsByLowerName.get(key.toLowerCase());
    if (!field) throw invalidField(`No such column '${key}' on sobject of type ${object.name}`);
    if (field.name === 'Id' && mode === 'update') continue;
    const allowed = mode === 'create' ? field.createable : field.updateable;
    if (!allowed && !ctx.trusted) {
      forbidden.push(field.name);
      continue;
    }
    values[field.name] = ctx.trusted && isSystemStamp(field) ? stampValue(raw) : coerceFieldValue(ctx, field, raw);
  }
  if (forbidden.length > 0) {
    throw new SalesforceApiError(
      400,
      'INVALID_FIELD_FOR_INSERT_UPDATE',
      `Unable to create/update fields: ${forbidden.join(', ')}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`,
      forbidden,
    );
  }
  return values;
}

function isSystemStamp(field: FieldDef): boolean {
  return field.name === 'CreatedDate' || field.name === 'LastModifiedDate' || field.name === 'SystemModstamp' || field.name === 'Id';
}

function stampValue(raw: unknown): FieldValue {
  if (raw instanceof Date) return formatDateTime(raw.getTime());
  const ms = typeof raw === 'string' ? parseDateTime(raw) : null;
  return ms === null ? (typeof raw === 'string' ? raw : null) : formatDateTime(ms);
}

function checkRequired(object: ObjectDef, record: Record<string, FieldValue>): void {
  const missing = object.fields.filter((field) => field.requiredOnCreate && (record[field.name] === null || record[field.name] === undefined)).map((f) => f.name);
  if (missing.length > 0) {
    throw new SalesforceApiError(400, 'REQUIRED_FIELD_MISSING', `Required fields are missing: [${missing.join(', ')}]`, missing);
  }
}

function checkUnique(ctx: WriteContext, object: ObjectDef, record: Record<string, FieldValue>, changed: Iterable<string>): void {
  for (const name of changed) {
    const field = object.fieldsByLowerName.get(name.toLowerCase());
    const value = record[name];
    if (!field?.unique || value === null || value === undefined) continue;
    const wanted = String(value).toLowerCase();
    for (const other of ctx.store.table(object.name).values()) {
      if (other.Id !== record.Id && other.IsDeleted !== true && String(other[name] ?? '').toLowerCase() === wanted) {
        throw new SalesforceApiError(400, 'DUPLICATE_VALUE', `duplicate value found: ${name} duplicates value on record with id: ${String(other.Id)}`, [name]);
      }
    }
  }
}

function nowStamp(ctx: WriteContext): string {
  return formatDateTime(ctx.store.now());
}

export function createRecord(ctx: WriteContext, objectName: string, input: unknown): string {
  const object = requireObject(ctx, objectName);
  const values = parseInput(ctx, object, input, 'create');
  const stamp = nowStamp(ctx);
  const record: Record<string, FieldValue> = {};
  for (const field of object.fields) {
    record[field.name] = field.defaultValue ?? (field.type === 'boolean' ? false : null);
  }
  Object.assign(record, {
    Id: ctx.store.ids.next(object.keyPrefix),
    IsDeleted: false,
    CreatedDate: stamp,
    CreatedById: ctx.userId,
    LastModifiedDate: stamp,
    LastModifiedById: ctx.userId,
    SystemModstamp: stamp,
  });
  if (object.fieldsByLowerName.has('ownerid')) record.OwnerId = ctx.userId;
  Object.assign(record, values);
  if (ctx.trusted && values.CreatedDate && !values.LastModifiedDate) record.LastModifiedDate = values.CreatedDate;
  if (ctx.trusted && !values.SystemModstamp) record.SystemModstamp = record.LastModifiedDate ?? stamp;
  Object.assign(record, derivedValues(object.name, record));
  checkRequired(object, record);
  checkUnique(ctx, object, record, Object.keys(values));
  const id = String(record.Id);
  ctx.store.atomic(() => {
    ctx.store.put(object.name, record, {
      changeType: 'CREATE',
      changedFields: [],
      commitTimestamp: ctx.store.now(),
      origin: ctx.origin,
    });
  });
  return id;
}

export function getLiveRecord(ctx: RecordLookup, object: ObjectDef, rawId: string): RecordValues {
  const record = ctx.store.get(object.name, to18(rawId));
  if (!record) throw notFound();
  if (record.IsDeleted === true) throw new SalesforceApiError(400, 'ENTITY_IS_DELETED', 'entity is deleted', []);
  return record;
}

export function updateRecord(ctx: WriteContext, objectName: string, rawId: string, input: unknown): void {
  const object = requireObject(ctx, objectName);
  const existing = getLiveRecord(ctx, object, rawId);
  const values = parseInput(ctx, object, input, 'update');
  const stamp = nowStamp(ctx);
  const record: Record<string, FieldValue> = { ...existing, ...values, LastModifiedDate: stamp, LastModifiedById: ctx.userId, SystemModstamp: stamp };
  if (ctx.trusted) {
    if (values.LastModifiedDate) record.LastModifiedDate = values.LastModifiedDate;
    record.SystemModstamp = values.SystemModstamp ?? record.LastModifiedDate ?? stamp;
  }
  Object.assign(record, derivedValues(object.name, record));
  checkRequired(object, record);
  const changedFields = Object.keys(record).filter((name) => record[name] !== existing[name] && name !== 'SystemModstamp');
  checkUnique(ctx, object, record, changedFields);
  ctx.store.atomic(() => {
    ctx.store.put(object.name, record, { changeType: 'UPDATE', changedFields, commitTimestamp: ctx.store.now(), origin: ctx.origin });
  });
}

export function deleteRecord(ctx: WriteContext, objectName: string, rawId: string): void {
  const object = requireObject(ctx, objectName);
  const existing = getLiveRecord(ctx, object, rawId);
  const stamp = nowStamp(ctx);
  ctx.store.atomic(() => markDeleted(ctx, object.name, existing, stamp));
}

function markDeleted(ctx: WriteContext, objectName: string, existing: RecordValues, stamp: string): void {
  const record = { ...existing, IsDeleted: true, LastModifiedDate: stamp, LastModifiedById: ctx.userId, SystemModstamp: stamp };
  ctx.store.put(objectName, record, { changeType: 'DELETE', changedFields: [], commitTimestamp: ctx.store.now(), origin: ctx.origin });
  for (const cascade of CASCADES[objectName] ?? []) {
    for (const child of [...ctx.store.table(cascade.objectName).values()]) {
      if (child.IsDeleted !== true && child[cascade.field] === existing.Id) markDeleted(ctx, cascade.objectName, child, stamp);
    }
  }
}

export function undeleteRecord(ctx: WriteContext, objectName: string, rawId: string): void {
  const object = requireObject(ctx, objectName);
  const existing = ctx.store.get(object.name, to18(rawId));
  if (!existing) throw notFound();
  if (existing.IsDeleted !== true) throw new SalesforceApiError(400, 'UNDELETE_FAILED', 'Entity is not in the recycle bin', []);
  const stamp = nowStamp(ctx);
  ctx.store.atomic(() => restore(ctx, object.name, existing, stamp));
}

function restore(ctx: WriteContext, objectName: string, existing: RecordValues, stamp: string): void {
  const deletedStamp = existing.SystemModstamp;
  const record = { ...existing, IsDeleted: false, LastModifiedDate: stamp, LastModifiedById: ctx.userId, SystemModstamp: stamp };
  ctx.store.put(objectName, record, { changeType: 'UNDELETE', changedFields: [], commitTimestamp: ctx.store.now(), origin: ctx.origin });
  // Children come back only if they were deleted together with this parent.
  for (const cascade of CASCADES[objectName] ?? []) {
    for (const child of [...ctx.store.table(cascade.objectName).values()]) {
      if (child.IsDeleted === true && child[cascade.field] === existing.Id && child.SystemModstamp === deletedStamp) {
        restore(ctx, cascade.objectName, child, stamp);
      }
    }
  }
}

export type UpsertOutcome = { id: string; created: boolean } | { multiple: string[] };

/** Upsert by an external-id (or idLookup) field: 0 matches create, 1 updates, more answer 300. */
export function upsertRecord(ctx: WriteContext, objectName: string, fieldName: string, value: string, input: unknown): UpsertOutcome {
  const object = requireObject(ctx, objectName);
  const field = object.fieldsByLowerName.get(fieldName.toLowerCase());
  if (!field || !(field.externalId || field.idLookup)) {
    throw notFound(`Provided external ID field does not exist or is not accessible: ${fieldName}`);
  }
  const matches: string[] = [];
  const wanted = field.type === 'id' ? to18(value) : value.toLowerCase();
  for (const record of ctx.store.table(object.name).values()) {
    if (record.IsDeleted === true) continue;
    const current = record[field.name];
    if (current === null || current === undefined) continue;
    if ((field.type === 'id' ? String(current) : String(current).toLowerCase()) === wanted) matches.push(String(record.Id));
  }
  if (matches.length > 1) return { multiple: matches };
  const body = { ...asInputObject(input) };
  if (matches.length === 1) {
    updateRecord(ctx, object.name, matches[0] as string, body);
    return { id: matches[0] as string, created: false };
  }
  if (field.type === 'id') throw notFound();
  return { id: createRecord(ctx, object.name, { ...body, [field.name]: value }), created: true };
}
