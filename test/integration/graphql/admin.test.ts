import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHubspotConnector } from '../../../src/connectors/hubspot/index.js';
import type { CrmConnector } from '../../../src/connectors/types.js';
import { operationLabeler } from '../../../src/graphql/metrics-plugin.js';
import { createLogger } from '../../../src/log.js';
import { Metrics } from '../../../src/metrics.js';
import { DEFAULT_PRIVATE_APP_TOKEN } from '../../../src/simulators/hubspot/auth.js';
import { startHubspotSimulator, type HubspotSimulator } from '../../../src/simulators/hubspot/index.js';
import { startScheduler, type Scheduler } from '../../../src/sync/scheduler.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/db.js';
import { startGraphqlServer, type GraphqlTestServer } from '../../helpers/graphql-server.js';
import { createStoreFixtures, hoursAgo, type SeededConnection, type StoreFixtures } from '../../helpers/store-fixtures.js';

const CONNECTIONS = `query AdminConnections {
  connections {
    id name provider status statusReason pausedUntil createdAt updatedAt
    lastSync { id objectType phase status startedAt finishedAt recordsWritten error connection { id name } }
    lastError lastErrorAt
    streams { objectType phase status stageStartedAt lastSuccessAt lastError }
  }
}`;

const SYNC_RUNS = `query($filter: SyncRunFilter, $first: Int, $after: String) {
  syncRuns(filter: $filter, first: $first, after: $after) {
    edges { cursor }
    nodes { id connection { id } objectType phase status startedAt recordsSeen recordsWritten apiCalls error }
    pageInfo { hasNextPage endCursor }
  }
}`;

const INBOX = `{ webhookInbox { pending oldestPendingReceivedAt providers { provider pending processed failed oldestPendingReceivedAt } } }`;
const TRIGGER = `mutation($id: ID!, $mode: SyncMode, $objects: [String!]) { triggerSync(connectionId: $id, mode: $mode, objects: $objects) { started reason } }`;
const PAUSE = `mutation($id: ID!) { pauseConnection(id: $id) { id status statusReason pausedUntil } }`;
const RESUME = `mutation($id: ID!) { resumeConnection(id: $id) { id status statusReason pausedUntil } }`;

interface AdminConnection {
  id: string;
  name: string;
  provider: string;
  status: string;
  statusReason: string | null;
  pausedUntil: string | null;
  lastSync: { id: string; objectType: string; phase: string; status: string; recordsWritten: number; error: string | null; connection: { id: string; name: string } } | null;
  lastError: string | null;
  lastErrorAt: string | null;
  streams: { objectType: string; phase: string; status: string; lastSuccessAt: string | null; lastError: string | null }[];
}

interface SyncRunNode {
  id: string;
  connection: { id: string };
  objectType: string;
  phase: string;
  status: string;
  startedAt: string;
  recordsSeen: number;
  recordsWritten: number;
  apiCalls: number;
  error: string | null;
}

const logger = createLogger({ level: 'silent' });

let db: TestDatabase;
let sim: HubspotSimulator;
let metrics: Metrics;
let scheduler: Scheduler;
let api: GraphqlTestServer;
let noScheduler: GraphqlTestServer;
let admin: string;
let fx: StoreFixtures;
const connectors: CrmConnector[] = [];
/** Held by a test to keep a triggered run "running" until it lets go. */
let gate: Promise<void> = Promise.resolve();

beforeAll(async () => {
  db = await createTestDatabase();
  sim = await startHubspotSimulator({ seed: 11, contacts: 40, rateLimit: false });
  metrics = new Metrics(db);
  scheduler = startScheduler({
    ctx: { db, logger },
    connectorFor: async () => {
      await gate;
      const connector = createHubspotConnector({
        credentials: { kind: 'private_app', token: DEFAULT_PRIVATE_APP_TOKEN },
        settings: { baseUrl: sim.url },
        logger,
      });
      connectors.push(connector);
      return connector;
    },
    // Never on its own during the test: only triggerSync starts runs, and seeded inbox rows stay put.
    defaultCron: '0 0 1 1 *',
    fullResyncAfterMs: 24 * 3_600_000,
    inbox: { handlers: {} },
    inboxIntervalMs: 3_600_000,
  });
  api = await startGraphqlServer(db, {}, { metrics, scheduler });
  noScheduler = await startGraphqlServer(db);
  admin = await api.key('admin');
  fx = createStoreFixtures(db.prisma);
});

