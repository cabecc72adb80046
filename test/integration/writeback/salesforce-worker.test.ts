import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSalesforceSimulator, type SalesforceSimulator } from '../../../src/simulators/salesforce/index.js';
import { syncConnection } from '../../../src/sync/connection-sync.js';
import { ensureAiFields } from '../../../src/writeback/provision.js';
import { createWriteBackWorker } from '../../../src/writeback/worker.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/db.js';
import { createSyncFixture, quietLogger, type SyncFixture } from '../connectors/salesforce-helpers.js';

/** The outbox drained to the Salesforce simulator through jsforce: sObject collections of 200. */
describe('write-back to Salesforce', () => {
  let db: TestDatabase;
  let sf: SalesforceSimulator;
  let fx: SyncFixture;

  beforeAll(async () => {
    db = await createTestDatabase();
    sf = await startSalesforceSimulator({ seed: 23, contacts: 14_000 });
    fx = await createSyncFixture(db, sf);
    await syncConnection(fx.ctx, fx.connectionId, fx.connector, { streams: ['Lead', 'Contact'] });
  });
  afterAll(async () => {
    await fx?.connector.close();
    await sf?.close();
    await db?.close();
  });

  it('creates the AI fields through the Tooling API, then drains 10,000 scores in at most 60 calls', async () => {
    const connection = await db.prisma.connection.findUniqueOrThrow({ where: { id: fx.connectionId } });
    const report = await ensureAiFields(db, connection, fx.connector);
    expect(report.created.sort()).toEqual(
      ['Lead', 'Contact'].flatMap((o) => ['AI_Qualification_Score__c', 'AI_Qualification_Rationale__c', 'AI_Recommended_Playbook__c', 'AI_Last_Updated__c', 'AI_Source_Pipeline__c'].map((f) => `${o}.${f}`)).sort(),
    );
    const people = await db.prisma.contact.findMany({ where: { connectionId: fx.connectionId, deletedAt: null }, orderBy: { remoteId: 'asc' }, take: 10_000 });
    expect(people).toHaveLength(10_000);
    await db.prisma.writeBack.createMany({
      data: people.map((p, i) => ({
        connectionId: fx.connectionId,
        objectType: p.remoteType,
        remoteId: p.remoteId,
        fields: { score: i % 100, rationale: `why ${i}`, source: 'sf-pipeline', scoredAt: '2026-11-28T10:00:00.000Z', leadStatus: 'Working - Contacted' },
      })),
    });
    sf.requests.clear();
    const worker = createWriteBackWorker({ db, logger: quietLogger, connectorFor: async () => fx.connector, backoffBaseMs: 1 });
    const result = await worker.drainAll();
    expect(result).toMatchObject({ claimed: 10_000, done: 10_000, dead: 0 });
    expect(sf.requests.total).toBeLessThanOrEqual(60);
    for (const i of [0, 5000, 9999]) {
      const person = people[i]!;
      const record = sf.control.get(person.remoteType, person.remoteId)!;
      expect(record).toMatchObject({ AI_Qualification_Score__c: i % 100, AI_Source_Pipeline__c: 'sf-pipeline' });
      // Leads take the lead status; Contacts have no Status field and skip it.
      if (person.remoteType === 'Lead') expect(record.Status).toBe('Working - Contacted');
    }
    // The store shows the written values at once, columns included, as the next sync will.
    const lead = people.find((p) => p.remoteType === 'Lead' && p.leadStatus !== 'Working - Contacted')!;
    const reflected = await db.prisma.contact.findUniqueOrThrow({ where: { id: lead.id } });
    expect(reflected).toMatchObject({ leadStatus: 'Working - Contacted', leadStatusLabel: 'Working - Contacted' });
    expect(reflected.customFields).toMatchObject({ AI_Source_Pipeline__c: 'sf-pipeline' });
    await syncConnection(fx.ctx, fx.connectionId, fx.connector, { streams: ['Lead'] });
    const synced = await db.prisma.contact.findUniqueOrThrow({ where: { id: lead.id } });
    expect(synced).toMatchObject({ leadStatus: reflected.leadStatus, leadStatusLabel: reflected.leadStatusLabel, customFields: reflected.customFields });
  });

  it('dead-letters a write refused for a deleted related record, without tombstoning the live contact', async () => {
    const person = await db.prisma.contact.findFirstOrThrow({ where: { connectionId: fx.connectionId, remoteType: 'Contact', deletedAt: null }, orderBy: { remoteId: 'asc' } });
    const account = sf.control.list('Account').find((a) => a.IsDeleted === false && a.Id !== sf.control.list('Contact').find((c) => c.Id === person.remoteId)?.AccountId)!;
    sf.control.delete('Account', String(account.Id));
    // Salesforce answers this record alone, ENTITY_IS_DELETED without naming AccountId: the
    // same words as for a deleted contact, which is why a write setting a lookup never
    // counts its record as gone.
    await db.prisma.writeBack.create({
      data: { connectionId: fx.connectionId, objectType: 'Contact', remoteId: person.remoteId, operation: 'UPSERT_CONTACT', fields: { Title: 'VP Finance', __companyRemoteId: String(account.Id) } },
    });
    const worker = createWriteBackWorker({ db, logger: quietLogger, connectorFor: async () => fx.connector, backoffBaseMs: 1 });
    expect((await worker.drainAll()).dead).toBe(1);
    const row = await db.prisma.writeBack.findFirstOrThrow({ where: { remoteId: person.remoteId }, orderBy: { createdAt: 'desc' } });
    expect(row).toMatchObject({ status: 'DEAD', lastError: expect.stringMatching(/ENTITY_IS_DELETED/) });
    expect(row.lastError).not.toMatch(/record deleted in CRM/);
    expect((await db.prisma.contact.findUniqueOrThrow({ where: { id: person.id } })).deletedAt).toBeNull();
    expect((await db.prisma.connection.findUniqueOrThrow({ where: { id: fx.connectionId } })).status).toBe('ACTIVE');
  });

  it('dead-letters records refused for a record-level permission one by one, and the connection carries on', async () => {
    const people = await db.prisma.contact.findMany({ where: { connectionId: fx.connectionId, remoteType: 'Contact', deletedAt: null }, orderBy: { remoteId: 'asc' }, skip: 10, take: 3 });
    const queued = await db.prisma.writeBack.createManyAndReturn({
      data: people.map((p) => ({ connectionId: fx.connectionId, objectType: 'Contact', remoteId: p.remoteId, fields: { score: 9, rationale: 'x', source: 's', scoredAt: '2026-11-28T10:00:00.000Z' } })),
    });
    const worker = createWriteBackWorker({ db, logger: quietLogger, connectorFor: async () => fx.connector, backoffBaseMs: 1 });
    // Each record answers INSUFFICIENT_ACCESS_OR_READONLY (sharing rules, or Edit taken away):
    // visible and retryable as dead letters, while the connection keeps syncing.
    sf.control.setReadOnly('Contact', true);
    try {
      expect(await worker.drainOnce()).toMatchObject({ claimed: 3, dead: 3, waiting: 0 });
    } finally {
      sf.control.setReadOnly('Contact', false);
    }
    const rows = await db.prisma.writeBack.findMany({ where: { id: { in: queued.map((q) => q.id) } } });
    expect(rows.every((r) => r.status === 'DEAD' && /INSUFFICIENT_ACCESS_OR_READONLY/.test(r.lastError ?? ''))).toBe(true);
    expect((await db.prisma.connection.findUniqueOrThrow({ where: { id: fx.connectionId } })).status).toBe('ACTIVE');
  });

  it("sends one object's writes when another object's describe fails, and retries only the latter", async () => {
    const [lead] = await db.prisma.contact.findMany({ where: { connectionId: fx.connectionId, remoteType: 'Lead', deletedAt: null }, take: 1 });
    const [contact] = await db.prisma.contact.findMany({ where: { connectionId: fx.connectionId, remoteType: 'Contact', deletedAt: null }, orderBy: { remoteId: 'asc' }, skip: 20, take: 1 });
    const fields = { score: 61, rationale: 'x', source: 's', scoredAt: '2026-11-28T10:00:00.000Z' };
    const queued = await db.prisma.writeBack.createManyAndReturn({
      data: [
        { connectionId: fx.connectionId, objectType: 'Lead', remoteId: lead!.remoteId, fields },
        { connectionId: fx.connectionId, objectType: 'Contact', remoteId: contact!.remoteId, fields },
      ],
    });
    const fault = sf.faults.add({ match: 'GET .*/sobjects/Lead/describe', kind: 'status', status: 500 });
    try {
      const worker = createWriteBackWorker({ db, logger: quietLogger, connectorFor: async () => fx.connector, backoffBaseMs: 1 });
      expect(await worker.drainOnce()).toMatchObject({ claimed: 2, done: 1, retried: 1, dead: 0 });
    } finally {
      sf.faults.remove(fault.id);
    }
    // Only this test's rows: earlier tests wrote to these records too.
    const rows = await db.prisma.writeBack.findMany({ where: { id: { in: queued.map((q) => q.id) } } });
    expect(Object.fromEntries(rows.map((r) => [r.objectType, r.status]))).toEqual({ Lead: 'PENDING', Contact: 'DONE' });
    await db.prisma.writeBack.deleteMany({ where: { id: queued[0]!.id } });
  });

  it('dead-letters a write to a record deleted in Salesforce, and tombstones it', async () => {
    const person = await db.prisma.contact.findFirstOrThrow({ where: { connectionId: fx.connectionId, remoteType: 'Contact', deletedAt: null }, orderBy: { remoteId: 'desc' } });
    sf.control.delete('Contact', person.remoteId);
    await db.prisma.writeBack.create({ data: { connectionId: fx.connectionId, objectType: 'Contact', remoteId: person.remoteId, fields: { score: 1, rationale: 'x', source: 's', scoredAt: '2026-11-28T10:00:00.000Z' } } });
    const worker = createWriteBackWorker({ db, logger: quietLogger, connectorFor: async () => fx.connector, backoffBaseMs: 1 });
    expect((await worker.drainAll()).dead).toBe(1);
    const row = await db.prisma.writeBack.findFirstOrThrow({ where: { remoteId: person.remoteId }, orderBy: { createdAt: 'desc' } });
    expect(row.status).toBe('DEAD');
    expect(row.lastError).toMatch(/record deleted in CRM/);
    expect((await db.prisma.contact.findUniqueOrThrow({ where: { id: person.id } })).deletedAt).not.toBeNull();
  });
});
