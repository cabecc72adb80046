import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fieldDefsByName, type FieldDefs } from '../../../src/canonical/fields.js';
import type { CanonicalActivity, CanonicalCompany, CanonicalContact, CanonicalDeal, CanonicalOwner } from '../../../src/canonical/types.js';
import { normalizeHubspotRecord } from '../../../src/connectors/hubspot/normalize.js';
import { toFieldDefinition } from '../../../src/connectors/hubspot/properties.js';
import { propertyListSchema } from '../../../src/connectors/hubspot/schemas.js';
import type { RawRecord } from '../../../src/connectors/types.js';

function fixture(name: string): RawRecord {
  return JSON.parse(readFileSync(new URL(`../../fixtures/hubspot/${name}.json`, import.meta.url), 'utf8')) as RawRecord;
}

function defsFrom(name: string): FieldDefs {
  return fieldDefsByName(propertyListSchema.parse(fixture(name)).results.map(toFieldDefinition));
}

const NO_DEFS: FieldDefs = new Map();
const options = { defaultCurrency: 'EUR' };

describe('HubSpot property definitions', () => {
  it('maps HubSpot types and field types to canonical field types, keeping labels and custom-ness', () => {
    const defs = defsFrom('properties-contacts');
    expect(defs.get('product_interest')).toEqual({
      name: 'product_interest',
      label: 'Product interest',
      type: 'multienum',
      options: [{ value: 'analytics', label: 'Analytics' }, { value: 'ai_scoring', label: 'AI scoring' }],
      custom: true,
    });
    expect(defs.get('lifecyclestage')?.type).toBe('enumeration');
    expect(defs.get('lifecyclestage')?.custom).toBe(false);
    expect(defs.get('is_champion')?.type).toBe('boolean');
    expect(defs.get('renewal_date')?.type).toBe('date');
    expect(defs.get('engagement_score')?.type).toBe('number');
    expect(defs.get('notes_html')?.type).toBe('text');
    expect(defs.get('email')?.type).toBe('string');
  });
});

