import { createHash } from 'node:crypto';
import type { CustomValue, Labeled, Money } from './types.js';
import type { FieldDefinition } from './fields.js';

/**
 * Value helpers shared by every normalizer, so both CRMs produce identical canonical values.
 * All are pure and total: bad input gives null, never an exception.
 */

export function cleanString(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const text = String(value).trim();
  return text === '' ? null : text;
}

export function normalizeEmail(value: unknown): string | null {
  const text = cleanString(value);
  return text && text.includes('@') ? text.toLowerCase() : null;
}

/** "https://www.Acme.com/about" → "acme.com". */
export function normalizeDomain(value: unknown): string | null {
  const text = cleanString(value)?.toLowerCase();
  if (!text) return null;
  const host = text.replace(/^[a-z]+:\/\//, '').split(/[/?#]/)[0]!.replace(/^www\./, '');
  return host || null;
}

export function toNumber(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  const text = cleanString(value);
  if (text === null) return null;
  const n = Number(text.replace(/,/g, ''));
  return Number.isFinite(n) ? n : null;
}

export function toInteger(value: unknown): number | null {
  const n = toNumber(value);
  return n === null ? null : Math.round(n);
}

export function toBoolean(value: unknown): boolean | null {
  if (typeof value === 'boolean') return value;
  const text = cleanString(value)?.toLowerCase();
  if (text === 'true' || text === '1' || text === 'yes') return true;
  if (text === 'false' || text === '0' || text === 'no') return false;
  return null;
}

/**
 * Epoch milliseconds (number or digit string), ISO 8601 with any offset, Salesforce's
 * "+0000" offsets and plain dates, all to ISO 8601 UTC with milliseconds.
 */
export function toIsoUtc(value: unknown): string | null {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (typeof value === 'number') return Number.isFinite(value) ? new Date(value).toISOString() : null;
  const text = cleanString(value);
  if (!text) return null;
  if (/^-?\d{10,}$/.test(text)) return new Date(Number(text)).toISOString();
  const fixed = text.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
  const date = new Date(/^\d{4}-\d{2}-\d{2}$/.test(fixed) ? `${fixed}T00:00:00Z` : fixed);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/** A decimal string for money, without float noise: "1200.5" → "1200.50". */
export function toMoney(value: unknown, currency: unknown): Money | null {
  const n = toNumber(value);
  if (n === null) return null;
  const code = cleanString(currency)?.toUpperCase() ?? null;
  return { amount: n.toFixed(2), currency: code && /^[A-Z]{3}$/.test(code) ? code : null };
}

/** A picklist value with its label from the field definition (the value itself when unknown). */
export function toLabeled(value: unknown, def: FieldDefinition | undefined): Labeled | null {
  const text = cleanString(value);
  if (text === null) return null;
  const option = def?.options.find((o) => o.value === text);
  return { value: text, label: option?.label ?? text };
}

/** Multi-select values arrive ';'-separated in both CRMs. */
export function toLabeledList(value: unknown, def: FieldDefinition | undefined): Labeled[] {
  const items = Array.isArray(value) ? value.map(String) : (cleanString(value)?.split(';') ?? []);
  return items.map((v) => v.trim()).filter(Boolean).map((v) => toLabeled(v, def)!);
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

/** Rich text to plain text for AI: tags dropped, block breaks kept as newlines, entities decoded. */
export function htmlToText(value: unknown): string | null {
  const html = cleanString(value);
  if (html === null) return null;
  const text = html
    .replace(/<(script|style)[^>]*>[\s\S]*?<\/\1>/gi, '')
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|div|li|h[1-6]|tr)>/gi, '\n')
    .replace(/<li[^>]*>/gi, '- ')
    .replace(/<[^>]+>/g, '')
    .replace(/&(#x?[0-9a-f]+|\w+);/gi, (match, entity: string) => {
      if (entity[0] === '#') {
        const code = entity[1]?.toLowerCase() === 'x' ? parseInt(entity.slice(2), 16) : parseInt(entity.slice(1), 10);
        return Number.isFinite(code) ? String.fromCodePoint(code) : match;
      }
      return ENTITIES[entity.toLowerCase()] ?? match;
    })
    .replace(/[ \t]+/g, ' ')
    .replace(/ *\n */g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  return text === '' ? null : text;
}

export function looksLikeHtml(value: unknown): boolean {
  return typeof value === 'string' && /<\/?[a-z][^>]*>|&[a-z]+;/i.test(value);
}

/** A custom field's value, typed by its definition. */
export function toCustomValue(value: unknown, def: FieldDefinition | undefined): CustomValue {
  switch (def?.type) {
    case 'number':
    case 'currency':
      return toNumber(value);
    case 'boolean':
      return toBoolean(value);
    case 'date':
    case 'datetime':
      return toIsoUtc(value);
    case 'enumeration':
      return toLabeled(value, def);
    case 'multienum':
      return toLabeledList(value, def);
    default:
      return cleanString(value);
  }
}

/** A stable hash of normalized values, so an unchanged record is not rewritten. */
export function contentHash(value: unknown): string {
  return createHash('sha256').update(stableStringify(value)).digest('base64url');
}

function stableStringify(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(',')}}`;
}
