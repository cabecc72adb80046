/**
 * Field writes to HubSpot, batched 100 per call with one result per op. A 207 answer is split
 * into per-op outcomes; a batch rejected as a whole for validation is retried op by op so one
 * bad value does not fail its 99 neighbours. Contacts without a remote id are upserted by
 * email; when HubSpot reports a conflict, the create → 409 "Existing ID: N" → update path
 * recovers the existing record, as design.md asks of every 409 on create.
 */
import { z } from 'zod';
import { normalizeEmail } from '../../canonical/values.js';
import { CrmError, type CrmErrorKind, type WriteOp, type WriteResult } from '../types.js';
import type { HubspotClient } from './client.js';
import { batchObjectsSchema, hubspotObjectSchema, type BatchError, type BatchObjects } from './schemas.js';

const BATCH = 100;

type Properties = Record<string, string>;

const CATEGORY_KINDS: Record<string, CrmErrorKind> = {
  VALIDATION_ERROR: 'validation',
  OBJECT_NOT_FOUND: 'not_found',
  CONFLICT: 'conflict',
  MISSING_SCOPES: 'forbidden',
  RATE_LIMITS: 'rate_limited',
};

function batchError(error: BatchError): CrmError {
  const kind = CATEGORY_KINDS[error.category ?? ''] ?? 'validation';
  return new CrmError('HUBSPOT', kind, error.message ?? 'HubSpot rejected this input', { origin: 'crm', ...(error.category ? { crmCode: error.category } : {}) });
}

function invalidOp(message: string): CrmError {
  return new CrmError('HUBSPOT', 'validation', message, { origin: 'us' });
}

/** HubSpot clears a property with "" and stores every value as a string. */
function wireProperties(properties: WriteOp['properties']): Properties {
  return Object.fromEntries(Object.entries(properties).map(([k, v]) => [k, v === null ? '' : String(v)]));
}

/** Splits ops so no batch names the same key twice (HubSpot rejects duplicate ids in one batch). */
function rounds<T>(items: T[], keyOf: (item: T) => string): T[][] {
  const out: T[][] = [];
  for (const item of items) {
    const key = keyOf(item);
    const round = out.find((r) => r.length < BATCH && !r.some((other) => keyOf(other) === key));
    if (round) round.push(item);
    else out.push([item]);
  }
  return out;
}

export async function writeOps(client: HubspotClient, ops: WriteOp[]): Promise<WriteResult[]> {
  const results = new Map<string, WriteResult>();
  const updates = new Map<string, WriteOp[]>();
  const upserts: WriteOp[] = [];
  for (const op of ops) {
    if (op.operation === 'UPSERT_CONTACT' && op.remoteId === null) {
      if (normalizeEmail(op.properties.email) === null) results.set(op.key, { key: op.key, ok: false, error: invalidOp('UPSERT_CONTACT needs an email property') });
      else upserts.push(op);
      continue;
    }
    if (op.remoteId === null) {
      results.set(op.key, { key: op.key, ok: false, error: invalidOp('UPDATE needs a remote id') });
      continue;
    }
    const objectType = op.operation === 'UPSERT_CONTACT' ? 'contacts' : op.objectType;
    updates.set(objectType, [...(updates.get(objectType) ?? []), op]);
  }
  for (const [objectType, group] of updates) {
    for (const batch of rounds(group, (op) => op.remoteId ?? '')) {
      for (const result of await updateBatch(client, objectType, batch)) results.set(result.key, result);
    }
  }
  for (const batch of rounds(upserts, (op) => normalizeEmail(op.properties.email) ?? '')) {
    for (const result of await upsertBatch(client, batch)) results.set(result.key, result);
  }
  await associateCompanies(client, ops, results);
  return ops.map((op) => results.get(op.key) ?? { key: op.key, ok: false, error: invalidOp('no result for this op') });
}

/** Primary contact→company association (type 1). */
const CONTACT_TO_PRIMARY_COMPANY = 1;

/**
 * Links upserted contacts to their company. A failed link fails the op, so the worker retries
 * it; the upsert repeats harmlessly (same email, same values) and the link is tried again.
 */
async function associateCompanies(client: HubspotClient, ops: WriteOp[], results: Map<string, WriteResult>): Promise<void> {
  for (const op of ops) {
    const result = results.get(op.key);
    if (op.operation !== 'UPSERT_CONTACT' || !op.companyRemoteId || !result?.ok || !result.remoteId) continue;
    try {
      await client.request({
        method: 'PUT',
        path: `/crm/v4/objects/contacts/${result.remoteId}/associations/companies/${op.companyRemoteId}`,
        body: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: CONTACT_TO_PRIMARY_COMPANY }],
        schema: associationCreatedSchema,
      });
    } catch (error) {
      if (!(error instanceof CrmError)) throw error;
      // The contact itself was written: a missing company (or a refused link) is this op's
      // failure, never a sign the contact is gone; other failures are the call's and retried.
      const linkError = new CrmError('HUBSPOT', error.kind, `the contact was written, but linking it to company ${op.companyRemoteId} failed: ${error.message}`, error.details);
      const recordLevel = error.kind === 'not_found' || error.kind === 'validation';
      results.set(op.key, { key: op.key, ok: false, error: linkError, ...(recordLevel ? { recordFailure: 'refused' as const } : {}) });
    }
  }
}

const associationCreatedSchema = z.unknown();

