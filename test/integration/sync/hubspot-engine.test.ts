import { isDeepStrictEqual } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CrmConnector } from '../../../src/connectors/types.js';
import { startHubspotSimulator, type HubspotSimulator } from '../../../src/simulators/hubspot/index.js';
import { syncConnection } from '../../../src/sync/connection-sync.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/db.js';
import { simulatorContacts, storedContacts } from '../../helpers/hubspot-store.js';
import { connectorFor, quietLogger } from '../connectors/hubspot-helpers.js';

/** The HubSpot connector through the sync engine into a real Postgres. */
describe('HubSpot sync through the engine', () => {
  let db: TestDatabase;
  let sim: HubspotSimulator;
  let connector: CrmConnector;
  let connectionId: string;
  const ctx = () => ({ db, logger: quietLogger });

  beforeAll(async () => {
    db = await createTestDatabase();
    sim = await startHubspotSimulator({ seed: 3, contacts: 20_000, rateLimit: false });
    connector = connectorFor(sim);
    connectionId = (await db.prisma.connection.create({ data: { provider: 'HUBSPOT', name: 'hs', credentials: 'unused' } })).id;
  });
  afterAll(async () => {
    await connector?.close();
    await sim?.close();
    await db?.close();
  });

  it('a full sync of a 20,000-contact world equals the simulator, field by field', async () => {
    const outcomes = await syncConnection(ctx(), connectionId, connector, { streams: ['companies', 'contacts', 'owners'] });
    expect(Object.fromEntries(outcomes.map((o) => [o.stream, o.status]))).toEqual({ companies: 'SUCCEEDED', contacts: 'SUCCEEDED', owners: 'SUCCEEDED' });
    const stored = await storedContacts(db, connectionId);
    expect(stored.length).toBe(sim.store.count('contacts'));
    expect(stored.length).toBeGreaterThan(15_000);
    expect(stored).toEqual(await simulatorContacts(db, connectionId, sim, connector));
    const run = await db.prisma.syncRun.findFirstOrThrow({ where: { connectionId, objectType: 'contacts' } });
    expect(run).toMatchObject({ status: 'SUCCEEDED', phase: 'FULL', recordsSeen: stored.length, recordsWritten: stored.length, errorCount: 0 });
    expect(run.apiCalls).toBeGreaterThanOrEqual(Math.ceil(stored.length / 100));
    const state = await db.prisma.syncState.findFirstOrThrow({ where: { connectionId, objectType: 'contacts' } });
    expect(state).toMatchObject({ phase: 'INCREMENTAL', status: 'IDLE', lastError: null });
    const fieldDefs = await db.prisma.fieldDef.count({ where: { connectionId, objectType: 'contacts' } });
    expect(fieldDefs).toBeGreaterThan(10);
  });

  it('an incremental sync picks up edits, creations, deletes, restores and merges; a full pass picks up association-only changes', async () => {
    const ids = sim.store.allRecords('contacts').map((r) => r.id);
    const companies = sim.store.allRecords('companies').map((r) => r.id);
    const [edited, archived, primary, merged, relinked] = [ids[5]!, ids[6]!, ids[7]!, ids[8]!, ids[9]!];
    sim.control.update('contacts', edited, { jobtitle: 'VP Sales', hs_lead_status: 'CONNECTED' });
    sim.control.archive('contacts', archived);
    const created = sim.control.create('contacts', { email: 'ZOE.OBRIEN@EXAMPLE.COM', firstname: 'Zoë', lastname: "O'Brien" });
    sim.control.merge('contacts', primary, merged);
    const newCompany = companies.find((c) => !sim.store.associations.targets('contacts', relinked, 'companies').has(c))!;
    sim.control.associate('contacts', relinked, 'companies', newCompany, { primary: true });

    const outcomes = await syncConnection(ctx(), connectionId, connector, { streams: ['contacts'] });
    expect(outcomes[0]).toMatchObject({ status: 'SUCCEEDED' });
    // HubSpot's search does not see a change to associations alone (lastmodifieddate stays put):
    // webhooks deliver those at once (see webhooks.test.ts), and the periodic full pass catches up.
    const links = () => db.prisma.association.findMany({ where: { connectionId, fromKind: 'CONTACT', fromRemoteId: relinked } });
    expect((await links()).map((l) => l.toRemoteId)).not.toContain(newCompany);
    await syncConnection(ctx(), connectionId, connector, { streams: ['contacts'], full: true });
    expect((await links()).map((l) => l.toRemoteId)).toContain(newCompany);
    const stored = await storedContacts(db, connectionId);
    const expected = await simulatorContacts(db, connectionId, sim, connector);
    const simulatorById = new Map(expected.map((c) => [c.remoteId, c]));
    const storedIds = new Set(stored.map((c) => c.remoteId));
    const differing = stored.filter((c) => !isDeepStrictEqual(c, simulatorById.get(c.remoteId))).map((c) => ({ stored: c, simulator: simulatorById.get(c.remoteId) }));
    expect(differing).toEqual([]);
    expect(expected.filter((c) => !storedIds.has(c.remoteId))).toEqual([]);
    expect(stored).toEqual(expected);
    const byId = new Map(stored.map((c) => [c.remoteId, c]));
    expect(byId.get(edited)).toMatchObject({ title: 'VP Sales', leadStatus: 'CONNECTED', leadStatusLabel: 'Connected' });
    expect(byId.get(archived)?.deleted).toBe(true);
    expect(byId.get(created.id)).toMatchObject({ email: 'zoe.obrien@example.com', firstName: 'Zoë', lastName: "O'Brien" });
    const mergedRow = await db.prisma.contact.findFirstOrThrow({ where: { connectionId, remoteId: merged } });
    expect(mergedRow).toMatchObject({ mergedIntoRemoteId: primary });
    expect(mergedRow.deletedAt).not.toBeNull();

    sim.control.restore('contacts', archived);
    await syncConnection(ctx(), connectionId, connector, { streams: ['contacts'] });
    expect((await storedContacts(db, connectionId)).find((c) => c.remoteId === archived)?.deleted).toBe(false);
  });

  it('does not rewrite unchanged records on a re-run', async () => {
    const before = await db.prisma.contact.aggregate({ where: { connectionId }, _max: { updatedAt: true } });
    const [outcome] = await syncConnection(ctx(), connectionId, connector, { streams: ['contacts'] });
    expect(outcome!.progress.recordsWritten).toBe(0);
    const after = await db.prisma.contact.aggregate({ where: { connectionId }, _max: { updatedAt: true } });
    expect(after._max.updatedAt).toEqual(before._max.updatedAt);
  });

  it('re-reads what the last read may have missed (search indexes late), and stops once the object is quiet', async () => {
    const ids = sim.store.allRecords('contacts').filter((r) => !r.archived).map((r) => r.id);
    sim.control.update('contacts', ids[20]!, { jobtitle: 'Overlap A' });
    await new Promise((resolve) => setTimeout(resolve, 20));
    sim.control.update('contacts', ids[21]!, { jobtitle: 'Overlap B' });
    // "Hours later" for both clocks: ours and the one HubSpot reports (see CrmClock).
    const runAt = async (hoursAhead: number) => {
      sim.control.setClockOffset(hoursAhead * 3_600_000);
      const clocked = connectorFor(sim, { now: () => Date.now() + hoursAhead * 3_600_000 });
      try {
        const [outcome] = await syncConnection(ctx(), connectionId, clocked, { streams: ['contacts'] });
        expect(outcome!.status).toBe('SUCCEEDED');
        return outcome!.progress;
      } finally {
        sim.control.setClockOffset(0);
        await clocked.close();
      }
    };
    expect((await runAt(0)).recordsWritten).toBe(2);
    // Within the overlap (5 minutes) of the last read, both (and the earlier tests' recent
    // changes) are read again, never rewritten.
    for (const hoursAhead of [0, 1]) {
      const progress = await runAt(hoursAhead);
      expect(progress.recordsSeen).toBeGreaterThanOrEqual(2);
      expect(progress.recordsWritten).toBe(0);
    }
    // An hour after that read, only the cursor's own instant is read (B): the window has closed.
    expect(await runAt(2)).toMatchObject({ recordsSeen: 1, recordsWritten: 0 });
  });

  it("keeps its overlap when our clock runs ahead of HubSpot's: cursors take HubSpot's time from its Date headers", async () => {
    const ids = sim.store.allRecords('contacts').filter((r) => !r.archived).map((r) => r.id);
    const ahead = connectorFor(sim, { now: () => Date.now() + 10 * 60_000 }); // twice the overlap
    const jobtitleOf = async (remoteId: string) => (await db.prisma.contact.findFirstOrThrow({ where: { connectionId, remoteId } })).title;
    try {
      await syncConnection(ctx(), connectionId, ahead, { streams: ['contacts'] }); // FULL when run alone
      const readNow = sim.control.update('contacts', ids[30]!, { jobtitle: 'Read now' });
      await syncConnection(ctx(), connectionId, ahead, { streams: ['contacts'] });
      expect(await jobtitleOf(ids[30]!)).toBe('Read now');
      // An edit HubSpot stamped a minute before the one just read, which its search indexed only after that read.
      sim.control.update('contacts', ids[31]!, { jobtitle: 'Indexed late' }, readNow.updatedAt - 60_000);
      const [outcome] = await syncConnection(ctx(), connectionId, ahead, { streams: ['contacts'] });
      expect(outcome!.status).toBe('SUCCEEDED');
      expect(await jobtitleOf(ids[31]!)).toBe('Indexed late');
    } finally {
      await ahead.close();
    }
  });

  it('runs a FULL pass when a clock ahead of HubSpot stamped the cursor in the future, losing nothing since', async () => {
    const ids = sim.store.allRecords('contacts').filter((r) => !r.archived).map((r) => r.id);
    await syncConnection(ctx(), connectionId, connector, { streams: ['contacts'] }); // FULL when run alone
    const state = await db.prisma.syncState.findFirstOrThrow({ where: { connectionId, objectType: 'contacts' } });
    const future = new Date(Date.now() + 3_600_000).toISOString();
    // As an earlier version running an hour ahead left it.
    await db.prisma.syncState.update({ where: { id: state.id }, data: { cursor: { ...(state.cursor as object), since: future, readAt: future } } });
    sim.control.update('contacts', ids[32]!, { jobtitle: 'Changed after the skewed run' });
    // Later than the Date header's rounding: the edit must not depend on landing right at "now".
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const [outcome] = await syncConnection(ctx(), connectionId, connector, { streams: ['contacts'] });
    expect(outcome!.progress.recordsSeen).toBe(sim.store.count('contacts'));
    expect((await db.prisma.contact.findFirstOrThrow({ where: { connectionId, remoteId: ids[32]! } })).title).toBe('Changed after the skewed run');
  });

  it('repeats the FULL pass when the last one is older than fullAfterMs', async () => {
    const latestPhase = async () =>
      (await db.prisma.syncRun.findFirstOrThrow({ where: { connectionId, objectType: 'companies' }, orderBy: { startedAt: 'desc' } })).phase;
    await syncConnection(ctx(), connectionId, connector, { streams: ['companies'], fullAfterMs: 3_600_000 });
    expect(await latestPhase()).toBe('INCREMENTAL');
    await syncConnection(ctx(), connectionId, connector, { streams: ['companies'], fullAfterMs: 0 });
    expect(await latestPhase()).toBe('FULL');
  });

  it('runs one stream in one place at a time: a concurrent run is skipped', async () => {
    const [a, b] = await Promise.all([
      syncConnection(ctx(), connectionId, connector, { streams: ['companies'], full: true }),
      syncConnection(ctx(), connectionId, connector, { streams: ['companies'], full: true }),
    ]);
    expect([a![0]!.status, b![0]!.status].sort()).toEqual(['SKIPPED', 'SUCCEEDED']);
  });

  it('marks the connection NEEDS_ATTENTION on a 403 and skips its other streams', async () => {
    const fault = sim.faults.add({ match: '^GET /crm/v3/properties/deals', kind: 'status', status: 403 });
    const outcomes = await syncConnection(ctx(), connectionId, connector, { streams: ['deals', 'owners'] });
    sim.faults.remove(fault.id);
    expect(outcomes.map((o) => o.status)).toEqual(['FAILED', 'SKIPPED']);
    const connection = await db.prisma.connection.findUniqueOrThrow({ where: { id: connectionId } });
    expect(connection.status).toBe('NEEDS_ATTENTION');
    const run = await db.prisma.syncRun.findFirstOrThrow({ where: { connectionId, objectType: 'deals' }, orderBy: { startedAt: 'desc' } });
    expect(run.status).toBe('FAILED');
    expect(run.error).toMatch(/HUBSPOT forbidden.*403/);
    await db.prisma.connection.update({ where: { id: connectionId }, data: { status: 'ACTIVE', statusReason: null } });
  });
});
