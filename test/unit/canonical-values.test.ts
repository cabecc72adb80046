import { describe, expect, it } from 'vitest';
import {
  contentHash,
  htmlToText,
  normalizeDomain,
  normalizeEmail,
  toCustomValue,
  toIsoUtc,
  toLabeled,
  toLabeledList,
  toMoney,
} from '../../src/canonical/values.js';
import type { FieldDefinition } from '../../src/canonical/fields.js';

const stage: FieldDefinition = {
  name: 'lifecyclestage',
  label: 'Lifecycle stage',
  type: 'enumeration',
  custom: false,
  options: [
    { value: 'salesqualifiedlead', label: 'Sales Qualified Lead' },
    { value: 'lead', label: 'Lead' },
  ],
};

describe('canonical values', () => {
  it.each([
    ['1767225600000', '2026-01-01T00:00:00.000Z'],
    [1767225600000, '2026-01-01T00:00:00.000Z'],
    ['2026-01-01T01:00:00+01:00', '2026-01-01T00:00:00.000Z'],
    ['2026-01-01T00:00:00.000+0000', '2026-01-01T00:00:00.000Z'],
    ['2026-01-01', '2026-01-01T00:00:00.000Z'],
    ['not a date', null],
    ['', null],
  ])('toIsoUtc(%j) = %j', (input, expected) => {
    expect(toIsoUtc(input)).toBe(expected);
  });

  it('keeps picklist values with their labels, and multi-selects as arrays', () => {
    expect(toLabeled('salesqualifiedlead', stage)).toEqual({ value: 'salesqualifiedlead', label: 'Sales Qualified Lead' });
    expect(toLabeled('unknown', stage)).toEqual({ value: 'unknown', label: 'unknown' });
    expect(toLabeledList('lead;salesqualifiedlead', stage).map((l) => l.label)).toEqual(['Lead', 'Sales Qualified Lead']);
    expect(toLabeledList(null, stage)).toEqual([]);
  });

  it('formats money as a decimal string with its currency', () => {
    expect(toMoney('1200.5', 'usd')).toEqual({ amount: '1200.50', currency: 'USD' });
    expect(toMoney(99, null)).toEqual({ amount: '99.00', currency: null });
    expect(toMoney('n/a', 'EUR')).toBeNull();
  });

  it('strips rich text for AI', () => {
    expect(htmlToText('<p>Hi Zoë,</p><p>Pricing &amp; terms:<br>net&nbsp;30</p><ul><li>one</li></ul>')).toBe(
      'Hi Zoë,\nPricing & terms:\nnet 30\n- one',
    );
    expect(htmlToText('<script>x()</script>&#39;ok&#x21;')).toBe("'ok!");
  });

  it('normalizes emails and domains', () => {
    expect(normalizeEmail('  JOSE.Muller@Example.COM ')).toBe('jose.muller@example.com');
    expect(normalizeEmail('not-an-email')).toBeNull();
    expect(normalizeDomain('https://www.Acme.io/about?x=1')).toBe('acme.io');
  });

  it('types custom fields by their definition', () => {
    expect(toCustomValue('42', { ...stage, type: 'number' })).toBe(42);
    expect(toCustomValue('true', { ...stage, type: 'boolean' })).toBe(true);
    expect(toCustomValue('lead', stage)).toEqual({ value: 'lead', label: 'Lead' });
    expect(toCustomValue('x', undefined)).toBe('x');
  });

  it('hashes content independently of key order', () => {
    expect(contentHash({ a: 1, b: [1, { c: 2, d: 3 }] })).toBe(contentHash({ b: [1, { d: 3, c: 2 }], a: 1 }));
    expect(contentHash({ a: 1 })).not.toBe(contentHash({ a: 2 }));
  });
});
