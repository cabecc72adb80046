/**
 * HubSpot property values: every value on the wire is a string (or null), whatever the
 * property type. Writes accept JSON numbers and booleans and store their string form;
 * comparisons in search go back to the property's type (dates as epoch ms, numbers as numbers).
 */
import type { PropertyProblem } from './errors.js';
import type { PropertyDefinition } from './schema.js';

export type WireValue = string | null;

/** Epoch ms from either an epoch-ms string or an ISO date; NaN when neither. */
export function parseInstant(value: string): number {
  if (/^-?\d+$/.test(value)) return Number(value);
  return Date.parse(value);
}

export function toIso(ms: number): string {
  return new Date(ms).toISOString();
}

/** Normalizes one written value or says why HubSpot would reject it. */
export function normalizeWrite(def: PropertyDefinition, raw: unknown): { value: WireValue } | { problem: PropertyProblem } {
  if (raw === null || raw === '') return { value: raw === '' ? '' : null };
  if (typeof raw !== 'string' && typeof raw !== 'number' && typeof raw !== 'boolean') {
    return { problem: { name: def.name, error: 'INVALID_OPTION', message: `${JSON.stringify(raw)} is not a valid value for ${def.name}` } };
  }
  const text = String(raw);
  switch (def.type) {
    case 'number':
      return Number.isFinite(Number(text))
        ? { value: text }
        : { problem: { name: def.name, error: 'INVALID_INTEGER', message: `${text} is not a valid number` } };
    case 'date':
    case 'datetime': {
      const ms = parseInstant(text);
      return Number.isNaN(ms)
        ? { problem: { name: def.name, error: 'INVALID_DATE', message: `${text} is not a valid date` } }
        : { value: toIso(ms) };
    }
    case 'enumeration': {
      // Owner ids and other option-less enumerations accept any value.
      if (def.options.length === 0) return { value: text };
      const allowed = new Set(def.options.map((o) => o.value));
      const chosen = def.fieldType === 'checkbox' ? text.split(';') : [text];
      const bad = chosen.find((v) => !allowed.has(v));
      return bad === undefined
        ? { value: text }
        : { problem: { name: def.name, error: 'INVALID_OPTION', message: `${bad} was not one of the allowed options: [${[...allowed].join(', ')}]` } };
    }
    default:
      return { value: text };
  }
}

export type Comparable = number | string;

/** A stored value in the form search compares it: numbers and instants numerically, text case-insensitively. */
export function comparable(def: PropertyDefinition | undefined, value: string): Comparable {
  if (def?.type === 'number') return Number(value);
  if (def?.type === 'date' || def?.type === 'datetime') return parseInstant(value);
  return value.toLowerCase();
}
