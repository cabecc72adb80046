/**
 * The Salesforce connector's own surface against the simulator with real jsforce: the three
 * grants, instance_url, stored sessions, the concurrency cap, fetchByIds, writes, custom fields,
 * and change events delivered by the simulator's CDC relay and applied to the store.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  applySalesforceEvents,
  parseSalesforceEvents,
  SALESFORCE_SIGNATURE_HEADER,
  verifySalesforceSignature,
  type SalesforceChangeEvent,
} from '../../../src/connectors/salesforce/index.js';
import { CrmError, type StreamSpec } from '../../../src/connectors/types.js';
import { startSalesforceSimulator, type SalesforceSimulator } from '../../../src/simulators/salesforce/index.js';
import { recordActions, syncConnection } from '../../../src/sync/connection-sync.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/db.js';
import { compareWithSimulator, connectorFor, createSyncFixture, jwtCredentials } from './salesforce-helpers.js';

const REFRESH_TOKEN = 'connector-test-refresh-token';
let sf: SalesforceSimulator;

beforeAll(async () => {
  sf = await startSalesforceSimulator({ seed: 21, contacts: 120, credentials: { refreshTokens: [REFRESH_TOKEN] } });
});

beforeEach(() => {
  sf.faults.clear();
  sf.control.setLimits({ concurrencyLimit: 25 });
  sf.control.setToolingAccess(true);
});

afterAll(async () => {
  await sf?.close();
});

const spec = (name: string, kind: StreamSpec['kind'] = 'CONTACT'): StreamSpec => ({ name, kind });

describe('Salesforce sessions', () => {
  const grants = {
    jwt: () => jwtCredentials(sf),
    refresh_token: () => ({ kind: 'refresh_token', clientId: sf.credentials.clientId, clientSecret: sf.credentials.clientSecret, refreshToken: REFRESH_TOKEN }),
    password: () => ({ kind: 'password', clientId: sf.credentials.clientId, clientSecret: sf.credentials.clientSecret, username: sf.credentials.username, password: sf.credentials.password }),
  };

  for (const [grant, credentials] of Object.entries(grants)) {
    it(`logs in with ${grant}, calls the API on instance_url and persists the session`, async () => {
      const saved: Record<string, unknown>[] = [];
      const observed: unknown[] = [];
      const connector = connectorFor(sf, { credentials: credentials(), saveCredentials: async (c) => void saved.push(c), observe: (call) => observed.push(call) });
      const defs = await connector.describe(spec('Account', 'COMPANY'));
      expect(observed).toEqual([{ provider: 'SALESFORCE', endpoint: 'GET /sobjects/Account/describe', status: 200, durationMs: expect.any(Number) }]);
      expect(defs.find((d) => d.name === 'Industry')).toMatchObject({ type: 'enumeration', custom: false });
      expect(saved).toEqual([{ accessToken: expect.stringMatching(/^00D/), instanceUrl: sf.instanceUrl }]);
      expect(sf.instanceUrl).not.toBe(sf.loginUrl);
      await connector.close();
    });
  }

  it('reuses a stored session without logging in again', async () => {
    const saved: Record<string, unknown>[] = [];
    const first = connectorFor(sf, { saveCredentials: async (c) => void saved.push(c) });
    await first.describe(spec('Lead'));
    await first.close();
    sf.requests.clear();
    const second = connectorFor(sf, { credentials: { ...jwtCredentials(sf), ...saved[0] } });
    await second.describe(spec('Lead'));
    expect(sf.requests.list().map((r) => r.path)).toEqual([expect.stringMatching(/^\/services\/data\/v61\.0\/sobjects\/Lead\/describe/)]);
    await second.close();
  });

  it('reports refused credentials as auth', async () => {
    const connector = connectorFor(sf, { credentials: { ...jwtCredentials(sf), username: 'nobody@example.com' } });
    await expect(connector.describe(spec('Lead'))).rejects.toMatchObject({ kind: 'auth', details: { crmCode: 'invalid_grant' } });
    await connector.close();
  });
});

describe('Salesforce reads', () => {
  it('keeps concurrent requests under the cap it is configured with', async () => {
    const contact = sf.control.list('Contact')[0]!;
    for (let i = sf.control.list('Task').length; i < 850; i++) sf.control.create('Task', { Subject: `Bulk task ${i}`, WhoId: contact.Id, TaskSubtype: 'Task' });
    sf.control.setLimits({ concurrencyLimit: 3 });
    sf.faults.add({ kind: 'latency', latencyMs: 30, match: '/queryAll' });
    const ids = sf.control.list('Task').map((t) => String(t.Id));
    expect(ids.length).toBeGreaterThanOrEqual(850); // 5 IN-list chunks sent at once

    const capped = connectorFor(sf, { settings: { maxConcurrency: 2 } });
    const result = await capped.fetchByIds(spec('Task', 'ACTIVITY'), ids);
    expect(result.records).toHaveLength(ids.length);
    expect(capped.stats().rateLimited).toBe(0);
    await capped.close();

    // The same work without the cap trips Salesforce's concurrency limit (then retries through it).
    const uncapped = connectorFor(sf, { settings: { maxConcurrency: 10 } });
    await uncapped.fetchByIds(spec('Task', 'ACTIVITY'), ids);
    expect(uncapped.stats().rateLimited).toBeGreaterThan(0);
    await uncapped.close();
  });

  it('fetches records by id: deleted ones come back deleted, unknown ones are missing', async () => {
    const connector = connectorFor(sf);
    const [live, gone] = sf.control.list('Contact').slice(-2);
    sf.control.delete('Contact', String(gone!.Id));
    const unknown = '003000000000000AAA';
    const result = await connector.fetchByIds(spec('Contact'), [String(live!.Id), String(gone!.Id).slice(0, 15), unknown]);
    expect(result.missingRemoteIds).toEqual([unknown]);
    const byId = new Map(result.records.map((r) => [r.Id, r]));
    expect(byId.get(live!.Id)).toMatchObject({ IsDeleted: false, attributes: { type: 'Contact' } });
    expect(byId.get(gone!.Id)).toMatchObject({ IsDeleted: true });
    sf.control.undelete('Contact', String(gone!.Id));

    const role = sf.control.list('OpportunityContactRole')[0]!;
    const deals = await connector.fetchByIds(spec('OpportunityContactRole', 'DEAL'), [String(role.Id)]);
    expect(deals.records).toEqual([expect.objectContaining({ Id: role.OpportunityId, OpportunityContactRoles: expect.objectContaining({ records: expect.arrayContaining([expect.objectContaining({ ContactId: role.ContactId })]) }) })]);
    await connector.close();
  });
});

describe('Salesforce writes', () => {
  it('updates records and maps per-record failures to CrmError kinds', async () => {
    const connector = connectorFor(sf);
    const [a, b] = sf.control.list('Contact');
    const deleted = sf.control.list('Lead').at(-1)!;
    sf.control.delete('Lead', String(deleted.Id));
    const results = await connector.write([
      { key: 'k1', objectType: 'Contact', remoteId: String(a!.Id), operation: 'UPDATE', properties: { Title: 'VP Revenue' } },
      { key: 'k2', objectType: 'Lead', remoteId: String(deleted.Id), operation: 'UPDATE', properties: { Title: 'x' } },
      { key: 'k3', objectType: 'Contact', remoteId: String(b!.Id), operation: 'UPDATE', properties: { No_Such_Field__c: 1 } },
    ]);
    expect(results.map((r) => r.key)).toEqual(['k1', 'k2', 'k3']);
    expect(results[0]).toEqual({ key: 'k1', ok: true, remoteId: a!.Id });
    expect(sf.control.get('Contact', String(a!.Id))!.Title).toBe('VP Revenue');
    expect(results[1]!.error).toMatchObject({ kind: 'not_found', details: { crmCode: 'ENTITY_IS_DELETED' } });
    expect(results[2]!.error).toMatchObject({ kind: 'validation', details: { crmCode: 'INVALID_FIELD' } });
    expect(results[2]!.error).toBeInstanceOf(CrmError);
    await connector.close();
  });

  it('upserts contacts by email: finds existing ones, creates new ones once', async () => {
    const connector = connectorFor(sf);
    const existing = sf.control.list('Contact').find((c) => c.Email)!;
    const results = await connector.write([
      { key: 'found', objectType: 'Contact', remoteId: null, operation: 'UPSERT_CONTACT', properties: { Email: String(existing.Email).toUpperCase(), AI_Score_Hint__c: null } },
      { key: 'new-1', objectType: 'Contact', remoteId: null, operation: 'UPSERT_CONTACT', properties: { Email: 'grace.hopper@navy.example', LastName: 'Hopper' } },
      { key: 'new-2', objectType: 'Contact', remoteId: null, operation: 'UPSERT_CONTACT', properties: { Email: 'Grace.Hopper@navy.example', Title: 'Rear Admiral' } },
      { key: 'no-email', objectType: 'Contact', remoteId: null, operation: 'UPSERT_CONTACT', properties: { LastName: 'Nobody' } },
    ]);
    // An unknown field fails that op only; the others go through.
    expect(results[0]).toMatchObject({ key: 'found', ok: false, error: { kind: 'validation' } });
    expect(results[1]).toMatchObject({ key: 'new-1', ok: true });
    expect(results[2]).toMatchObject({ key: 'new-2', ok: true, remoteId: results[1]!.remoteId });
    expect(results[3]).toMatchObject({ key: 'no-email', ok: false, error: { kind: 'validation' } });
    const created = sf.control.list('Contact').filter((c) => String(c.Email).toLowerCase() === 'grace.hopper@navy.example');
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({ LastName: 'Hopper', Title: 'Rear Admiral' });

    const again = await connector.write([{ key: 'again', objectType: 'Contact', remoteId: null, operation: 'UPSERT_CONTACT', properties: { Email: String(existing.Email), Title: 'Found by email' } }]);
    expect(again[0]).toEqual({ key: 'again', ok: true, remoteId: existing.Id });
    await connector.close();
  });

  it('retries an update after a 503 but never repeats a create, which may have happened', async () => {
    const connector = connectorFor(sf);
    const contact = sf.control.list('Contact')[2]!;
    sf.faults.add({ kind: 'status', status: 503, match: 'PATCH /services/data/v61.0/composite/sobjects$', count: 1 });
    const [updated] = await connector.write([{ key: 'u', objectType: 'Contact', remoteId: String(contact.Id), operation: 'UPDATE', properties: { Department: 'Ops' } }]);
    expect(updated).toMatchObject({ ok: true });
    sf.faults.add({ kind: 'status', status: 503, match: 'POST /services/data/v61.0/composite/sobjects$', count: 1 });
    const before = sf.control.list('Contact').length;
    const [created] = await connector.write([{ key: 'c', objectType: 'Contact', remoteId: null, operation: 'UPSERT_CONTACT', properties: { Email: 'once@only.example', LastName: 'Once' } }]);
    expect(created).toMatchObject({ ok: false, error: { kind: 'server', details: { status: 503 } } });
    expect(sf.control.list('Contact')).toHaveLength(before);
    expect(connector.stats().apiCalls).toBe(2 + 1 + 1); // the update's 503 and its retry, the email lookup, the one create
    await connector.close();
  });

  it('upserts by an external id field when the connection names one', async () => {
    sf.control.defineCustomField({ FullName: 'Contact.Context_Layer_Id__c', Metadata: { label: 'Context Layer Id', type: 'Text', length: 64, externalId: true } });
    const connector = connectorFor(sf, { settings: { contactExternalIdField: 'Context_Layer_Id__c' } });
    const op = { objectType: 'Contact', remoteId: null, operation: 'UPSERT_CONTACT' as const };
    const [first] = await connector.write([{ ...op, key: 'a', properties: { Context_Layer_Id__c: 'cl-1', LastName: 'Lovelace' } }]);
    const [second] = await connector.write([{ ...op, key: 'b', properties: { Context_Layer_Id__c: 'cl-1', Title: 'Analyst' } }]);
    expect(first).toMatchObject({ ok: true });
    expect(second).toEqual({ key: 'b', ok: true, remoteId: first!.remoteId });
    expect(sf.control.get('Contact', first!.remoteId!)).toMatchObject({ LastName: 'Lovelace', Title: 'Analyst' });
    await connector.close();
  });

  it('creates missing custom fields through the Tooling API, or says what an admin must create', async () => {
    const connector = connectorFor(sf);
    const score = { objectType: 'Contact', name: 'AI_Qualification_Score', label: 'AI Qualification Score', type: 'number' as const };
    const rationale = { objectType: 'Contact', name: 'AI_Rationale__c', label: 'AI Rationale', type: 'text' as const };
    expect(await connector.ensureFields([score, rationale])).toEqual({ created: ['Contact.AI_Qualification_Score__c', 'Contact.AI_Rationale__c'], existing: [], manual: [] });
    expect(await connector.ensureFields([score])).toEqual({ created: [], existing: ['Contact.AI_Qualification_Score__c'], manual: [] });
    const defs = await connector.describe(spec('Contact'));
    expect(defs.find((d) => d.name === 'AI_Qualification_Score__c')).toMatchObject({ type: 'number', custom: true, label: 'AI Qualification Score' });

    sf.control.setToolingAccess(false);
    const report = await connector.ensureFields([{ objectType: 'Lead', name: 'AI_Next_Step__c', label: 'AI Next Step', type: 'string' }]);
    expect(report.created).toEqual([]);
    expect(report.manual).toHaveLength(1);
    expect(report.manual[0]!.field).toMatchObject({ objectType: 'Lead', name: 'AI_Next_Step__c' });
    expect(report.manual[0]!.reason).toMatch(/INSUFFICIENT_ACCESS/);
    expect(report.manual[0]!.reason).toMatch(/Object Manager → Lead .* type Text, length 255; Field Label "AI Next Step"; Field Name "AI_Next_Step" \(API name AI_Next_Step__c\)/);
    await connector.close();
  });
});

describe('Salesforce change events', () => {
  let db: TestDatabase;
  let receiver: Server;
  const deliveries: { body: string; signature: string | string[] | undefined }[] = [];
  const secret = 'cdc-relay-secret';

  beforeAll(async () => {
    db = await createTestDatabase();
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        deliveries.push({ body: Buffer.concat(chunks).toString('utf8'), signature: req.headers[SALESFORCE_SIGNATURE_HEADER] });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    sf.control.setCdcTarget(null);
    await new Promise((resolve) => receiver.close(resolve));
    await db.close();
  });

  it('verifies, parses and applies relayed change events so the store follows the org', async () => {
    const fx = await createSyncFixture(db, sf);
    await syncConnection(fx.ctx, fx.connectionId, fx.connector);

    sf.control.setCdcTarget({ url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks/salesforce`, secret });
    const account = sf.control.list('Account')[0]!;
    const contactId = sf.control.create('Contact', { LastName: 'Turing', Email: 'alan@bletchley.example', AccountId: account.Id });
    sf.control.update('Contact', contactId, { Title: 'Cryptanalyst' });
    const task = sf.control.list('Task')[0]!;
    sf.control.delete('Task', String(task.Id));
    const role = sf.control.list('OpportunityContactRole')[0]!;
    sf.control.update('OpportunityContactRole', String(role.Id), { Role: 'Technical Buyer' });
    await sf.control.flushCdc();
    sf.control.setCdcTarget(null);

    const events: SalesforceChangeEvent[] = [];
    for (const delivery of deliveries) {
      expect(verifySalesforceSignature({ rawBody: delivery.body, header: delivery.signature, secret })).toEqual({ ok: true });
      expect(verifySalesforceSignature({ rawBody: `${delivery.body} `, header: delivery.signature, secret }).ok).toBe(false);
      const parsed = parseSalesforceEvents(JSON.parse(delivery.body));
      if (!parsed.ok) throw new Error(parsed.reason);
      events.push(...parsed.events);
    }
    expect(events.map((e) => `${e.ChangeEventHeader.entityName}:${e.ChangeEventHeader.changeType}`)).toEqual([
      'Contact:CREATE',
      'Contact:UPDATE',
      'Task:DELETE',
      'OpportunityContactRole:UPDATE',
    ]);

    const applied = await applySalesforceEvents(events, recordActions(fx.ctx, fx.connectionId, fx.connector));
    expect(applied).toMatchObject({ refreshed: 3, ignored: 0, resyncStreams: [] });
    const contact = await db.prisma.contact.findFirstOrThrow({ where: { connectionId: fx.connectionId, remoteId: contactId } });
    expect(contact).toMatchObject({ title: 'Cryptanalyst', companyRemoteId: account.Id, email: 'alan@bletchley.example' });
    const link = await db.prisma.association.findFirstOrThrow({ where: { connectionId: fx.connectionId, fromRemoteId: String(role.OpportunityId), toRemoteId: String(role.ContactId) } });
    expect(link.label).toBe('Technical Buyer');
    const tombstone = await db.prisma.activity.findFirstOrThrow({ where: { connectionId: fx.connectionId, remoteId: String(task.Id) } });
    expect(tombstone.deletedAt).not.toBeNull();

    // The next incremental run agrees with what the events did (and leaves the store equal to the org).
    const outcomes = await syncConnection(fx.ctx, fx.connectionId, fx.connector);
    expect(outcomes.every((o) => o.status === 'SUCCEEDED')).toBe(true);
    expect(await db.prisma.contact.findFirstOrThrow({ where: { connectionId: fx.connectionId, remoteId: contactId } })).toMatchObject({ id: contact.id, title: 'Cryptanalyst' });
    const { expected, actual } = await compareWithSimulator(sf, db, fx.connectionId);
    expect(actual).toEqual(expected);
    await fx.connector.close();
  });
});
