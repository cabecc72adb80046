/**
 * The simulated HubSpot account: records per object type, owners, property definitions and
 * associations. Both the public routes and the control API go through these methods, so
 * timestamps, the email uniqueness rule and validation behave the same for every writer.
 */
import { AssociationGraph } from './association-graph.js';
import { hubspotError, invalidProperties, notFound, validation, type HubspotError, type PropertyProblem } from './errors.js';
import { SortedIds } from './sorted-ids.js';
import {
  builtInProperties,
  CREATED,
  LAST_MODIFIED,
  OBJECT_TYPES,
  type ObjectType,
  type PropertyDefinition,
} from './schema.js';
import { normalizeWrite, toIso, type WireValue } from './values.js';

export interface HubspotRecord {
  id: string;
  type: ObjectType;
  properties: Record<string, WireValue>;
  createdAt: number;
  updatedAt: number;
  archived: boolean;
  archivedAt: number | null;
  /** Wall-clock ms of the last write: search ignores records written within its indexing lag. */
  writtenAt: number;
  /** Bumped on every change, so serialized JSON can be cached per version. */
  version: number;
}

export interface HubspotOwner {
  id: string;
  email: string;
  firstName: string;
  lastName: string;
  userId: number;
  createdAt: string;
  updatedAt: string;
  archived: boolean;
  teams: { id: string; name: string; primary: boolean }[];
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: HubspotError };

const ok = <T>(value: T): Result<T> => ({ ok: true, value });
const fail = <T>(error: HubspotError): Result<T> => ({ ok: false, error });

/** Per-type id ranges, so an id used with the wrong object type is a 404, as in HubSpot. */
const ID_BASE: Record<ObjectType, number> = {
  contacts: 100, companies: 5_000_000, deals: 9_000_000, emails: 20_000_000,
  calls: 30_000_000, meetings: 40_000_000, notes: 50_000_000, tasks: 60_000_000,
};

interface Table {
  records: Map<string, HubspotRecord>;
  active: SortedIds;
  archived: SortedIds;
  nextId: number;
  /** Merged-away ids answer with the record they were merged into. */
  aliases: Map<string, string>;
}

export class HubspotStore {
  readonly associations = new AssociationGraph();
  owners: HubspotOwner[] = [];
  private tables = new Map<ObjectType, Table>();
  private definitions = new Map<ObjectType, Map<string, PropertyDefinition>>();
  /** Lower-cased email → contact id; HubSpot rejects a second contact with the same email. */
  private emails = new Map<string, string>();
  /** World keys (p-000001) → HubSpot ids, so tests can find "the same person" in both CRMs. */
  readonly worldIds = new Map<string, { type: ObjectType; id: string }>();

  constructor() {
    this.reset();
  }

  reset(): void {
    for (const type of OBJECT_TYPES) {
      this.tables.set(type, { records: new Map(), active: new SortedIds(), archived: new SortedIds(), nextId: ID_BASE[type] + 1, aliases: new Map() });
    }
    const builtIn = builtInProperties();
    for (const type of OBJECT_TYPES) this.definitions.set(type, new Map(builtIn[type].map((d) => [d.name, d])));
    this.associations.clear();
    this.emails.clear();
    this.worldIds.clear();
    this.owners = [];
  }

  // ---- properties ---------------------------------------------------------------------

  propertyDefinitions(type: ObjectType): PropertyDefinition[] {
    return [...this.defs(type).values()];
  }

  property(type: ObjectType, name: string): PropertyDefinition | undefined {
    return this.defs(type).get(name);
  }

  createProperty(type: ObjectType, def: PropertyDefinition): Result<PropertyDefinition> {
    const defs = this.defs(type);
    if (defs.has(def.name)) {
      return fail(hubspotError(409, 'CONFLICT', `A property named '${def.name}' already exists.`, { subCategory: 'PropertyValidationError.PROPERTY_EXISTS' }));
    }
    defs.set(def.name, def);
    return ok(def);
  }

  // ---- reads --------------------------------------------------------------------------

  get(type: ObjectType, id: string, options: { archived?: boolean } = {}): HubspotRecord | undefined {
    const table = this.table(type);
    const record = table.records.get(table.aliases.get(id) ?? id);
    if (!record || record.archived !== (options.archived ?? false)) return undefined;
    return record;
  }

