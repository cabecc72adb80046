import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFieldDefs } from '../../../src/sync/field-defs.js';
import type { CrmConnector } from '../../../src/connectors/types.js';
import { startHubspotSimulator, type HubspotSimulator } from '../../../src/simulators/hubspot/index.js';
import { syncConnection } from '../../../src/sync/connection-sync.js';
import { ensureAiFields } from '../../../src/writeback/provision.js';
import { claimDue, markDead, markDone, releaseExpiredLeases, retryLater } from '../../../src/writeback/outbox.js';
import { createWriteBackWorker } from '../../../src/writeback/worker.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/db.js';
import { connectorFor, quietLogger } from '../connectors/hubspot-helpers.js';

/** The outbox drained to the HubSpot simulator: batching, per-item results, retries, dead letters. */
describe('write-back to HubSpot', () => {
  let db: TestDatabase;
  let sim: HubspotSimulator;
  let connector: CrmConnector;
  let connectionId: string;
  let contacts: { remoteId: string }[];

  beforeAll(async () => {
    db = await createTestDatabase();
    sim = await startHubspotSimulator({ seed: 17, contacts: 13_000, rateLimit: false });
    connector = connectorFor(sim);
    const connection = await db.prisma.connection.create({ data: { provider: 'HUBSPOT', name: 'hs-out', credentials: 'unused' } });
    connectionId = connection.id;
    await syncConnection({ db, logger: quietLogger }, connectionId, connector, { streams: ['contacts'] });
    const report = await ensureAiFields(db, connection, connector);
    expect(report.created).toHaveLength(5);
    // Saved at once, so a webhook refresh before the next sync keeps the new fields' values.
    expect((await loadFieldDefs(db, connectionId, 'contacts')).map((d) => d.name)).toEqual(expect.arrayContaining(['ai_qualification_score', 'ai_source_pipeline']));
    contacts = await db.prisma.contact.findMany({ where: { connectionId, deletedAt: null }, select: { remoteId: true }, orderBy: { remoteId: 'asc' } });
    expect(contacts.length).toBeGreaterThan(10_700);
  });
  afterAll(async () => {
    await connector?.close();
    await sim?.close();
    await db?.close();
  });

  const worker = (overrides: Partial<Parameters<typeof createWriteBackWorker>[0]> = {}) =>
    createWriteBackWorker({ db, logger: quietLogger, connectorFor: async () => connector, backoffBaseMs: 1, ...overrides });

  async function queue(remoteIds: string[], fields: (i: number) => Record<string, unknown>) {
    await db.prisma.writeBack.createMany({
      data: remoteIds.map((remoteId, i) => ({ connectionId, objectType: 'contact', remoteId, fields: fields(i) as object })),
    });
  }

  const scoreFields = (score: number) => ({ score, rationale: `fit ${score}`, source: 'bench-pipeline', scoredAt: '2026-11-28T10:00:00.000Z' });

  it('drains 10,000 scores in at most 110 HubSpot calls, each landing in the CRM and the store', async () => {
    const targets = contacts.slice(0, 10_000).map((c) => c.remoteId);
    expect(targets).toHaveLength(10_000);
    await queue(targets, (i) => scoreFields(i % 101));
    sim.requests.clear();
    const result = await worker().drainAll();
    expect(result).toMatchObject({ claimed: 10_000, done: 10_000, dead: 0 });
    expect(sim.requests.total).toBeLessThanOrEqual(110);
    expect(await db.prisma.writeBack.count({ where: { status: 'DONE' } })).toBe(10_000);
    for (const i of [0, 4321, 9999]) {
      const record = sim.store.get('contacts', targets[i]!)!;
      expect(record.properties).toMatchObject({ ai_qualification_score: String(i % 101), ai_source_pipeline: 'bench-pipeline', ai_qualification_rationale: `fit ${i % 101}` });
      const row = await db.prisma.contact.findFirstOrThrow({ where: { connectionId, remoteId: targets[i]! } });
      expect(row.customFields).toMatchObject({ ai_qualification_score: i % 101 });
    }
    // The next sync reads the same values back instead of flipping them.
    await syncConnection({ db, logger: quietLogger }, connectionId, connector, { streams: ['contacts'], full: true });
    const after = await db.prisma.contact.findFirstOrThrow({ where: { connectionId, remoteId: targets[4321]! } });
    expect(after.customFields).toMatchObject({ ai_qualification_score: 4321 % 101 });
  });

  it('shows a written lead status in the store at once, value and label, as the next sync reads it', async () => {
    const target = contacts[10_020]!.remoteId;
    const before = await db.prisma.contact.findFirstOrThrow({ where: { connectionId, remoteId: target } });
    const status = before.leadStatus === 'CONNECTED' ? { value: 'BAD_TIMING', label: 'Bad Timing' } : { value: 'CONNECTED', label: 'Connected' };
    await queue([target], () => ({ ...scoreFields(77), leadStatus: status.label }));
    expect((await worker().drainAll()).done).toBe(1);
    const reflected = await db.prisma.contact.findFirstOrThrow({ where: { connectionId, remoteId: target } });
    expect(reflected).toMatchObject({ leadStatus: status.value, leadStatusLabel: status.label });
    expect(reflected.customFields).toMatchObject({ ai_qualification_score: 77 });
    await syncConnection({ db, logger: quietLogger }, connectionId, connector, { streams: ['contacts'] });
    const synced = await db.prisma.contact.findFirstOrThrow({ where: { connectionId, remoteId: target } });
    expect(synced).toMatchObject({ leadStatus: status.value, leadStatusLabel: status.label, customFields: reflected.customFields });
  });

  it('never revives a record the store already holds as deleted or merged', async () => {
    const [deleted, merged] = [contacts[10_030]!.remoteId, contacts[10_031]!.remoteId];
    await db.prisma.contact.updateMany({ where: { connectionId, remoteId: deleted }, data: { deletedAt: new Date() } });
    await db.prisma.contact.updateMany({ where: { connectionId, remoteId: merged }, data: { mergedIntoRemoteId: contacts[10_032]!.remoteId, deletedAt: new Date() } });
    await queue([deleted, merged], (i) => scoreFields(60 + i));
    expect((await worker().drainAll()).done).toBe(2);
    const rows = await db.prisma.contact.findMany({ where: { connectionId, remoteId: { in: [deleted, merged] } } });
    expect(rows.map((r) => r.deletedAt !== null)).toEqual([true, true]);
    expect(rows.find((r) => r.remoteId === merged)?.mergedIntoRemoteId).toBe(contacts[10_032]!.remoteId);
  });

  it('collapses pending writes to one record into one, the latest value winning', async () => {
    const target = contacts[10_010]!.remoteId;
    await queue([target, target, target], (i) => scoreFields(10 + i));
    sim.requests.clear();
    const result = await worker().drainAll();
    expect(result.done).toBe(3);
    expect(sim.requests.list().filter((r) => r.method === 'POST').map((r) => r.path)).toEqual(['/crm/v3/objects/contacts/batch/update']);
    expect(sim.store.get('contacts', target)!.properties.ai_qualification_score).toBe('12');
  });

  it('after a partial batch failure, handles each item on its own: deleted records and bad values die, the rest land once', async () => {
    const [ok1, deleted, bad, ok2] = contacts.slice(10_020, 10_024).map((c) => c.remoteId);
    sim.control.archive('contacts', deleted!);
    await queue([ok1!, deleted!, ok2!], (i) => scoreFields(50 + i));
    await db.prisma.writeBack.create({ data: { connectionId, objectType: 'contact', remoteId: bad!, fields: { ...scoreFields(1), lifecycleStage: 'no-such-stage' } } });
    sim.requests.clear();
    const first = await worker().drainOnce();
    expect(first).toMatchObject({ claimed: 4, done: 2, dead: 2 });
    expect(sim.requests.list().filter((r) => r.method === 'POST')).toHaveLength(1);
    const dead = await db.prisma.writeBack.findMany({ where: { status: 'DEAD' } });
    expect(dead.find((d) => d.remoteId === deleted)?.lastError).toMatch(/record deleted in CRM/);
    expect(dead.find((d) => d.remoteId === bad)?.lastError).toMatch(/validation/);
    expect((await db.prisma.contact.findFirstOrThrow({ where: { connectionId, remoteId: deleted! } })).deletedAt).not.toBeNull();
    // Nothing is sent again: the successes are DONE and the failures DEAD.
    sim.requests.clear();
    expect((await worker().drainOnce()).claimed).toBe(0);
    expect(sim.requests.total).toBe(0);
  });

  it('delivers everything through 5xx bursts and 429 storms, nothing twice', async () => {
    const targets = contacts.slice(10_100, 10_400).map((c) => c.remoteId);
    expect(targets).toHaveLength(300);
    await queue(targets, () => scoreFields(77));
    sim.faults.add({ match: '^POST /crm/v3/objects/contacts/batch/update', kind: 'status', status: 503, count: 5 });
    sim.faults.add({ match: '^POST /crm/v3/objects/contacts/batch/update', kind: 'rateLimit', rate: 0.3 });
    const result = await worker({ maxAttempts: 10 }).drainAll(100);
    sim.faults.clear();
    expect(result.dead).toBe(0);
    expect(await db.prisma.writeBack.count({ where: { remoteId: { in: targets }, status: 'DONE' } })).toBe(targets.length);
    expect(targets.every((id) => sim.store.get('contacts', id)!.properties.ai_qualification_score === '77')).toBe(true);
  });

  it('re-sends a write whose worker died between claim and send, applying it once in effect', async () => {
    const target = contacts[10_500]!.remoteId;
    await queue([target], () => scoreFields(64));
    const claimed = await claimDue(db, 10);
    expect(claimed.map((c) => c.remoteId)).toEqual([target]);
    // The claiming worker dies here. Its lease expires:
    await db.prisma.writeBack.updateMany({ where: { id: claimed[0]!.id }, data: { claimedAt: new Date(Date.now() - 10 * 60_000) } });
    const result = await worker({ leaseMs: 60_000 }).drainAll();
    expect(result.done).toBe(1);
    expect(sim.store.get('contacts', target)!.properties.ai_qualification_score).toBe('64');
    expect((await db.prisma.writeBack.findUniqueOrThrow({ where: { id: claimed[0]!.id } })).status).toBe('DONE');
  });

  it('dead-letters a write whose sends never finish within their lease, saying so, instead of cycling forever', async () => {
    const target = contacts[10_510]!.remoteId;
    await queue([target], () => scoreFields(65));
    const row = async () => db.prisma.writeBack.findFirstOrThrow({ where: { remoteId: target }, orderBy: { createdAt: 'desc' } });
    // Three workers in turn claim it and die (or stall) mid-send; each time the lease runs out.
    for (let attempt = 1; attempt <= 3; attempt++) {
      const claimed = (await claimDue(db, 10)).find((c) => c.remoteId === target);
      expect(claimed?.attempts).toBe(attempt);
      await db.prisma.writeBack.update({ where: { id: claimed!.id }, data: { claimedAt: new Date(Date.now() - 10 * 60_000) } });
      await releaseExpiredLeases(db, 60_000, 3);
      const { status, lastError } = await row();
      if (attempt < 3) expect({ status, lastError }).toEqual({ status: 'PENDING', lastError: expect.stringMatching(/did not finish within its lease.*sending again/) });
      else expect({ status, lastError }).toEqual({ status: 'DEAD', lastError: expect.stringMatching(/^gave up after 3 attempts: the send did not finish within its lease/) });
    }
  });

  it('an older write waiting for a retry cannot land after a newer one', async () => {
    const target = contacts[10_550]!.remoteId;
    await db.prisma.writeBack.create({
      data: { connectionId, objectType: 'contact', remoteId: target, fields: scoreFields(50), attempts: 1, nextAttemptAt: new Date(Date.now() + 60_000), createdAt: new Date(Date.now() - 1000) },
    });
    await queue([target], () => scoreFields(70));
    const result = await worker().drainAll();
    expect(result.done).toBe(2);
    expect(sim.store.get('contacts', target)!.properties.ai_qualification_score).toBe('70');
  });

  it("gives a new write its own attempts, whatever an older write to the same record has spent", async () => {
    const target = contacts[10_555]!.remoteId;
    // An older write has failed twice and waits for its third attempt.
    await db.prisma.writeBack.create({
      data: { connectionId, objectType: 'contact', remoteId: target, fields: scoreFields(20), attempts: 2, nextAttemptAt: new Date(Date.now() + 60_000), createdAt: new Date(Date.now() - 1000) },
    });
    await queue([target], () => scoreFields(80));
    // Failing past the client's own retries (3): the worker sees a 5xx.
    const fault = sim.faults.add({ match: '^POST /crm/v3/objects/contacts/batch/update', kind: 'status', status: 503, count: 4 });
    const first = await worker().drainOnce();
    sim.faults.remove(fault.id);
    expect(first).toMatchObject({ claimed: 2, retried: 2, dead: 0 });
    await db.prisma.writeBack.updateMany({ where: { remoteId: target, status: 'PENDING' }, data: { nextAttemptAt: new Date() } });
    expect((await worker().drainAll()).done).toBe(2);
    expect(sim.store.get('contacts', target)!.properties.ai_qualification_score).toBe('80');
  });

  it('keeps its lease while a slow send runs: another worker neither takes nor dead-letters the rows', async () => {
    const target = contacts[10_580]!.remoteId;
    await queue([target], () => scoreFields(58));
    const fault = sim.faults.add({ match: '^POST /crm/v3/objects/contacts/batch/update', kind: 'latency', latencyMs: 900, count: 1 });
    try {
      const slow = worker({ leaseMs: 300 }).drainOnce();
      // Twice during the send, another worker looks for expired leases (and would give up at once).
      const others = [];
      for (const wait of [400, 300]) {
        await new Promise((resolve) => setTimeout(resolve, wait));
        others.push(await worker({ leaseMs: 300, maxAttempts: 1 }).drainOnce());
      }
      expect(others.map((o) => o.claimed)).toEqual([0, 0]);
      expect((await slow).done).toBe(1);
    } finally {
      sim.faults.remove(fault.id);
    }
    expect(await db.prisma.writeBack.findFirstOrThrow({ where: { remoteId: target } })).toMatchObject({ status: 'DONE', attempts: 1 });
    expect(sim.store.get('contacts', target)!.properties.ai_qualification_score).toBe('58');
  });

  it('a worker whose lease expired cannot settle rows another worker has taken', async () => {
    const target = contacts[10_560]!.remoteId;
    await queue([target], () => scoreFields(33));
    const stale = await claimDue(db, 10);
    expect(stale).toHaveLength(1);
    await db.prisma.writeBack.update({ where: { id: stale[0]!.id }, data: { claimedAt: new Date(Date.now() - 60 * 60_000) } });
    expect((await worker({ leaseMs: 60_000 }).drainAll()).done).toBe(1);
    // The first worker wakes up and tries to settle with its old lease: nothing changes.
    await markDead(db, { ids: [stale[0]!.id], token: stale[0]!.claimedAt }, 'stale');
    await retryLater(db, { ids: [stale[0]!.id], token: stale[0]!.claimedAt }, 0, 'stale', true);
    expect((await db.prisma.writeBack.findUniqueOrThrow({ where: { id: stale[0]!.id } })).status).toBe('DONE');
  });

  it('keeps a record to one write in flight: a newer row waits until the claimed one settles', async () => {
    const target = contacts[10_570]!.remoteId;
    await queue([target], () => scoreFields(41));
    const inFlight = await claimDue(db, 10);
    expect(inFlight.map((r) => r.remoteId)).toEqual([target]);
    await queue([target], () => scoreFields(42));
    expect(await claimDue(db, 10)).toEqual([]);
    await markDone(db, { ids: [inFlight[0]!.id], token: inFlight[0]!.claimedAt });
    const next = await claimDue(db, 10);
    expect(next.map((r) => r.fields.score)).toEqual([42]);
    await markDone(db, { ids: [next[0]!.id], token: next[0]!.claimedAt });
  });

  it('never writes to a missing field: the row dies naming the field and the fix', async () => {
    await db.prisma.connection.update({ where: { id: connectionId }, data: { settings: { fieldMapping: { playbook: 'ai_playbook_missing' } } } });
    const target = contacts[10_600]!.remoteId;
    await queue([target], () => ({ ...scoreFields(5), playbook: 'nurture' }));
    sim.requests.clear();
    const result = await worker({ fieldCacheMs: 0 }).drainAll();
    await db.prisma.connection.update({ where: { id: connectionId }, data: { settings: {} } });
    expect(result.dead).toBe(1);
    const row = await db.prisma.writeBack.findFirstOrThrow({ where: { remoteId: target } });
    expect(row.lastError).toMatch(/ai_playbook_missing do not exist on contacts in HUBSPOT; run: context-layer fields ensure hs-out/);
    expect(sim.requests.list().filter((r) => r.method !== 'GET')).toEqual([]);
  });

  it('leaves writes for a paused connection waiting, not failed', async () => {
    const target = contacts[10_700]!.remoteId;
    await queue([target], () => scoreFields(9));
    await db.prisma.connection.update({ where: { id: connectionId }, data: { status: 'PAUSED' } });
    expect((await worker().drainOnce()).claimed).toBe(0);
    expect((await db.prisma.writeBack.findFirstOrThrow({ where: { remoteId: target } })).status).toBe('PENDING');
    await db.prisma.connection.update({ where: { id: connectionId }, data: { status: 'ACTIVE' } });
    expect((await worker().drainAll()).done).toBe(1);
  });
});