afterAll(async () => {
  await scheduler?.stop();
  await Promise.all(connectors.map((c) => c.close()));
  await api?.close();
  await noScheduler?.close();
  await sim?.close();
  await db?.close();
});

async function query<T>(text: string, variables?: Record<string, unknown>, key = admin): Promise<T> {
  const res = await api.request<T>(key, text, variables);
  expect(res.errors).toBeUndefined();
  return res.data!;
}

async function connectionNamed(name: string): Promise<AdminConnection> {
  const found = (await query<{ connections: AdminConnection[] }>(CONNECTIONS)).connections.find((c) => c.name === name);
  if (!found) throw new Error(`no connection ${name} in the answer`);
  return found;
}

/** Polls until `check` returns a value; triggered syncs run in the background. */
async function eventually<T>(check: () => Promise<T | null | undefined>, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('admin scope', () => {
  it('answers FORBIDDEN naming admin for every admin operation to a key without it', async () => {
    const key = await api.key('scores:write', 'contacts:read', 'context:read');
    const id = (await fx.connection('HUBSPOT')).id;
    for (const [text, variables] of [
      [CONNECTIONS, {}],
      [SYNC_RUNS, {}],
      [INBOX, {}],
      [TRIGGER, { id }],
      [PAUSE, { id }],
      [RESUME, { id }],
    ] as const) {
      const res = await api.request(key, text, variables);
      expect(res.errors?.[0]?.extensions, text).toMatchObject({ code: 'FORBIDDEN', scope: 'admin' });
    }
    expect((await db.prisma.connection.findUniqueOrThrow({ where: { id } })).status).toBe('ACTIVE');
  });
});

describe('connections', () => {
  let seeded: SeededConnection;
  let failedRun: Awaited<ReturnType<StoreFixtures['syncRun']>>;
  let latestRun: Awaited<ReturnType<StoreFixtures['syncRun']>>;
  const pausedUntil = hoursAgo(-2);

  beforeAll(async () => {
    seeded = await fx.connection('SALESFORCE', 'seeded-salesforce');
    await db.prisma.connection.update({
      where: { id: seeded.id },
      data: { status: 'NEEDS_ATTENTION', statusReason: 'SALESFORCE auth: expired refresh token', pausedUntil },
    });
    await fx.syncRun(seeded, { objectType: 'Lead', status: 'SUCCEEDED', startedAt: hoursAgo(30), recordsWritten: 10 });
    failedRun = await fx.syncRun(seeded, { objectType: 'Contact', status: 'FAILED', startedAt: hoursAgo(20), error: 'INVALID_SESSION_ID' });
    latestRun = await fx.syncRun(seeded, { objectType: 'Lead', phase: 'INCREMENTAL', status: 'SUCCEEDED', startedAt: hoursAgo(1), finishedAt: hoursAgo(0.9), recordsWritten: 3 });
    await fx.syncState(seeded, 'Lead', { phase: 'INCREMENTAL', status: 'IDLE', lastSuccessAt: latestRun.finishedAt });
    await fx.syncState(seeded, 'Contact', { phase: 'FULL', status: 'FAILED', lastError: 'INVALID_SESSION_ID' });
  });

  it('shows status, the latest run, the latest failure and each stream', async () => {
    const c = await connectionNamed('seeded-salesforce');
    expect(c).toMatchObject({
      id: seeded.id,
      provider: 'SALESFORCE',
      status: 'NEEDS_ATTENTION',
      statusReason: 'SALESFORCE auth: expired refresh token',
      pausedUntil: pausedUntil.toISOString(),
      lastError: 'INVALID_SESSION_ID',
      lastErrorAt: failedRun.startedAt.toISOString(),
    });
    expect(c.lastSync).toEqual({
      id: latestRun.id,
      objectType: 'Lead',
      phase: 'INCREMENTAL',
      status: 'SUCCEEDED',
      startedAt: latestRun.startedAt.toISOString(),
      finishedAt: latestRun.finishedAt!.toISOString(),
      recordsWritten: 3,
      error: null,
      connection: { id: seeded.id, name: 'seeded-salesforce' },
    });
    expect(c.streams).toEqual([
      { objectType: 'Contact', phase: 'FULL', status: 'FAILED', stageStartedAt: null, lastSuccessAt: null, lastError: 'INVALID_SESSION_ID' },
      { objectType: 'Lead', phase: 'INCREMENTAL', status: 'IDLE', stageStartedAt: null, lastSuccessAt: latestRun.finishedAt!.toISOString(), lastError: null },
    ]);
  });

  it('answers a never-synced connection with empty history', async () => {
    await fx.connection('HUBSPOT', 'fresh-hubspot');
    expect(await connectionNamed('fresh-hubspot')).toMatchObject({ status: 'ACTIVE', lastSync: null, lastError: null, lastErrorAt: null, streams: [] });
  });

  it('lists connections by name', async () => {
    const names = (await query<{ connections: AdminConnection[] }>(CONNECTIONS)).connections.map((c) => c.name);
    expect(names).toEqual([...names].sort());
    expect(names).toEqual(expect.arrayContaining(['fresh-hubspot', 'seeded-salesforce']));
  });
});

describe('syncRuns', () => {
  let connection: SeededConnection;
  const runs: Awaited<ReturnType<StoreFixtures['syncRun']>>[] = [];

  beforeAll(async () => {
    connection = await fx.connection('HUBSPOT', 'runs-hubspot');
    const same = hoursAgo(5);
    for (let i = 0; i < 6; i++) {
      runs.push(
        await fx.syncRun(connection, {
          objectType: i % 2 ? 'deals' : 'contacts',
          status: i === 4 ? 'FAILED' : 'SUCCEEDED',
          error: i === 4 ? 'HUBSPOT server: 502' : null,
          // Three runs share one start instant: the id breaks the tie.
          startedAt: i < 3 ? same : hoursAgo(i),
          recordsSeen: i,
          apiCalls: i + 1,
        }),
      );
    }
  });

  it('pages newest first without gaps or repeats', async () => {
    const seen: SyncRunNode[] = [];
    let after: string | null = null;
    do {
      const page: { syncRuns: { nodes: SyncRunNode[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } } = await query(SYNC_RUNS, {
        filter: { connectionId: connection.id },
        first: 4,
        after,
      });
      seen.push(...page.syncRuns.nodes);
      after = page.syncRuns.pageInfo.hasNextPage ? page.syncRuns.pageInfo.endCursor : null;
    } while (after);
    const expected = [...runs].sort((a, b) => b.startedAt.getTime() - a.startedAt.getTime() || (a.id < b.id ? 1 : -1));
    expect(seen.map((r) => r.id)).toEqual(expected.map((r) => r.id));
    expect(seen[0]).toMatchObject({ connection: { id: connection.id }, recordsSeen: expected[0]!.recordsSeen, apiCalls: expected[0]!.apiCalls });
  });

  it('filters by status and object', async () => {
    const failed = await query<{ syncRuns: { nodes: SyncRunNode[] } }>(SYNC_RUNS, { filter: { connectionId: connection.id, status: 'FAILED' } });
    expect(failed.syncRuns.nodes.map((r) => [r.objectType, r.status, r.error])).toEqual([['contacts', 'FAILED', 'HUBSPOT server: 502']]);
    const deals = await query<{ syncRuns: { nodes: SyncRunNode[] } }>(SYNC_RUNS, { filter: { connectionId: connection.id, objectType: 'deals' } });
    expect(deals.syncRuns.nodes.map((r) => r.id).sort()).toEqual(runs.filter((r) => r.objectType === 'deals').map((r) => r.id).sort());
  });

  it('rejects a bad status and a bad cursor', async () => {
    const status = await api.request(admin, SYNC_RUNS, { filter: { status: 'DONE' } });
    expect(status.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter.status' });
    const cursor = await api.request(admin, SYNC_RUNS, { after: 'x' });
    expect(cursor.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  });
});

describe('webhookInbox', () => {
  it('counts events per CRM and status, with the oldest waiting one', async () => {
    const before = (await query<{ webhookInbox: { pending: number } }>(INBOX)).webhookInbox;
    expect(before.pending).toBe(0);
    const oldest = hoursAgo(3);
    await fx.webhookEvent('HUBSPOT', { receivedAt: hoursAgo(1) });
    await fx.webhookEvent('HUBSPOT', { receivedAt: oldest });
    await fx.webhookEvent('HUBSPOT', { status: 'PROCESSED', receivedAt: hoursAgo(10), processedAt: hoursAgo(9) });
    await fx.webhookEvent('HUBSPOT', { status: 'FAILED', receivedAt: hoursAgo(12), error: 'no connection matches this event' });
    const salesforceWaiting = hoursAgo(2);
    await fx.webhookEvent('SALESFORCE', { receivedAt: salesforceWaiting });

    const inbox = (await query<{ webhookInbox: unknown }>(INBOX)).webhookInbox;
    expect(inbox).toEqual({
      pending: 3,
      oldestPendingReceivedAt: oldest.toISOString(),
      providers: [
        { provider: 'HUBSPOT', pending: 2, processed: 1, failed: 1, oldestPendingReceivedAt: oldest.toISOString() },
        { provider: 'SALESFORCE', pending: 1, processed: 0, failed: 0, oldestPendingReceivedAt: salesforceWaiting.toISOString() },
      ],
    });
  });
});

describe('retryWebhookEvents', () => {
  const RETRY = `mutation($connectionId: ID, $errorContains: String) { retryWebhookEvents(connectionId: $connectionId, errorContains: $errorContains) }`;

  it("queues a connection's FAILED events matching the text again, leaving unmatched and other events alone", async () => {
    const connection = await fx.connection('HUBSPOT', 'inbox-retry');
    const outage = await fx.webhookEvent('HUBSPOT', { connectionId: connection.id, status: 'FAILED', attempts: 20, error: '[HUBSPOT server] 503 Service Unavailable' });
    const other = await fx.webhookEvent('HUBSPOT', { connectionId: connection.id, status: 'FAILED', attempts: 20, error: 'contacts 5 could not be normalized: bad phone' });
    const unmatched = await fx.webhookEvent('HUBSPOT', { status: 'FAILED', error: '[HUBSPOT server] 503 but no connection matches' });
    // Matched as written: "%" and "_" are not wildcards.
    expect(await query(RETRY, { connectionId: connection.id, errorContains: '50_' })).toEqual({ retryWebhookEvents: 0 });
    expect(await query(RETRY, { connectionId: connection.id, errorContains: '503 service' })).toEqual({ retryWebhookEvents: 1 });
    const rows = await db.prisma.webhookEvent.findMany({ where: { id: { in: [outage.id, other.id, unmatched.id] } } });
    expect(Object.fromEntries(rows.map((r) => [r.id, [r.status, r.attempts]]))).toEqual({
      [outage.id]: ['PENDING', 0],
      [other.id]: ['FAILED', 20],
      [unmatched.id]: ['FAILED', 0],
    });
  });

  it('answers BAD_USER_INPUT for a malformed id or an empty text, and FORBIDDEN without the admin scope', async () => {
    const malformed = await api.request(admin, RETRY, { connectionId: 'x' });
    expect(malformed.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'connectionId' });
    const empty = await api.request(admin, RETRY, { errorContains: '  ' });
    expect(empty.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'errorContains' });
    const forbidden = await api.request(await api.key('contacts:read'), RETRY, {});
    expect(forbidden.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN' });
  });
});

describe('triggerSync, pauseConnection, resumeConnection', () => {
  let hubspot: SeededConnection;

  beforeAll(async () => {
    hubspot = await fx.connection('HUBSPOT', 'sim-hubspot');
  });

  const runsOf = async (connectionId: string) =>
    (await query<{ syncRuns: { nodes: SyncRunNode[] } }>(SYNC_RUNS, { filter: { connectionId } })).syncRuns.nodes;

  it('starts a real sync through the scheduler; it shows up as a SyncRun; a second trigger meanwhile is refused', async () => {
    let release!: () => void;
    gate = new Promise<void>((resolve) => (release = resolve));
    const first = await query<{ triggerSync: { started: boolean; reason: string | null } }>(TRIGGER, { id: hubspot.id, mode: 'FULL', objects: ['contacts'] });
    expect(first.triggerSync).toEqual({ started: true, reason: null });
    // The run waits at the gate, so it is certainly still running.
    const second = await query<{ triggerSync: { started: boolean; reason: string | null } }>(TRIGGER, { id: hubspot.id });
    expect(second.triggerSync).toEqual({ started: false, reason: 'already running' });
    release();

    const run = await eventually(async () => (await runsOf(hubspot.id)).find((r) => r.status === 'SUCCEEDED'), 'the triggered run to succeed');
    expect(run).toMatchObject({ objectType: 'contacts', phase: 'FULL', status: 'SUCCEEDED', error: null });
    const contacts = sim.store.count('contacts');
    expect(contacts).toBeGreaterThan(0);
    expect(run.recordsWritten).toBe(contacts);
    expect(run.apiCalls).toBeGreaterThan(0);
    expect(await db.prisma.contact.count({ where: { connectionId: hubspot.id } })).toBe(contacts);
    // Only the asked-for object ran.
    expect((await runsOf(hubspot.id)).map((r) => r.objectType)).toEqual(['contacts']);
    expect((await connectionNamed('sim-hubspot')).lastSync).toMatchObject({ id: run.id, status: 'SUCCEEDED' });
  });

  it('pause makes triggerSync answer started:false with the reason; resume makes it sync again', async () => {
    const paused = await query<{ pauseConnection: { status: string; statusReason: string } }>(PAUSE, { id: hubspot.id });
    expect(paused.pauseConnection.status).toBe('PAUSED');
    expect(paused.pauseConnection.statusReason).toContain('paused through the admin API');
    const refused = await query<{ triggerSync: { started: boolean; reason: string } }>(TRIGGER, { id: hubspot.id, objects: ['owners'] });
    expect(refused.triggerSync).toEqual({ started: false, reason: 'the connection is paused' });

    const resumed = await query<{ resumeConnection: unknown }>(RESUME, { id: hubspot.id });
    expect(resumed.resumeConnection).toEqual({ id: hubspot.id, status: 'ACTIVE', statusReason: null, pausedUntil: null });
    const started = await query<{ triggerSync: { started: boolean } }>(TRIGGER, { id: hubspot.id, objects: ['owners'] });
    expect(started.triggerSync.started).toBe(true);
    const run = await eventually(async () => (await runsOf(hubspot.id)).find((r) => r.objectType === 'owners' && r.status !== 'RUNNING'), 'the owners run');
    expect(run).toMatchObject({ status: 'SUCCEEDED', phase: 'FULL' });
  });

  it('resume recovers a NEEDS_ATTENTION connection and clears pausedUntil', async () => {
    const broken = await fx.connection('SALESFORCE');
    await db.prisma.connection.update({ where: { id: broken.id }, data: { status: 'NEEDS_ATTENTION', statusReason: 'SALESFORCE forbidden: API disabled', pausedUntil: hoursAgo(-1) } });
    const refused = await query<{ triggerSync: { started: boolean; reason: string } }>(TRIGGER, { id: broken.id });
    expect(refused.triggerSync).toEqual({ started: false, reason: 'the connection needs attention: SALESFORCE forbidden: API disabled' });
    // Pausing it meanwhile keeps why it needed attention.
    const paused = await query<{ pauseConnection: { status: string; statusReason: string } }>(PAUSE, { id: broken.id });
    expect(paused.pauseConnection.status).toBe('PAUSED');
    expect(paused.pauseConnection.statusReason).toMatch(/^paused through the admin API by key ".+" \(it needed attention: SALESFORCE forbidden: API disabled\)$/);
    await query(RESUME, { id: broken.id });
    expect(await db.prisma.connection.findUniqueOrThrow({ where: { id: broken.id } })).toMatchObject({ status: 'ACTIVE', statusReason: null, pausedUntil: null });
  });

  it('says so when the server is shutting down, instead of "already running"', async () => {
    const stopping = startScheduler({
      ctx: { db, logger },
      connectorFor: () => Promise.reject(new Error('no run may start')),
      defaultCron: '0 0 1 1 *',
      fullResyncAfterMs: 24 * 3_600_000,
      inbox: { handlers: {} },
      inboxIntervalMs: 3_600_000,
    });
    await stopping.stop();
    const server = await startGraphqlServer(db, {}, { scheduler: stopping });
    try {
      const res = await server.request<{ triggerSync: { started: boolean; reason: string } }>(await server.key('admin'), TRIGGER, { id: hubspot.id });
      expect(res.data?.triggerSync).toEqual({ started: false, reason: expect.stringMatching(/^this server is shutting down/) });
    } finally {
      await server.close();
    }
  });

  it('tells an exhausted CRM limit apart', async () => {
    const limited = await fx.connection('HUBSPOT');
    const until = hoursAgo(-3);
    await db.prisma.connection.update({ where: { id: limited.id }, data: { pausedUntil: until } });
    const refused = await query<{ triggerSync: { started: boolean; reason: string } }>(TRIGGER, { id: limited.id });
    expect(refused.triggerSync).toEqual({ started: false, reason: `the CRM's limit is exhausted until ${until.toISOString()}` });
  });

  it('answers NOT_FOUND for unknown connections and BAD_USER_INPUT for unknown objects, starting nothing', async () => {
    const unknownId = '00000000-0000-4000-8000-000000000000';
    for (const text of [TRIGGER, PAUSE, RESUME]) {
      const res = await api.request(admin, text, { id: unknownId });
      expect(res.errors?.[0]?.extensions, text).toMatchObject({ code: 'NOT_FOUND' });
    }
    const before = await db.prisma.syncRun.count();
    const res = await api.request(admin, TRIGGER, { id: hubspot.id, objects: ['contacts', 'Lead'] });
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'objects' });
    expect(res.errors?.[0]?.message).toContain('unknown object(s) Lead');
    expect(res.errors?.[0]?.message).toContain('contacts, companies, deals');
    const empty = await api.request(admin, TRIGGER, { id: hubspot.id, objects: [] });
    expect(empty.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'objects' });
    const mode = await api.request(admin, TRIGGER, { id: hubspot.id, mode: 'EVERYTHING' });
    expect(mode.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(await db.prisma.syncRun.count()).toBe(before);
  });

  it('answers UNAVAILABLE where no scheduler runs', async () => {
    const key = await noScheduler.key('admin');
    const res = await noScheduler.request(key, TRIGGER, { id: hubspot.id });
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'UNAVAILABLE' });
    expect(res.errors?.[0]?.message).toContain('no sync scheduler');
  });
});

