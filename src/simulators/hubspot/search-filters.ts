/**
 * HubSpot search filter semantics: groups are ORed, filters inside a group are ANDed.
 * Values compare by property type (instants as epoch ms whether sent as epoch-ms strings or
 * ISO, numbers numerically, text case-insensitively); multi-select values match per token.
 */
import type { PropertyDefinition } from './schema.js';
import type { HubspotRecord } from './store.js';
import { comparable, parseInstant, type Comparable } from './values.js';

export const OPERATORS = [
  'EQ', 'NEQ', 'LT', 'LTE', 'GT', 'GTE', 'BETWEEN', 'IN', 'NOT_IN',
  'HAS_PROPERTY', 'NOT_HAS_PROPERTY', 'CONTAINS_TOKEN', 'NOT_CONTAINS_TOKEN',
] as const;
export type Operator = (typeof OPERATORS)[number];

export interface Filter {
  propertyName: string;
  operator: Operator;
  value?: string;
  highValue?: string;
  values?: string[];
}

/** A filter with its operands converted once, not once per record. */
export interface CompiledFilter {
  filter: Filter;
  def: PropertyDefinition;
  multi: boolean;
  value: Comparable | undefined;
  high: Comparable | undefined;
  values: Comparable[];
  token: RegExp | undefined;
}

export function compileFilter(filter: Filter, def: PropertyDefinition): CompiledFilter {
  const operand = (v: string | undefined): Comparable | undefined => (v === undefined ? undefined : toComparable(def, v));
  return {
    filter,
    def,
    multi: def.fieldType === 'checkbox',
    value: operand(filter.value),
    high: operand(filter.highValue),
    values: (filter.values ?? []).map((v) => toComparable(def, v)),
    token: filter.value !== undefined ? tokenPattern(filter.value) : undefined,
  };
}

/** Epoch-ms strings and ISO both work for instants; hs_object_id compares numerically. */
function toComparable(def: PropertyDefinition, raw: string): Comparable {
  if (def.type === 'date' || def.type === 'datetime') return parseInstant(raw);
  return comparable(def, raw);
}

/** CONTAINS_TOKEN: a word of the value, with `*` as a wildcard ("*@example.com"). */
function tokenPattern(value: string): RegExp {
  const escaped = value.toLowerCase().replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`);
}

export function matches(record: HubspotRecord, compiled: CompiledFilter): boolean {
  const raw = record.properties[compiled.filter.propertyName];
  const present = raw !== null && raw !== undefined && raw !== '';
  const op = compiled.filter.operator;
  if (op === 'HAS_PROPERTY') return present;
  if (op === 'NOT_HAS_PROPERTY') return !present;
  if (!present) return op === 'NEQ' || op === 'NOT_IN' || op === 'NOT_CONTAINS_TOKEN';
  const stored = compiled.multi ? raw.split(';').map((v) => comparable(compiled.def, v)) : [comparable(compiled.def, raw)];
  switch (op) {
    case 'EQ': return stored.some((v) => v === compiled.value);
    case 'NEQ': return !stored.some((v) => v === compiled.value);
    case 'IN': return stored.some((v) => compiled.values.includes(v));
    case 'NOT_IN': return !stored.some((v) => compiled.values.includes(v));
    case 'LT': return compare(stored[0], compiled.value, (c) => c < 0);
    case 'LTE': return compare(stored[0], compiled.value, (c) => c <= 0);
    case 'GT': return compare(stored[0], compiled.value, (c) => c > 0);
    case 'GTE': return compare(stored[0], compiled.value, (c) => c >= 0);
    case 'BETWEEN':
      return compare(stored[0], compiled.value, (c) => c >= 0) && compare(stored[0], compiled.high, (c) => c <= 0);
    case 'CONTAINS_TOKEN': return containsToken(raw, compiled.token);
    case 'NOT_CONTAINS_TOKEN': return !containsToken(raw, compiled.token);
  }
}

function compare(a: Comparable | undefined, b: Comparable | undefined, test: (c: number) => boolean): boolean {
  if (a === undefined || b === undefined) return false;
  if (typeof a === 'number' && typeof b === 'number') return !Number.isNaN(a) && !Number.isNaN(b) && test(a - b);
  return test(String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0);
}

function containsToken(raw: string, pattern: RegExp | undefined): boolean {
  if (!pattern) return false;
  const lower = raw.toLowerCase();
  if (pattern.test(lower)) return true;
  return lower.split(/[\s;,]+/).some((token) => pattern.test(token));
}

/** Sort key compare: nulls last in either direction, ties broken by id so pages are stable. */
export function sortComparator(
  propertyName: string,
  def: PropertyDefinition | undefined,
  descending: boolean,
): (a: HubspotRecord, b: HubspotRecord) => number {
  return (a, b) => {
    const av = a.properties[propertyName];
    const bv = b.properties[propertyName];
    if ((av ?? null) === null || (bv ?? null) === null) {
      if ((av ?? null) === (bv ?? null)) return Number(a.id) - Number(b.id);
      return (av ?? null) === null ? 1 : -1;
    }
    const ac = comparable(def, av as string);
    const bc = comparable(def, bv as string);
    let order = typeof ac === 'number' && typeof bc === 'number' ? ac - bc : String(ac).localeCompare(String(bc));
    if (descending) order = -order;
    return order !== 0 ? order : Number(a.id) - Number(b.id);
  };
}
