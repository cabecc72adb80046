import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CrmConnector } from '../../../src/connectors/types.js';
import { startHubspotSimulator, type HubspotSimulator } from '../../../src/simulators/hubspot/index.js';
import { connectorFor } from './hubspot-helpers.js';

let sim: HubspotSimulator;
let connector: CrmConnector;

beforeAll(async () => {
  sim = await startHubspotSimulator({ seed: 9, contacts: 60 });
  connector = connectorFor(sim);
});

afterEach(() => {
  sim.control.clearFaults();
  sim.control.resetCounters();
});

afterAll(async () => {
  await connector?.close();
  await sim?.close();
});

function contactIds(): string[] {
  return sim.store.allRecords('contacts').filter((r) => !r.archived).map((r) => r.id);
}

describe('HubSpot write', () => {
  it('splits a 207 partial failure into one result per op', async () => {
    const [a, b] = contactIds();
    const results = await connector.write([
      { key: 'ok', objectType: 'contacts', remoteId: a!, operation: 'UPDATE', properties: { engagement_score: 91, jobtitle: null } },
      { key: 'bad-value', objectType: 'contacts', remoteId: b!, operation: 'UPDATE', properties: { lifecyclestage: 'not-a-stage' } },
      { key: 'missing', objectType: 'contacts', remoteId: '999999', operation: 'UPDATE', properties: { engagement_score: 5 } },
      { key: 'company', objectType: 'companies', remoteId: sim.store.allRecords('companies')[0]!.id, operation: 'UPDATE', properties: { city: 'Porto' } },
    ]);
    expect(results.map((r) => [r.key, r.ok, r.error?.kind])).toEqual([
      ['ok', true, undefined],
      ['bad-value', false, 'validation'],
      ['missing', false, 'not_found'],
      ['company', true, undefined],
    ]);
    expect(sim.store.get('contacts', a!)!.properties).toMatchObject({ engagement_score: '91', jobtitle: null });
    expect(sim.store.allRecords('companies')[0]!.properties.city).toBe('Porto');
    // One batch call per object type.
    expect(sim.control.requests().filter((r) => r.path.endsWith('/batch/update'))).toHaveLength(2);
  });

  it('sends two writes to the same record in separate batches, in order', async () => {
    const [a] = contactIds();
    const results = await connector.write([
      { key: '1', objectType: 'contacts', remoteId: a!, operation: 'UPDATE', properties: { engagement_score: 1 } },
      { key: '2', objectType: 'contacts', remoteId: a!, operation: 'UPDATE', properties: { engagement_score: 2 } },
    ]);
    expect(results.every((r) => r.ok)).toBe(true);
    expect(sim.store.get('contacts', a!)!.properties.engagement_score).toBe('2');
  });

  it('upserts contacts by email: creates new ones and updates existing ones', async () => {
    const existing = sim.store.allRecords('contacts').find((r) => r.properties.email)!;
    const results = await connector.write([
      { key: 'new', objectType: 'contacts', remoteId: null, operation: 'UPSERT_CONTACT', properties: { email: 'Fresh.Lead@Example.net', engagement_score: 10 } },
      { key: 'old', objectType: 'contacts', remoteId: null, operation: 'UPSERT_CONTACT', properties: { email: existing.properties.email!.toUpperCase(), engagement_score: 77 } },
      { key: 'no-email', objectType: 'contacts', remoteId: null, operation: 'UPSERT_CONTACT', properties: { engagement_score: 1 } },
    ]);
    expect(results[0]).toMatchObject({ key: 'new', ok: true });
    expect(sim.store.get('contacts', results[0]!.remoteId!)!.properties.email).toBe('fresh.lead@example.net');
    expect(results[1]).toMatchObject({ key: 'old', ok: true, remoteId: existing.id });
    expect(sim.store.get('contacts', existing.id)!.properties.engagement_score).toBe('77');
    expect(results[2]).toMatchObject({ key: 'no-email', ok: false, error: { kind: 'validation' } });
  });

  it('recovers from a 409 on create by updating the existing contact named in the error', async () => {
    const existing = sim.store.allRecords('contacts').find((r) => r.properties.email && !r.archived)!;
    sim.control.addFault({ kind: 'status', status: 409, match: 'POST /crm/v3/objects/contacts/batch/upsert' });
    const results = await connector.write([
      { key: 'dup', objectType: 'contacts', remoteId: null, operation: 'UPSERT_CONTACT', properties: { email: existing.properties.email!, engagement_score: 42 } },
    ]);
    expect(results).toEqual([{ key: 'dup', ok: true, remoteId: existing.id }]);
    expect(sim.store.get('contacts', existing.id)!.properties.engagement_score).toBe('42');
    const calls = sim.control.requests().map((r) => `${r.method} ${r.path} ${r.status}`);
    expect(calls).toEqual([
      'POST /crm/v3/objects/contacts/batch/upsert 409',
      'POST /crm/v3/objects/contacts 409',
      `PATCH /crm/v3/objects/contacts/${existing.id} 200`,
    ]);
  });
});

describe('HubSpot ensureFields', () => {
  it('creates missing properties, reports existing ones and those an admin must create', async () => {
    sim.control.addFault({ kind: 'status', status: 403, match: 'POST /crm/v3/properties/deals' });
    const report = await connector.ensureFields([
      { objectType: 'contacts', name: 'ai_fit_score', label: 'AI fit score', type: 'number' },
      { objectType: 'contacts', name: 'ai_fit_rationale', label: 'AI fit rationale', type: 'text' },
      { objectType: 'contacts', name: 'engagement_score', label: 'Engagement score', type: 'number' },
      { objectType: 'deals', name: 'ai_deal_risk', label: 'AI deal risk', type: 'string' },
    ]);
    expect(report.created).toEqual(['contacts.ai_fit_score', 'contacts.ai_fit_rationale']);
    expect(report.existing).toEqual(['contacts.engagement_score']);
    expect(report.manual).toEqual([{ field: expect.objectContaining({ name: 'ai_deal_risk' }), reason: expect.any(String) }]);
    expect(sim.store.property('contacts', 'ai_fit_score')).toMatchObject({ type: 'number', groupName: 'contactinformation', hubspotDefined: false });
    expect(sim.store.property('contacts', 'ai_fit_rationale')).toMatchObject({ type: 'string', fieldType: 'textarea' });

    // Created properties can be written straight away, and describe reports them as custom.
    const [id] = contactIds();
    const [result] = await connector.write([{ key: 'w', objectType: 'contacts', remoteId: id!, operation: 'UPDATE', properties: { ai_fit_score: 0.87 } }]);
    expect(result?.ok).toBe(true);
    const defs = await connector.describe({ name: 'contacts', kind: 'CONTACT' });
    expect(defs.find((d) => d.name === 'ai_fit_score')).toMatchObject({ type: 'number', custom: true });
    const again = await connector.ensureFields([{ objectType: 'contacts', name: 'ai_fit_score', label: 'AI fit score', type: 'number' }]);
    expect(again).toEqual({ existing: ['contacts.ai_fit_score'], created: [], manual: [] });
  });
});