describe('normalizeHubspotRecord', () => {
  it('normalizes a contact: typed values, labels, primary company, custom fields and merged ids', () => {
    const raw = fixture('contact');
    const result = normalizeHubspotRecord('contacts', raw, defsFrom('properties-contacts'), options);
    const contact = result.record as CanonicalContact;
    expect(contact).toMatchObject({
      kind: 'CONTACT',
      remoteType: 'contact',
      remoteId: '512',
      remoteCreatedAt: '2024-03-04T10:15:00.000Z',
      remoteUpdatedAt: '2025-01-01T11:00:00.000Z',
      deleted: false,
      email: 'ana.lima@example.com',
      firstName: 'Ana',
      lastName: 'Lima',
      title: 'VP Sales',
      phone: '+55 11 99999-0000',
      companyRemoteId: '5000007',
      ownerRemoteId: '70000003',
      lifecycleStage: { value: 'salesqualifiedlead', label: 'Sales Qualified Lead' },
      leadStatus: { value: 'IN_PROGRESS', label: 'In Progress' },
      mergedIntoRemoteId: null,
    });
    // Only properties the account created land in customFields, typed by their definition.
    expect(contact.customFields).toEqual({
      product_interest: [{ value: 'analytics', label: 'Analytics' }, { value: 'ai_scoring', label: 'AI scoring' }],
      engagement_score: 87,
      renewal_date: '2026-01-01T00:00:00.000Z',
      is_champion: true,
    });
    expect(result.associationKinds).toEqual(['COMPANY']);
    expect(result.associations).toEqual([
      { toKind: 'COMPANY', toRemoteId: '5000002', label: null, isPrimary: false },
      { toKind: 'COMPANY', toRemoteId: '5000007', label: null, isPrimary: true },
    ]);
    expect(result.absorbedRemoteIds).toEqual(['498', '503']);
    expect(result.raw).toBe(raw);
  });

  it('falls back to associatedcompanyid and reports no link kinds when associations were not read', () => {
    const raw = { ...fixture('contact') };
    delete raw.associations;
    const result = normalizeHubspotRecord('contacts', raw, NO_DEFS, options);
    expect((result.record as CanonicalContact).companyRemoteId).toBe('5000009');
    expect(result.associationKinds).toEqual([]);
    expect(result.associations).toEqual([]);
    // Without definitions, labels fall back to the stored value and nothing counts as custom.
    expect((result.record as CanonicalContact).lifecycleStage).toEqual({ value: 'salesqualifiedlead', label: 'salesqualifiedlead' });
    expect((result.record as CanonicalContact).customFields).toEqual({});
  });

  it('normalizes a company: domain from the website, integer employees, revenue in the portal currency', () => {
    const company = normalizeHubspotRecord('companies', fixture('company'), NO_DEFS, options).record as CanonicalCompany;
    expect(company).toMatchObject({
      kind: 'COMPANY',
      remoteId: '5000007',
      name: 'Acme Analytics',
      domain: 'acme-analytics.io',
      industry: { value: 'COMPUTER_SOFTWARE', label: 'COMPUTER_SOFTWARE' },
      employeeCount: 1250,
      annualRevenue: { amount: '12500000.50', currency: 'EUR' },
      city: 'Lisbon',
      country: 'Portugal',
      ownerRemoteId: '70000001',
      remoteUpdatedAt: '2025-02-10T09:30:00.123Z',
    });
    const withoutCurrency = normalizeHubspotRecord('companies', fixture('company'), NO_DEFS, { defaultCurrency: null }).record as CanonicalCompany;
    expect(withoutCurrency.annualRevenue).toEqual({ amount: '12500000.50', currency: null });
  });

  it('normalizes a deal: money with its own currency, stage label, closed/won, links to contacts and primary company', () => {
    const result = normalizeHubspotRecord('deals', fixture('deal'), defsFrom('properties-deals'), { defaultCurrency: 'USD' });
    const deal = result.record as CanonicalDeal;
    expect(deal).toMatchObject({
      kind: 'DEAL',
      name: 'Acme — platform renewal',
      amount: { amount: '48000.00', currency: 'EUR' },
      stage: { value: 'closedwon', label: 'Closed Won' },
      pipeline: 'Sales Pipeline',
      closeDate: '2025-03-01T00:00:00.000Z',
      isClosed: true,
      isWon: true,
      companyRemoteId: '5000007',
    });
    expect(result.associationKinds).toEqual(['CONTACT', 'COMPANY']);
    expect(result.associations).toEqual([
      { toKind: 'CONTACT', toRemoteId: '512', label: null, isPrimary: false },
      { toKind: 'CONTACT', toRemoteId: '640', label: null, isPrimary: false },
      { toKind: 'COMPANY', toRemoteId: '5000007', label: null, isPrimary: true },
    ]);
  });

  it('derives open/lost deals from the stage, and prefers HubSpot hs_is_closed flags for custom pipelines', () => {
    const base = fixture('deal') as { properties: Record<string, string | null> };
    const open = normalizeHubspotRecord('deals', { ...base, properties: { ...base.properties, dealstage: 'contractsent' } }, NO_DEFS, options).record as CanonicalDeal;
    expect([open.isClosed, open.isWon]).toEqual([false, false]);
    const lost = normalizeHubspotRecord('deals', { ...base, properties: { ...base.properties, dealstage: 'closedlost' } }, NO_DEFS, options).record as CanonicalDeal;
    expect([lost.isClosed, lost.isWon]).toEqual([true, false]);
    const custom = normalizeHubspotRecord('deals', { ...base, properties: { ...base.properties, dealstage: '1234567', hs_is_closed: 'true', hs_is_closed_won: 'false' } }, NO_DEFS, options).record as CanonicalDeal;
    expect([custom.isClosed, custom.isWon]).toEqual([true, false]);
    const none = normalizeHubspotRecord('deals', { ...base, properties: { ...base.properties, dealstage: null } }, NO_DEFS, options).record as CanonicalDeal;
    expect([none.isClosed, none.isWon]).toEqual([null, null]);
  });

  it('normalizes an email engagement: HTML kept, plain text for AI, occurredAt from hs_timestamp, all link kinds read', () => {
    const raw = fixture('email') as { properties: Record<string, string> };
    const result = normalizeHubspotRecord('emails', raw, NO_DEFS, options);
    const email = result.record as CanonicalActivity;
    expect(email).toMatchObject({
      kind: 'ACTIVITY',
      remoteType: 'emails',
      activityType: 'EMAIL',
      subject: 'Next steps on the pilot',
      bodyHtml: raw.properties.hs_email_html,
      bodyText: 'Hi Ana,\nThanks for the call & the notes.\nAgenda:\n- Pilot scope\n- Pricing',
      occurredAt: '2025-01-15T14:00:00.000Z',
      ownerRemoteId: '70000003',
    });
    expect(result.associationKinds).toEqual(['CONTACT', 'COMPANY', 'DEAL']);
    expect(result.associations.map((a) => `${a.toKind}:${a.toRemoteId}`)).toEqual(['CONTACT:512', 'DEAL:9000042']);
  });

  it('marks archived records deleted and keeps plain-text bodies out of bodyHtml', () => {
    const note = normalizeHubspotRecord('notes', fixture('note-archived'), NO_DEFS, options).record as CanonicalActivity;
    expect(note).toMatchObject({
      activityType: 'NOTE',
      deleted: true,
      subject: null,
      bodyText: 'Plain text note, no markup',
      bodyHtml: null,
      occurredAt: '2025-02-01T09:00:00.000Z',
      ownerRemoteId: null,
    });
  });

  it('normalizes owners: deactivated (archived) owners stay, inactive', () => {
    const owner = normalizeHubspotRecord('owners', fixture('owner'), NO_DEFS, options).record as CanonicalOwner;
    expect(owner).toEqual({
      kind: 'OWNER',
      remoteId: '70000003',
      remoteCreatedAt: '2022-01-01T00:00:00.000Z',
      remoteUpdatedAt: '2024-05-05T00:00:00.000Z',
      deleted: false,
      email: 'rita.owner@example.com',
      firstName: 'Rita',
      lastName: 'Owner',
      active: false,
    });
  });

  it('rejects records that are not HubSpot objects and unknown streams', () => {
    expect(() => normalizeHubspotRecord('contacts', { nope: true }, NO_DEFS, options)).toThrow();
    expect(() => normalizeHubspotRecord('tickets', fixture('contact'), NO_DEFS, options)).toThrow(/tickets/);
  });
});
