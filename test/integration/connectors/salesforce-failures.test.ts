/**
 * How Salesforce failures surface through the engine: expired and refused sessions, the daily
 * limit (ours and Salesforce's), a broken query, crashes and transient 5xx — each ends in a
 * visible state, and a rerun completes with the store equal to the org.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSalesforceSimulator, type SalesforceSimulator } from '../../../src/simulators/salesforce/index.js';
import { syncConnection } from '../../../src/sync/connection-sync.js';
import { openCredentials } from '../../../src/connections/repository.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/db.js';
import { compareWithSimulator, createSyncFixture, storedHashes, ALL_KINDS, type SyncFixture } from './salesforce-helpers.js';

const REFRESH_TOKEN = 'refresh-token-for-tests';

let db: TestDatabase;
let sf: SalesforceSimulator;
const fixtures: SyncFixture[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  sf = await startSalesforceSimulator({ seed: 9, contacts: 250, credentials: { refreshTokens: [REFRESH_TOKEN] } });
});

beforeEach(() => {
  sf.faults.clear();
  sf.control.rejectRefreshedTokens(false);
  sf.control.resetDailyUsage();
  sf.control.setLimits({ dailyLimit: 100_000 });
});

afterEach(async () => {
  await Promise.all(fixtures.splice(0).map((f) => f.connector.close()));
});

afterAll(async () => {
  await sf?.close();
  await db?.close();
});

async function fixture(options: Parameters<typeof createSyncFixture>[2] = {}): Promise<SyncFixture> {
  const fx = await createSyncFixture(db, sf, options);
  fixtures.push(fx);
  return fx;
}

async function run(fx: SyncFixture, options: Parameters<typeof syncConnection>[3] = {}) {
  const outcomes = await syncConnection(fx.ctx, fx.connectionId, fx.connector, options);
  return Object.fromEntries(outcomes.map((o) => [o.stream, o]));
}

async function expectMirrorsOrg(fx: SyncFixture): Promise<void> {
  const { expected, actual } = await compareWithSimulator(sf, db, fx.connectionId);
  expect(actual).toEqual(expected);
}

const refreshCredentials = () => ({ kind: 'refresh_token', clientId: sf.credentials.clientId, clientSecret: sf.credentials.clientSecret, refreshToken: REFRESH_TOKEN });

describe('Salesforce sessions', () => {
  it('refreshes a session that expires mid-run, persists the new token, and finishes', async () => {
    const fx = await fixture({ credentials: refreshCredentials() });
    // The session dies on the 4th query: jsforce refreshes once and replays the call.
    sf.faults.add({ kind: 'expireToken', match: '/query', afterCalls: 3, count: 1 });
    const refreshesBefore = sf.control.refreshCount;
    const outcomes = await run(fx);
    for (const o of Object.values(outcomes)) expect(o.status, `${o.stream}: ${o.error}`).toBe('SUCCEEDED');
    expect(sf.control.refreshCount - refreshesBefore).toBe(2); // the first login, then the refresh on 401

    const connection = await db.prisma.connection.findUniqueOrThrow({ where: { id: fx.connectionId } });
    const stored = openCredentials(fx.secrets, connection);
    expect(stored).toMatchObject({ kind: 'refresh_token', refreshToken: REFRESH_TOKEN, instanceUrl: sf.instanceUrl });
    // The stored token is the refreshed one: the expired token was revoked, this one works.
    const probe = await fetch(`${sf.instanceUrl}/services/data/v61.0/sobjects`, { headers: { authorization: `Bearer ${String(stored.accessToken)}` } });
    expect(probe.status).toBe(200);
    await expectMirrorsOrg(fx);
  });

  it('stops with NEEDS_ATTENTION, without a refresh loop, when Salesforce refuses refreshed sessions', async () => {
    const fx = await fixture({ credentials: refreshCredentials() });
    sf.control.rejectRefreshedTokens(true);
    const refreshesBefore = sf.control.refreshCount;
    const outcomes = await run(fx);
    expect(outcomes.User!.status).toBe('FAILED');
    expect(outcomes.User!.error).toMatch(/\[SALESFORCE auth INVALID_SESSION_ID \(HTTP 401\)\]/);
    expect(outcomes.User!.connectionBlocked).toBe(true);
    for (const name of ['Account', 'Lead', 'Task']) expect(outcomes[name]!.status).toBe('SKIPPED');
    // One refresh grant for the login; the token it gave is refused and never refreshed again.
    expect(sf.control.refreshCount - refreshesBefore).toBe(1);
    const connection = await db.prisma.connection.findUniqueOrThrow({ where: { id: fx.connectionId } });
    expect(connection.status).toBe('NEEDS_ATTENTION');
    expect(connection.statusReason).toMatch(/SALESFORCE auth/);
    const run1 = await db.prisma.syncRun.findFirstOrThrow({ where: { connectionId: fx.connectionId, objectType: 'User' } });
    expect(run1.status).toBe('FAILED');
  });
});

describe('Salesforce limits', () => {
  it('pauses on our daily budget mid-run and resumes to completion after the reset', async () => {
    let clock = Date.now();
    const fx = await fixture({ connector: { now: () => clock, settings: { limitResetEstimateMs: 3_600_000 } } });
    // 80% of 20 = 16 calls: a full sync needs more, so the budget runs out mid-run.
    sf.control.setLimits({ dailyLimit: 20 });
    const first = await run(fx);
    const paused = Object.values(first).find((o) => o.status === 'FAILED')!;
    expect(paused.error).toMatch(/limit_exhausted DAILY_BUDGET/);
    expect(Object.values(first).filter((o) => o.status === 'SUCCEEDED').length).toBeGreaterThan(0);
    expect(sf.control.apiUsage().used).toBeLessThanOrEqual(17); // we stopped at our share (plus the call that crossed it)
    const connection = await db.prisma.connection.findUniqueOrThrow({ where: { id: fx.connectionId } });
    expect(connection.pausedUntil!.getTime()).toBe(clock + 3_600_000);
    const state = await db.prisma.syncState.findFirstOrThrow({ where: { connectionId: fx.connectionId, objectType: paused.stream } });
    expect(state.status).toBe('PAUSED');

    // While paused, the engine does not call Salesforce at all.
    const skipped = await run(fx);
    for (const o of Object.values(skipped)) expect(o.status).toBe('SKIPPED');

    // A new day: Salesforce's counter restarts, our clock passes the pause.
    sf.control.resetDailyUsage();
    sf.control.setLimits({ dailyLimit: 100_000 });
    clock += 3_600_000;
    await db.prisma.connection.update({ where: { id: fx.connectionId }, data: { pausedUntil: new Date(Date.now() - 1000) } });
    const resumed = await run(fx);
    for (const o of Object.values(resumed)) expect(o.status, `${o.stream}: ${o.error}`).toBe('SUCCEEDED');
    await expectMirrorsOrg(fx);
  });

  it('treats REQUEST_LIMIT_EXCEEDED from Salesforce as an exhausted limit that pauses the connection', async () => {
    const fx = await fixture();
    sf.faults.add({ kind: 'rateLimit', match: '/queryAll', afterCalls: 2, count: 1 });
    const outcomes = await run(fx);
    const failed = Object.values(outcomes).find((o) => o.status === 'FAILED')!;
    expect(failed.error).toMatch(/\[SALESFORCE limit_exhausted REQUEST_LIMIT_EXCEEDED \(HTTP 403\)\] TotalRequests Limit exceeded/);
    const connection = await db.prisma.connection.findUniqueOrThrow({ where: { id: fx.connectionId } });
    expect(connection.pausedUntil!.getTime()).toBeGreaterThan(Date.now());
    expect(fx.connector.stats().rateLimited).toBe(1);
  });
});

describe('Salesforce errors and crashes', () => {
  it('reports a broken query (a bad extra field setting) as a clear SyncRun error and syncs the other streams', async () => {
    const fx = await fixture({ connector: { settings: { extraFields: { Contact: ['Name,,Email'] } } } });
    const outcomes = await run(fx);
    expect(outcomes.Contact!.status).toBe('FAILED');
    expect(outcomes.Contact!.connectionBlocked).toBe(false);
    const contactRun = await db.prisma.syncRun.findFirstOrThrow({ where: { connectionId: fx.connectionId, objectType: 'Contact' } });
    expect(contactRun.error).toMatch(/^\[SALESFORCE validation MALFORMED_QUERY \(HTTP 400\)\]/);
    for (const name of ['User', 'Account', 'Lead', 'Opportunity', 'Task', 'Event']) expect(outcomes[name]!.status).toBe('SUCCEEDED');
    expect((await db.prisma.connection.findUniqueOrThrow({ where: { id: fx.connectionId } })).status).toBe('ACTIVE');
  });

  it('a crash mid-sync and a rerun give exactly what an uninterrupted sync gives', async () => {
    const clean = await fixture();
    await run(clean);

    const crashed = await fixture();
    const interrupted = await run(crashed, {
      onProgress: (progress) => {
        if (progress.stream === 'Task' && progress.pages === 1) throw new Error('process killed');
      },
    });
    expect(interrupted.Task!.status).toBe('FAILED');
    // Then Salesforce fails a page mid-pagination: retries run out and that run fails too.
    sf.faults.add({ kind: 'status', status: 503, match: '/query(All)?/01g', count: 8 });
    const faulted = await run(crashed);
    expect(Object.values(faulted).some((o) => o.error?.includes('[SALESFORCE server SERVER_UNAVAILABLE (HTTP 503)]'))).toBe(true);
    sf.faults.clear();
    const rerun = await run(crashed);
    for (const o of Object.values(rerun)) expect(o.status, `${o.stream}: ${o.error}`).toBe('SUCCEEDED');

    for (const kind of ALL_KINDS) {
      expect(await storedHashes(db, crashed.connectionId, kind), kind).toEqual(await storedHashes(db, clean.connectionId, kind));
    }
    await expectMirrorsOrg(crashed);
  });

  it('rides out transient 5xx answers with retries', async () => {
    const fx = await fixture({ connector: { settings: { backoff: { transientRetries: 6, transientBaseMs: 1, rateLimitBaseMs: 1, rateLimitMaxMs: 20 } } } });
    sf.faults.add({ kind: 'status', status: 503, match: '/query', rate: 0.2 });
    const outcomes = await run(fx);
    for (const o of Object.values(outcomes)) expect(o.status, `${o.stream}: ${o.error}`).toBe('SUCCEEDED');
    const runs = await db.prisma.syncRun.findMany({ where: { connectionId: fx.connectionId } });
    const calls = runs.reduce((n, r) => n + r.apiCalls, 0);
    const pages = runs.reduce((n, r) => n + r.pages, 0);
    expect(calls).toBeGreaterThan(pages + runs.length); // the retried 503s were counted as calls
    await expectMirrorsOrg(fx);
  });
});
