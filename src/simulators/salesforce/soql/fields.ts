/**
 * Resolves field paths (`Email`, `Account.Name`, `Who.Name`) against the schema and turns them
 * into getters over stored records. Unknown names fail the way Salesforce fails: INVALID_FIELD
 * ("No such column") for fields, INVALID_FIELD ("Didn't understand relationship") for paths.
 */
import { invalidField } from '../errors.js';
import type { FieldDef, ObjectDef, SchemaRegistry } from '../schema.js';
import type { RecordStore, RecordValues } from '../store.js';
import type { FieldValue } from '../values.js';
import type { FieldPath } from './ast.js';

export interface ResolvedField {
  /** Reference fields to follow, outermost first. */
  hops: FieldDef[];
  leaf: FieldDef;
  get(record: RecordValues): FieldValue;
}

export interface RecordLookup {
  schema: SchemaRegistry;
  store: RecordStore;
}

/** The live parent a reference points to, or null (deleted parents read as null, as in Salesforce). */
export function parentOf(lookup: RecordLookup, record: RecordValues, reference: FieldDef): { objectName: string; record: RecordValues } | null {
  const id = record[reference.name];
  if (typeof id !== 'string') return null;
  const object = lookup.schema.objectForId(id);
  if (!object) return null;
  const parent = lookup.store.get(object.name, id);
  if (!parent || parent.IsDeleted === true) return null;
  return { objectName: object.name, record: parent };
}

function noSuchColumn(name: string, object: ObjectDef): Error {
  return invalidField(
    `No such column '${name}' on entity '${object.name}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`,
  );
}

/** Drops a leading `Contact.` in `SELECT Contact.Email FROM Contact`, which SOQL allows. */
export function normalizePath(path: FieldPath, root: ObjectDef): FieldPath {
  const [first, ...rest] = path;
  if (rest.length > 0 && first?.toLowerCase() === root.name.toLowerCase() && !root.relationshipsByLowerName.has(first.toLowerCase())) {
    return rest;
  }
  return path;
}

export function resolveField(lookup: RecordLookup, root: ObjectDef, rawPath: FieldPath): ResolvedField {
  const path = normalizePath(rawPath, root);
  const hops: FieldDef[] = [];
  let candidates: ObjectDef[] = [root];
  for (let i = 0; i < path.length - 1; i++) {
    const segment = path[i] as string;
    const reference = candidates.map((object) => object.relationshipsByLowerName.get(segment.toLowerCase())).find(Boolean);
    if (!reference) {
      throw invalidField(`Didn't understand relationship '${segment}' in field path. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.`);
    }
    hops.push(reference);
    candidates = reference.referenceTo.map((name) => lookup.schema.find(name)).filter((o): o is ObjectDef => Boolean(o));
  }
  const leafName = path[path.length - 1] as string;
  const leaf = candidates.map((object) => object.fieldsByLowerName.get(leafName.toLowerCase())).find(Boolean);
  if (!leaf) throw noSuchColumn(leafName, candidates[0] ?? root);
  const leafKey = leaf.name;
  if (hops.length === 0) {
    return { hops, leaf, get: (record) => record[leafKey] ?? null };
  }
  return {
    hops,
    leaf,
    get(record) {
      let current: RecordValues | null = record;
      for (const hop of hops) {
        current = current ? (parentOf(lookup, current, hop)?.record ?? null) : null;
      }
      return current ? (current[leafKey] ?? null) : null;
    },
  };
}