  /** Lookup by a unique property (idProperty=email, or hs_object_id). Email is case-insensitive. */
  findBy(type: ObjectType, property: string, value: string): HubspotRecord | undefined {
    if (property === 'hs_object_id') return this.get(type, value);
    if (type === 'contacts' && property === 'email') {
      const id = this.emails.get(value.toLowerCase());
      return id ? this.get(type, id) : undefined;
    }
    for (const record of this.table(type).records.values()) {
      if (!record.archived && record.properties[property] === value) return record;
    }
    return undefined;
  }

  page(type: ObjectType, options: { archived: boolean; after: number; limit: number }): { records: HubspotRecord[]; nextAfter: number | undefined } {
    const table = this.table(type);
    const { ids, nextId } = (options.archived ? table.archived : table.active).page(options.after, options.limit);
    return { records: ids.map((id) => table.records.get(String(id)) as HubspotRecord), nextAfter: nextId };
  }

  /** Every live record of a type, in id order; search scans this. */
  *live(type: ObjectType): Iterable<HubspotRecord> {
    const table = this.table(type);
    for (const id of table.active.all()) yield table.records.get(String(id)) as HubspotRecord;
  }

  /** Every record including archived ones, for the control API's state dump. */
  allRecords(type: ObjectType): HubspotRecord[] {
    return [...this.table(type).records.values()];
  }

  count(type: ObjectType): number {
    return this.table(type).active.size;
  }

  // ---- writes -------------------------------------------------------------------------

  create(type: ObjectType, input: Record<string, unknown>, options: { now?: number; createdAt?: number; updatedAt?: number; trusted?: boolean } = {}): Result<HubspotRecord> {
    const checked = this.validate(type, input, options.trusted ?? false);
    if (!checked.ok) return fail(checked.error);
    const email = type === 'contacts' ? checked.value.email : undefined;
    if (email) {
      const existing = this.emails.get(email.toLowerCase());
      if (existing) return fail(hubspotError(409, 'CONFLICT', `Contact already exists. Existing ID: ${existing}`));
    }
    const table = this.table(type);
    const id = String(table.nextId++);
    const now = options.now ?? Date.now();
    const record: HubspotRecord = {
      id, type, properties: {}, createdAt: options.createdAt ?? now, updatedAt: options.updatedAt ?? now,
      archived: false, archivedAt: null, writtenAt: Date.now(), version: 0,
    };
    for (const [name, value] of Object.entries(checked.value)) if (value !== null) record.properties[name] = value;
    this.stamp(record);
    table.records.set(id, record);
    table.active.insert(Number(id));
    if (email) this.emails.set(email.toLowerCase(), id);
    return ok(record);
  }

  /** Returns the names of properties whose value actually changed (for webhooks). */
  update(type: ObjectType, id: string, input: Record<string, unknown>, now = Date.now()): Result<{ record: HubspotRecord; changed: string[] }> {
    const record = this.get(type, id);
    if (!record) return fail(notFound(`resource not found`));
    const checked = this.validate(type, input, false);
    if (!checked.ok) return fail(checked.error);
    const newEmail = type === 'contacts' ? checked.value.email : undefined;
    if (newEmail) {
      const owner = this.emails.get(newEmail.toLowerCase());
      if (owner && owner !== record.id) return fail(hubspotError(409, 'CONFLICT', `Contact already exists. Existing ID: ${owner}`));
    }
    const changed: string[] = [];
    for (const [name, value] of Object.entries(checked.value)) {
      const before = record.properties[name] ?? null;
      if (before === value) continue;
      if (name === 'email' && type === 'contacts') {
        if (before) this.emails.delete(before.toLowerCase());
        if (value) this.emails.set(value.toLowerCase(), record.id);
      }
      record.properties[name] = value;
      changed.push(name);
    }
    // HubSpot bumps the modification date on every accepted write, even a no-op one.
    record.updatedAt = now;
    record.writtenAt = Date.now();
    this.stamp(record);
    return ok({ record, changed });
  }

  archive(type: ObjectType, id: string, now = Date.now()): Result<HubspotRecord> {
    const record = this.get(type, id);
    if (!record) return fail(notFound());
    const table = this.table(type);
    record.archived = true;
    record.archivedAt = now;
    record.updatedAt = now;
    record.writtenAt = Date.now();
    this.stamp(record);
    table.active.remove(Number(id));
    table.archived.insert(Number(id));
    const email = record.properties.email;
    if (type === 'contacts' && email) this.emails.delete(email.toLowerCase());
    return ok(record);
  }