describe('GraphQL latency metrics', () => {
  async function counts(): Promise<Map<string, number>> {
    const { values } = await metrics.graphqlSeconds.get();
    return new Map(values.filter((v) => v.metricName?.endsWith('_count')).map((v) => [String(v.labels.operation), v.value]));
  }

  it('observes each request under its operation name, "anonymous" or "invalid"', async () => {
    const before = await counts();
    const delta = async (label: string) => ((await counts()).get(label) ?? 0) - (before.get(label) ?? 0);
    await query(CONNECTIONS);
    await query(CONNECTIONS);
    await query(INBOX);
    await api.request(admin, '{ connections { nope } }');
    await api.request(admin, 'query {');
    const longName = `Q${'x'.repeat(99)}`;
    await query(`query ${longName} { webhookInbox { pending } }`);

    expect(await delta('AdminConnections')).toBe(2);
    expect(await delta('anonymous')).toBe(1);
    expect(await delta('invalid')).toBe(2);
    expect(await delta(longName.slice(0, 64))).toBe(1);
    expect((await counts()).has(longName)).toBe(false);
    const text = await metrics.registry.getSingleMetricAsString('context_layer_graphql_duration_seconds');
    expect(text).toContain('context_layer_graphql_duration_seconds_bucket{le="0.005",operation="AdminConnections"}');
  });

  it('counts every /graphql request by HTTP status, refused keys and bodies too', async () => {
    const byStatus = async () => new Map((await metrics.graphqlRequests.get()).values.map((v) => [String(v.labels.status), v.value]));
    const before = await byStatus();
    const delta = async (status: string) => ((await byStatus()).get(status) ?? 0) - (before.get(status) ?? 0);
    await query(INBOX);
    await api.request('clk_not-a-key', INBOX);
    const malformed = await fetch(api.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` }, body: '{' });
    expect(malformed.status).toBe(400);
    expect(await delta('200')).toBe(1);
    expect(await delta('401')).toBe(1);
    expect(await delta('400')).toBe(1);
  });

  it('keeps the label set bounded: names past the limit count as "other"', () => {
    const label = operationLabeler(2);
    const op = (name?: string) => ({ kind: 'OperationDefinition', operation: 'query', selectionSet: { kind: 'SelectionSet', selections: [] }, ...(name ? { name: { kind: 'Name', value: name } } : {}) }) as Parameters<typeof label>[0];
    expect([label(op('A')), label(op('B')), label(op('C')), label(op('A')), label(op()), label(undefined)]).toEqual(['A', 'B', 'other', 'A', 'anonymous', 'invalid']);
  });
});