/** Runs a batch call; a batch-wide CrmError becomes the outcome of every op in it. */
async function batchCall(client: HubspotClient, path: string, inputs: unknown[]): Promise<BatchObjects | CrmError> {
  try {
    return await client.request({ method: 'POST', path, body: { inputs }, schema: batchObjectsSchema, count: (p) => p.results.length });
  } catch (error) {
    if (error instanceof CrmError) return error;
    throw error;
  }
}

function failedIds(response: BatchObjects): Map<string, CrmError> {
  const failed = new Map<string, CrmError>();
  for (const error of response.errors ?? []) {
    for (const id of Object.values(error.context ?? {}).flat()) failed.set(id, batchError(error));
  }
  return failed;
}

async function updateBatch(client: HubspotClient, objectType: string, ops: WriteOp[]): Promise<WriteResult[]> {
  const inputs = ops.map((op) => ({ id: op.remoteId, properties: wireProperties(op.properties) }));
  const response = await batchCall(client, `/crm/v3/objects/${encodeURIComponent(objectType)}/batch/update`, inputs);
  if (response instanceof CrmError) {
    if (response.kind === 'validation' && ops.length > 1) return (await Promise.all(ops.map((op) => updateBatch(client, objectType, [op])))).flat();
    // A batch of one refused for its values is that record's failure; anything else is the call's.
    const recordFailure = response.kind === 'validation' && ops.length === 1 ? ({ recordFailure: 'refused' } as const) : {};
    return ops.map((op) => ({ key: op.key, ok: false, error: response, ...recordFailure }));
  }
  const updated = new Set(response.results.map((r) => r.id));
  const failed = failedIds(response);
  return ops.map((op) => {
    const id = op.remoteId ?? '';
    if (updated.has(id)) return { key: op.key, ok: true, remoteId: id };
    const error = failed.get(id);
    // MISSING_SCOPES (forbidden) is the app's, even inside a 207: the connection is flagged.
    if (error) return { key: op.key, ok: false, error, ...(error.kind === 'forbidden' ? {} : { recordFailure: error.kind === 'not_found' ? 'gone' : 'refused' }) };
    return { key: op.key, ok: false, error: new CrmError('HUBSPOT', 'protocol', `HubSpot reported no outcome for ${objectType} ${id}`, { origin: 'crm' }) };
  });
}

async function upsertBatch(client: HubspotClient, ops: WriteOp[]): Promise<WriteResult[]> {
  const emailOf = (op: WriteOp): string => normalizeEmail(op.properties.email) ?? '';
  // email is sent as a property too, so each result says which input it answers.
  const inputs = ops.map((op) => ({ id: emailOf(op), idProperty: 'email', properties: { ...wireProperties(op.properties), email: emailOf(op) } }));
  const response = await batchCall(client, '/crm/v3/objects/contacts/batch/upsert', inputs);
  if (response instanceof CrmError) {
    if (response.kind === 'conflict') return Promise.all(ops.map((op) => createOrUpdateContact(client, op)));
    if (response.kind === 'validation' && ops.length > 1) return (await Promise.all(ops.map((op) => upsertBatch(client, [op])))).flat();
    const recordFailure = response.kind === 'validation' && ops.length === 1 ? ({ recordFailure: 'refused' } as const) : {};
    return ops.map((op) => ({ key: op.key, ok: false, error: response, ...recordFailure }));
  }
  const byEmail = new Map(response.results.map((r) => [normalizeEmail(r.properties.email) ?? '', r.id]));
  const failed = failedIds(response);
  return Promise.all(
    ops.map(async (op): Promise<WriteResult> => {
      const id = byEmail.get(emailOf(op));
      if (id !== undefined) return { key: op.key, ok: true, remoteId: id };
      const error = failed.get(emailOf(op)) ?? failed.get(op.properties.email === null ? '' : String(op.properties.email));
      if (error?.kind === 'conflict') return createOrUpdateContact(client, op);
      if (error) return { key: op.key, ok: false, error, ...(error.kind === 'forbidden' ? {} : { recordFailure: 'refused' as const }) };
      return { key: op.key, ok: false, error: new CrmError('HUBSPOT', 'protocol', `HubSpot reported no outcome for contact ${emailOf(op)}`, { origin: 'crm' }) };
    }),
  );
}

const EXISTING_ID = /Existing ID:\s*(\d+)/i;

/** A call about one record: refused values (or a conflict) are that record's; the rest is the call's. */
function singleRecordFailure(op: WriteOp, error: CrmError): WriteResult {
  const recordLevel = error.kind === 'validation' || error.kind === 'conflict';
  return { key: op.key, ok: false, error, ...(recordLevel ? { recordFailure: 'refused' as const } : {}) };
}

/** POST the contact; on 409 "Contact already exists. Existing ID: N", PATCH contact N instead. */
async function createOrUpdateContact(client: HubspotClient, op: WriteOp): Promise<WriteResult> {
  const properties = wireProperties(op.properties);
  try {
    const created = await client.request({ method: 'POST', path: '/crm/v3/objects/contacts', body: { properties }, schema: hubspotObjectSchema });
    return { key: op.key, ok: true, remoteId: created.id };
  } catch (error) {
    if (!(error instanceof CrmError)) throw error;
    const existing = error.kind === 'conflict' ? EXISTING_ID.exec(error.message)?.[1] : undefined;
    if (existing === undefined) return singleRecordFailure(op, error);
    try {
      await client.request({ method: 'PATCH', path: `/crm/v3/objects/contacts/${existing}`, body: { properties }, schema: hubspotObjectSchema });
      return { key: op.key, ok: true, remoteId: existing };
    } catch (updateError) {
      if (!(updateError instanceof CrmError)) throw updateError;
      return singleRecordFailure(op, updateError);
    }
  }
}
