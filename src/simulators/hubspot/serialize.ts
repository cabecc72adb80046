/**
 * Records as HubSpot's v3 object endpoints return them: only the requested properties
 * (plus the ones HubSpot always adds), every value a string or null, ISO timestamps.
 */
import { associationTypes, CREATED, DEFAULT_PROPERTIES, LAST_MODIFIED, SINGULAR, type ObjectType } from './schema.js';
import type { HubspotRecord, HubspotStore } from './store.js';
import type { WireValue } from './values.js';

export interface ApiObject {
  id: string;
  properties: Record<string, WireValue>;
  createdAt: string;
  updatedAt: string;
  archived: boolean;
  archivedAt?: string;
  associations?: Record<string, { results: { id: string; type: string }[] }>;
}

/** Resolved once per request: which property names to emit for a type. */
export function propertySelection(store: HubspotStore, type: ObjectType, requested: readonly string[] | null): string[] {
  if (requested === null) return [...DEFAULT_PROPERTIES[type]];
  const names = new Set<string>([CREATED[type], LAST_MODIFIED[type], 'hs_object_id']);
  // Unknown names are ignored on reads, as HubSpot does.
  for (const name of requested) if (store.property(type, name)) names.add(name);
  return [...names];
}

export function serializeRecord(
  store: HubspotStore,
  record: HubspotRecord,
  properties: readonly string[],
  associationsTo: readonly ObjectType[] = [],
): ApiObject {
  const props: Record<string, WireValue> = {};
  for (const name of properties) props[name] = record.properties[name] ?? null;
  const out: ApiObject = {
    id: record.id,
    properties: props,
    createdAt: new Date(record.createdAt).toISOString(),
    updatedAt: new Date(record.updatedAt).toISOString(),
    archived: record.archived,
  };
  if (record.archivedAt !== null) out.archivedAt = new Date(record.archivedAt).toISOString();
  if (associationsTo.length > 0) {
    const associations: NonNullable<ApiObject['associations']> = {};
    for (const toType of associationsTo) {
      const results = v3AssociationResults(store, record.type, record.id, toType);
      if (results.length > 0) associations[toType] = { results };
    }
    if (Object.keys(associations).length > 0) out.associations = associations;
  }
  return out;
}

/** The v3 view of v4 associations: one row per (target, type), named like "contact_to_company". */
function v3AssociationResults(store: HubspotStore, fromType: ObjectType, fromId: string, toType: ObjectType): { id: string; type: string }[] {
  const defs = associationTypes(fromType, toType);
  const base = `${SINGULAR[fromType]}_to_${SINGULAR[toType]}`;
  const rows: { id: string; type: string }[] = [];
  for (const [toId, typeIds] of store.associations.targets(fromType, fromId, toType)) {
    if (!store.get(toType, toId)) continue;
    for (const typeId of typeIds) {
      const isUnlabeledOfPair = defs?.primary !== undefined && typeId === defs.unlabeled;
      rows.push({ id: toId, type: isUnlabeledOfPair ? `${base}_unlabeled` : base });
    }
  }
  return rows;
}

const jsonCache = new WeakMap<HubspotRecord, { selectionKey: string; version: number; json: string }>();

/**
 * The record's JSON for one property selection, cached until the record changes. The list
 * endpoint is the connector's hot path: re-serializing 100 unchanged records per page would
 * dominate its cost.
 */
export function recordJson(store: HubspotStore, record: HubspotRecord, properties: readonly string[], selectionKey: string): string {
  const cached = jsonCache.get(record);
  if (cached && cached.version === record.version && cached.selectionKey === selectionKey) return cached.json;
  const json = JSON.stringify(serializeRecord(store, record, properties));
  jsonCache.set(record, { selectionKey, version: record.version, json });
  return json;
}