  restore(type: ObjectType, id: string, now = Date.now()): Result<HubspotRecord> {
    const record = this.get(type, id, { archived: true });
    if (!record) return fail(notFound());
    const email = record.properties.email;
    if (type === 'contacts' && email && this.emails.has(email.toLowerCase())) {
      return fail(hubspotError(409, 'CONFLICT', `Contact already exists. Existing ID: ${this.emails.get(email.toLowerCase())}`));
    }
    const table = this.table(type);
    record.archived = false;
    record.archivedAt = null;
    record.updatedAt = now;
    record.writtenAt = Date.now();
    this.stamp(record);
    table.archived.remove(Number(id));
    table.active.insert(Number(id));
    if (type === 'contacts' && email) this.emails.set(email.toLowerCase(), record.id);
    return ok(record);
  }

  /**
   * Merges `mergedId` into `primaryId` as HubSpot does: the primary keeps its values and
   * gains the other's where it has none, takes over its associations and lists the merged id
   * in hs_merged_object_ids; the merged id then resolves to the primary.
   */
  merge(type: ObjectType, primaryId: string, mergedId: string, now = Date.now()): Result<HubspotRecord> {
    const primary = this.get(type, primaryId);
    const merged = this.get(type, mergedId);
    if (!primary || !merged || primary === merged) return fail(validation(`Cannot merge ${mergedId} into ${primaryId}`));
    const table = this.table(type);
    for (const [name, value] of Object.entries(merged.properties)) {
      if (name === 'email' || name === 'hs_object_id' || name in primary.properties) continue;
      primary.properties[name] = value;
    }
    const previous = primary.properties.hs_merged_object_ids;
    primary.properties.hs_merged_object_ids = previous ? `${previous};${mergedId}` : mergedId;
    for (const edge of this.associations.outgoing(type, mergedId)) {
      for (const typeId of edge.typeIds) this.associations.add(type, primaryId, edge.toType, edge.toId, typeId);
    }
    this.associations.dropRecord(type, mergedId);
    const email = merged.properties.email;
    if (type === 'contacts' && email) this.emails.delete(email.toLowerCase());
    table.records.delete(mergedId);
    table.active.remove(Number(mergedId));
    table.aliases.set(mergedId, primaryId);
    for (const [alias, target] of table.aliases) if (target === mergedId) table.aliases.set(alias, primaryId);
    primary.updatedAt = now;
    primary.writtenAt = Date.now();
    this.stamp(primary);
    return ok(primary);
  }

  /** Sets the modification time of many records at once (tests need >10k at one instant). */
  touch(type: ObjectType, ids: readonly string[] | 'all', at: number): number {
    const table = this.table(type);
    const targets = ids === 'all' ? [...table.records.keys()] : ids;
    let touched = 0;
    for (const id of targets) {
      const record = table.records.get(id);
      if (!record) continue;
      record.updatedAt = at;
      record.writtenAt = Date.now();
      this.stamp(record);
      touched++;
    }
    return touched;
  }

  private stamp(record: HubspotRecord): void {
    record.version++;
    record.properties.hs_object_id = record.id;
    record.properties[CREATED[record.type]] = toIso(record.createdAt);
    record.properties[LAST_MODIFIED[record.type]] = toIso(record.updatedAt);
  }

  /** `trusted` writes (world seeding) may set read-only properties. */
  private validate(type: ObjectType, input: Record<string, unknown>, trusted: boolean): Result<Record<string, WireValue>> {
    const defs = this.defs(type);
    const problems: PropertyProblem[] = [];
    const values: Record<string, WireValue> = {};
    for (const [name, raw] of Object.entries(input)) {
      const def = defs.get(name);
      if (!def) {
        problems.push({ name, error: 'PROPERTY_DOESNT_EXIST', message: `Property "${name}" does not exist` });
        continue;
      }
      if (def.readOnly && !trusted) {
        problems.push({ name, error: 'READ_ONLY_VALUE', message: `"${name}" is a read only property; its value cannot be set.` });
        continue;
      }
      const normalized = normalizeWrite(def, raw);
      if ('problem' in normalized) problems.push(normalized.problem);
      else values[name] = normalized.value === '' ? null : normalized.value;
    }
    return problems.length > 0 ? fail(invalidProperties(problems)) : ok(values);
  }

  private table(type: ObjectType): Table {
    return this.tables.get(type) as Table;
  }

  private defs(type: ObjectType): Map<string, PropertyDefinition> {
    return this.definitions.get(type) as Map<string, PropertyDefinition>;
  }
}
