import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fieldDefsByName, type FieldDefinition, type FieldDefs } from '../../../src/canonical/fields.js';
import { normalizeSalesforceRecord, type NormalizeOptions } from '../../../src/connectors/salesforce/normalize.js';
import type { RawRecord } from '../../../src/connectors/types.js';

const fixture = (name: string): RawRecord => JSON.parse(readFileSync(new URL(`../../fixtures/salesforce/${name}.json`, import.meta.url), 'utf8')) as RawRecord;
const allDefs = JSON.parse(readFileSync(new URL('../../fixtures/salesforce/field-defs.json', import.meta.url), 'utf8')) as Record<string, FieldDefinition[]>;
const defs = (object: string): FieldDefs => fieldDefsByName(allDefs[object] ?? []);
const options: NormalizeOptions = { defaultCurrency: 'USD', lifecycleStageField: 'Lifecycle_Stage__c' };

const normalize = (object: string, raw: RawRecord, opts = options) => normalizeSalesforceRecord(object, raw, defs(object), opts);

describe('Salesforce normalizer', () => {
  it('maps a Contact to the canonical contact with its primary company link', () => {
    const raw = fixture('contact');
    const n = normalize('Contact', raw);
    expect(n.record).toEqual({
      kind: 'CONTACT',
      remoteId: '0035g00000ABCDEAAA',
      remoteType: 'Contact',
      remoteCreatedAt: '2024-03-01T09:15:00.000Z',
      remoteUpdatedAt: '2024-06-12T15:45:30.000Z', // LastModifiedDate's +0200 offset, in UTC
      deleted: false,
      email: 'zoe.obrien@evora-foods.com',
      firstName: 'Zoë',
      lastName: "O'Brien",
      title: 'Head of Procurement',
      phone: '+351 912 345 678',
      companyRemoteId: '0015g00000XYZ12AAA',
      ownerRemoteId: '0055g00000OWNERAAA',
      lifecycleStage: { value: 'customer', label: 'Customer' },
      leadStatus: null,
      customFields: {
        Lifecycle_Stage__c: { value: 'customer', label: 'Customer' },
        AI_Qualification_Score__c: 87.5,
        Last_Scored_At__c: '2024-06-12T15:00:00.000Z',
        Do_Not_Score__c: false,
      },
      mergedIntoRemoteId: null,
    });
    expect(n.associations).toEqual([{ toKind: 'COMPANY', toRemoteId: '0015g00000XYZ12AAA', label: null, isPrimary: true }]);
    expect(n.associationKinds).toEqual(['COMPANY']);
    expect(n.absorbedRemoteIds).toEqual([]);
    expect(n.raw).toBe(raw);
  });

  it('leaves lifecycleStage null when no field is mapped to it', () => {
    expect(normalize('Contact', fixture('contact'), { ...options, lifecycleStageField: null }).record).toMatchObject({ lifecycleStage: null });
  });

  it('maps a Lead with its status label, multi-select values and no company; queues are not owners', () => {
    const n = normalize('Lead', fixture('lead'));
    expect(n.record).toMatchObject({
      kind: 'CONTACT',
      remoteType: 'Lead',
      email: 'ada@okafor.example',
      companyRemoteId: null,
      ownerRemoteId: null,
      leadStatus: { value: 'Working - Contacted', label: 'Working (contacted)' },
      lifecycleStage: { value: 'salesqualifiedlead', label: 'Sales Qualified Lead' },
      deleted: false,
      mergedIntoRemoteId: null,
    });
    expect((n.record as { customFields: Record<string, unknown> }).customFields.Product_Interest__c).toEqual([
      { value: 'analytics', label: 'Analytics Suite' },
      { value: 'ai_scoring', label: 'AI Scoring' },
      { value: 'unknown_value', label: 'unknown_value' },
    ]);
    // A lead's company link is cleared (it has none), so a converted-back record keeps no stale link.
    expect(n.associations).toEqual([]);
    expect(n.associationKinds).toEqual(['COMPANY']);
  });

  it('turns a converted Lead into a tombstone merged into its Contact', () => {
    expect(normalize('Lead', fixture('lead-converted')).record).toMatchObject({
      deleted: true,
      mergedIntoRemoteId: '0035g00000GRACEAAA',
      leadStatus: { value: 'Closed - Converted', label: 'Closed - Converted' },
    });
  });

  it('maps an Account to a company with domain, labeled industry and revenue in its own currency', () => {
    const n = normalize('Account', fixture('account'));
    expect(n.record).toEqual({
      kind: 'COMPANY',
      remoteId: '0015g00000XYZ12AAA',
      remoteCreatedAt: '2023-10-01T00:00:00.000Z',
      remoteUpdatedAt: '2024-06-01T12:00:00.000Z',
      deleted: false,
      name: 'Évora Foods',
      domain: 'evora-foods.pt',
      industry: { value: 'Food & Beverage', label: 'Food & Beverage' },
      employeeCount: 1250,
      annualRevenue: { amount: '48250000.50', currency: 'EUR' },
      city: 'Évora',
      country: 'Portugal',
      ownerRemoteId: '0055g00000OWNERAAA',
      customFields: {},
      mergedIntoRemoteId: null,
    });
    expect(n.associationKinds).toEqual([]);
  });

  it('marks an Account merged away (deleted with MasterRecordId) as merged into the survivor', () => {
    expect(normalize('Account', fixture('account-merged')).record).toMatchObject({ deleted: true, mergedIntoRemoteId: '0015g00000XYZ12AAA', annualRevenue: null, domain: 'evora-foods.pt' });
  });

  it('maps an Opportunity to a deal with its company and one contact link per role holder', () => {
    const n = normalize('Opportunity', fixture('opportunity'));
    expect(n.record).toEqual({
      kind: 'DEAL',
      remoteId: '0065g00000DEAL1AAA',
      remoteCreatedAt: '2024-04-15T09:00:00.000Z',
      remoteUpdatedAt: '2024-06-20T14:00:00.000Z',
      deleted: false,
      name: 'Évora Foods — Analytics rollout',
      amount: { amount: '120000.00', currency: 'USD' }, // no CurrencyIsoCode: the org default
      stage: { value: 'Negotiation/Review', label: 'Negotiation / Review' },
      pipeline: null,
      closeDate: '2024-09-30T00:00:00.000Z',
      isClosed: false,
      isWon: false,
      companyRemoteId: '0015g00000XYZ12AAA',
      ownerRemoteId: '0055g00000OWNERAAA',
      customFields: {},
      mergedIntoRemoteId: null,
    });
    expect(n.associations).toEqual([
      { toKind: 'COMPANY', toRemoteId: '0015g00000XYZ12AAA', label: null, isPrimary: true },
      { toKind: 'CONTACT', toRemoteId: '0035g00000ABCDEAAA', label: 'Decision Maker', isPrimary: true },
      { toKind: 'CONTACT', toRemoteId: '0035g00000OTHERAAA', label: 'Technical Buyer', isPrimary: false },
    ]);
    expect(n.associationKinds).toEqual(['COMPANY', 'CONTACT']);
  });

  it('leaves deal-contact links alone when no roles were attached', () => {
    const { OpportunityContactRoles: _roles, ...raw } = fixture('opportunity');
    const n = normalize('Opportunity', raw);
    expect(n.associationKinds).toEqual(['COMPANY']);
    expect(n.associations.map((a) => a.toKind)).toEqual(['COMPANY']);
  });

  it('maps an email Task to an EMAIL activity with plain text, the HTML kept, and its who/what links', () => {
    const n = normalize('Task', fixture('task-email'));
    expect(n.record).toMatchObject({
      kind: 'ACTIVITY',
      remoteType: 'Task',
      activityType: 'EMAIL',
      subject: 'Re: pricing',
      bodyText: 'Hi Zoë,\nHere is the pricing & the plan:\n- Tier A\n- Tier B',
      bodyHtml: '<p>Hi Zoë,</p><p>Here is the <b>pricing</b> &amp; the plan:</p><ul><li>Tier A</li><li>Tier B</li></ul>',
      occurredAt: '2024-06-10T00:00:00.000Z',
      ownerRemoteId: '0055g00000OWNERAAA',
      deleted: false,
    });
    expect(n.associations).toEqual([
      { toKind: 'CONTACT', toRemoteId: '0035g00000ABCDEAAA', label: null, isPrimary: false },
      { toKind: 'DEAL', toRemoteId: '0065g00000DEAL1AAA', label: null, isPrimary: false },
    ]);
    expect(n.associationKinds).toEqual(['CONTACT', 'COMPANY', 'DEAL']);
  });

  it('maps Task subtypes to activity types', () => {
    const base = fixture('task-email');
    const type = (TaskSubtype: string | null) => (normalize('Task', { ...base, TaskSubtype }).record as { activityType: string }).activityType;
    expect([type('Call'), type('Task'), type('ListEmail'), type('LinkedIn'), type(null)]).toEqual(['CALL', 'TASK', 'EMAIL', 'TASK', 'TASK']);
  });

  it('maps a deleted Event to a MEETING tombstone at its start time, linked to a lead and an account', () => {
    const n = normalize('Event', fixture('event'));
    expect(n.record).toMatchObject({
      activityType: 'MEETING',
      remoteType: 'Event',
      deleted: true,
      occurredAt: '2024-06-14T17:30:00.000Z',
      bodyText: 'Agenda: goals, timeline',
      bodyHtml: null,
    });
    expect(n.associations.map((a) => [a.toKind, a.toRemoteId])).toEqual([
      ['CONTACT', '00Q5g00000LEAD1AAA'],
      ['COMPANY', '0015g00000XYZ12AAA'],
    ]);
  });

  it('maps a User to an owner; deactivated users are inactive, not deleted', () => {
    expect(normalize('User', fixture('user')).record).toEqual({
      kind: 'OWNER',
      remoteId: '0055g00000OWNERAAA',
      remoteCreatedAt: '2023-01-01T00:00:00.000Z',
      remoteUpdatedAt: '2024-01-01T00:00:00.000Z',
      deleted: false,
      email: 'maria.silva@evora.example',
      firstName: 'Maria',
      lastName: 'Silva',
      active: false,
    });
  });

  it('refuses objects it has no mapping for, and records without an Id', () => {
    expect(() => normalize('Case', fixture('user'))).toThrow(/no canonical mapping for Salesforce Case/);
    expect(() => normalize('User', { Email: 'x@y.z' })).toThrow(/without Id/);
  });
});
