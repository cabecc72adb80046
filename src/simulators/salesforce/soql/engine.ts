/**
 * Runs a parsed SOQL query against the store: filter, sort, offset/limit. The result is a plain
 * array of immutable records, which the query cursors page through without copying.
 */
import { SalesforceApiError } from '../errors.js';
import type { ObjectDef } from '../schema.js';
import type { RecordValues } from '../store.js';
import type { SoqlQuery } from './ast.js';
import { resolveField, type RecordLookup } from './fields.js';
import { comparableValue, compileCondition, familyOf, type Predicate } from './filter.js';
import { buildProjection, type ProjectionNode } from './projection.js';

export interface CompiledQuery {
  object: ObjectDef;
  isCount: boolean;
  projection: ProjectionNode;
  predicate: Predicate | null;
  comparator: ((a: RecordValues, b: RecordValues) => number) | null;
  limit: number | null;
  offset: number;
}

/** Salesforce caps OFFSET at 2,000 rows. */
const MAX_OFFSET = 2000;

export function compileQuery(lookup: RecordLookup, query: SoqlQuery, nowMs: number): CompiledQuery {
  const object = lookup.schema.find(query.from);
  if (!object) {
    throw new SalesforceApiError(
      400,
      'INVALID_TYPE',
      `\n${query.from}\n^\nERROR at Row:1:Column:1\nsObject type '${query.from}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.`,
    );
  }
  if (query.offset !== null && query.offset > MAX_OFFSET) {
    throw new SalesforceApiError(400, 'NUMBER_OUTSIDE_VALID_RANGE', `Maximum SOQL offset allowed is ${MAX_OFFSET}`);
  }
  const isCount = query.select.kind === 'count';
  const projection = query.select.kind === 'fields' ? buildProjection(lookup, object, query.select.fields) : { items: [] };
  const predicate = query.where ? compileCondition(lookup, object, query.where, nowMs) : null;
  let comparator: CompiledQuery['comparator'] = null;
  if (query.orderBy.length > 0) {
    const keys = query.orderBy.map((item) => {
      const field = resolveField(lookup, object, item.field);
      const family = familyOf(field.leaf.type);
      if (family === 'longtext' || family === 'multi') {
        throw new SalesforceApiError(400, 'INVALID_FIELD', `field '${field.leaf.name}' can not be sorted in a query call`);
      }
      return { get: (record: RecordValues) => comparableValue(family, field.get(record)), ...item };
    });
    comparator = (a, b) => {
      for (const key of keys) {
        const left = key.get(a);
        const right = key.get(b);
        if (left === right) continue;
        if (left === null) return key.nullsLast ? 1 : -1;
        if (right === null) return key.nullsLast ? -1 : 1;
        const order = left < right ? -1 : 1;
        return key.descending ? -order : order;
      }
      return 0;
    };
  }
  return { object, isCount, projection, predicate, comparator, limit: query.limit, offset: query.offset ?? 0 };
}

/** The rows a query selects, in order, after OFFSET and LIMIT. */
export function executeQuery(lookup: RecordLookup, compiled: CompiledQuery, includeDeleted: boolean): RecordValues[] {
  const rows: RecordValues[] = [];
  // Without ORDER BY the first OFFSET+LIMIT matches are the answer: stop scanning there.
  const enough = compiled.comparator || compiled.limit === null ? Infinity : compiled.offset + compiled.limit;
  for (const record of lookup.store.table(compiled.object.name).values()) {
    if (!includeDeleted && record.IsDeleted === true) continue;
    if (compiled.predicate && !compiled.predicate(record)) continue;
    rows.push(record);
    if (rows.length >= enough) break;
  }
  // Array.prototype.sort is stable, so ties keep creation order, like ORDER BY … , Id would.
  if (compiled.comparator) rows.sort(compiled.comparator);
  const end = compiled.limit === null ? rows.length : compiled.offset + compiled.limit;
  return compiled.offset === 0 && end >= rows.length ? rows : rows.slice(compiled.offset, end);
}
