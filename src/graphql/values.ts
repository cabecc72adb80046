import type { EnumValue, Money } from './packet/types.js';

/** An enumeration as {value, label}; the value doubles as label when the CRM gave none. */
export function enumValue(value: string | null, label: string | null): EnumValue | null {
  return value === null ? null : { value, label: label ?? value };
}

export function money(amount: string | null, currency: string | null): Money | null {
  return amount === null ? null : { amount, currency };
}

export function fullName(first: string | null, last: string | null): string | null {
  const name = [first, last].filter((part) => part && part.trim()).join(' ');
  return name || null;
}

const SUMMARY_LENGTH = 280;

/** Plain text with whitespace collapsed, cut at a word boundary near 280 characters. */
export function summarize(text: string | null, max = SUMMARY_LENGTH): string | null {
  if (!text) return null;
  const flat = text.replace(/\s+/g, ' ').trim();
  if (!flat) return null;
  if (flat.length <= max) return flat;
  const cut = flat.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${space > max * 0.6 ? cut.slice(0, space) : cut}…`;
}
