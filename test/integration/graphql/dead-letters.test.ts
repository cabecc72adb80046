import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../helpers/db.js';
import { startGraphqlServer, type GraphqlTestServer } from '../../helpers/graphql-server.js';
import { createStoreFixtures, hoursAgo, type SeededConnection, type StoreFixtures } from '../../helpers/store-fixtures.js';

const DEAD_LETTERS = `query($filter: DeadLetterFilter, $first: Int, $after: String) {
  deadLetters(filter: $filter, first: $first, after: $after) {
    edges { cursor node { id } }
    nodes {
      id connection { id name provider } objectType remoteId operation fields attempts lastError createdAt updatedAt aiOutputId
    }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}`;

const RETRY_ONE = `mutation($id: ID!) { retryDeadLetter(id: $id) { id connectionId connectionName provider objectType remoteId status lastError } }`;
const RETRY_MANY = `mutation($filter: DeadLetterFilter) { retryDeadLetters(filter: $filter) }`;

interface DeadLetterNode {
  id: string;
  connection: { id: string; name: string; provider: string };
  objectType: string;
  remoteId: string | null;
  operation: string;
  fields: Record<string, unknown>;
  attempts: number;
  lastError: string | null;
  createdAt: string;
  updatedAt: string;
  aiOutputId: string | null;
}

interface Page {
  deadLetters: {
    edges: { cursor: string; node: { id: string } }[];
    nodes: DeadLetterNode[];
    pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  };
}

let db: TestDatabase;
let api: GraphqlTestServer;
let admin: string;
let writer: string;
let fx: StoreFixtures;

beforeAll(async () => {
  db = await createTestDatabase();
  api = await startGraphqlServer(db);
  admin = await api.key('admin');
  writer = await api.key('scores:write', 'contacts:read', 'context:read');
  fx = createStoreFixtures(db.prisma);
});

afterAll(async () => {
  await api?.close();
  await db?.close();
});

async function list(filter: Record<string, unknown>, first = 50, after?: string) {
  const res = await api.request<Page>(admin, DEAD_LETTERS, { filter, first, after });
  expect(res.errors).toBeUndefined();
  return res.data!.deadLetters;
}

describe('scopes', () => {
  it('answers FORBIDDEN naming admin to keys without it, and changes nothing', async () => {
    const hubspot = await fx.connection('HUBSPOT');
    const dead = await fx.writeBack(hubspot);
    for (const [query, variables] of [
      [DEAD_LETTERS, {}],
      [RETRY_ONE, { id: dead.id }],
      [RETRY_MANY, {}],
    ] as const) {
      const res = await api.request(writer, query, variables);
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', scope: 'admin' });
      expect(res.errors?.[0]?.message).toContain('"admin"');
    }
    expect(await db.prisma.writeBack.findUniqueOrThrow({ where: { id: dead.id } })).toMatchObject({ status: 'DEAD', attempts: 3 });
  });
});

describe('deadLetters', () => {
  let hubspot: SeededConnection;
  let salesforce: SeededConnection;
  let scored: Awaited<ReturnType<StoreFixtures['writeBack']>>;

  beforeAll(async () => {
    hubspot = await fx.connection('HUBSPOT', 'dl-hubspot');
    salesforce = await fx.connection('SALESFORCE', 'dl-salesforce');
    const contact = await fx.contact(hubspot, { email: 'dl@acme.example' });
    const output = await fx.aiOutput(contact.id, 77);
    scored = await fx.writeBack(hubspot, {
      aiOutputId: output.id,
      remoteId: contact.remoteId,
      fields: { score: 77, rationale: 'fit', source: 'scorer' },
      attempts: 3,
      lastError: 'gave up after 3 attempts: [HUBSPOT server] 503 Service Unavailable',
      createdAt: hoursAgo(1),
    });
    await fx.writeBack(hubspot, { lastError: '[HUBSPOT validation] Property "ai_score" does not exist', createdAt: hoursAgo(5) });
    await fx.writeBack(hubspot, {
      operation: 'UPSERT_CONTACT',
      objectType: 'contacts',
      remoteId: null,
      fields: { email: 'new@acme.example', firstname: 'New', __source: 'clay' },
      lastError: '[HUBSPOT validation] Invalid email',
      createdAt: hoursAgo(10),
    });
    await fx.writeBack(salesforce, { lastError: '[SALESFORCE forbidden] INSUFFICIENT_ACCESS', createdAt: hoursAgo(2) });
    // Not dead: never listed.
    await fx.writeBack(hubspot, { status: 'PENDING', attempts: 1, lastError: 'retrying' });
    await fx.writeBack(hubspot, { status: 'DONE', attempts: 1, lastError: null });
  });

  it('lists only DEAD rows, newest first, with everything an operator needs', async () => {
    const page = await list({ connectionId: hubspot.id });
    expect(page.nodes.map((n) => n.lastError)).toEqual([
      'gave up after 3 attempts: [HUBSPOT server] 503 Service Unavailable',
      '[HUBSPOT validation] Property "ai_score" does not exist',
      '[HUBSPOT validation] Invalid email',
    ]);
    expect(page.nodes[0]).toEqual({
      id: scored.id,
      connection: { id: hubspot.id, name: 'dl-hubspot', provider: 'HUBSPOT' },
      objectType: 'contact',
      remoteId: scored.remoteId,
      operation: 'UPDATE',
      fields: { score: 77, rationale: 'fit', source: 'scorer' },
      attempts: 3,
      lastError: scored.lastError,
      createdAt: scored.createdAt.toISOString(),
      updatedAt: expect.any(String) as string,
      aiOutputId: scored.aiOutputId,
    });
    expect(page.nodes[2]).toMatchObject({ operation: 'UPSERT_CONTACT', objectType: 'contacts', remoteId: null, aiOutputId: null, fields: { email: 'new@acme.example' } });
    expect(page.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: false });
  });

  it('filters by connection, error text (case-insensitive) and creation time', async () => {
    expect((await list({ connectionId: salesforce.id })).nodes.map((n) => n.connection.provider)).toEqual(['SALESFORCE']);
    const validation = await list({ connectionId: hubspot.id, errorContains: 'hubspot VALIDATION' });
    expect(validation.nodes.map((n) => n.lastError)).toEqual(['[HUBSPOT validation] Property "ai_score" does not exist', '[HUBSPOT validation] Invalid email']);
    const recent = await list({ createdSince: hoursAgo(3).toISOString() });
    expect(recent.nodes.map((n) => n.id).sort()).toEqual(
      (await db.prisma.writeBack.findMany({ where: { status: 'DEAD', createdAt: { gte: hoursAgo(3) } }, select: { id: true } })).map((r) => r.id).sort(),
    );
    expect(recent.nodes.map((n) => n.connection.name)).toEqual(expect.arrayContaining(['dl-hubspot', 'dl-salesforce']));
    expect(recent.nodes.some((n) => n.lastError === '[HUBSPOT validation] Invalid email')).toBe(false);
  });

  it('matches errorContains as text, not as a LIKE pattern', async () => {
    const connection = await fx.connection('HUBSPOT');
    const literal = await fx.writeBack(connection, { lastError: 'daily quota 100% used (C:\\limits)' });
    await fx.writeBack(connection, { lastError: 'daily quota 100 used' });
    expect((await list({ connectionId: connection.id, errorContains: '100%' })).nodes.map((n) => n.id)).toEqual([literal.id]);
    expect((await list({ connectionId: connection.id, errorContains: 'C:\\limits' })).nodes.map((n) => n.id)).toEqual([literal.id]);
  });

  it('rejects malformed filters and cursors with the field path', async () => {
    const badId = await api.request(admin, DEAD_LETTERS, { filter: { connectionId: 'nope' } });
    expect(badId.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter.connectionId' });
    const badCursor = await api.request(admin, DEAD_LETTERS, { after: 'garbage' });
    expect(badCursor.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
    const badSize = await api.request(admin, DEAD_LETTERS, { first: 0 });
    expect(badSize.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
  });
});

describe('deadLetters pagination', () => {
  it('walks every row once, newest first, also across rows created at the same instant', async () => {
    const connection = await fx.connection('HUBSPOT');
    const instant = hoursAgo(4);
    const created = [];
    for (let i = 0; i < 7; i++) created.push(await fx.writeBack(connection, { createdAt: i < 4 ? instant : hoursAgo(i) }));
    const seen: string[] = [];
    let after: string | undefined;
    let pages = 0;
    for (;;) {
      const page = await list({ connectionId: connection.id }, 3, after);
      pages++;
      expect(page.edges.map((e) => e.node.id)).toEqual(page.nodes.map((n) => n.id));
      seen.push(...page.nodes.map((n) => n.id));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor!;
    }
    expect(pages).toBe(3);
    expect(seen).toHaveLength(7);
    expect(new Set(seen).size).toBe(7);
    const expected = [...created].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : -1)).map((r) => r.id);
    expect(seen).toEqual(expected);
  });

  it('refuses a cursor of another list', async () => {
    const syncRunCursor = Buffer.from(`syncRuns|${new Date().toISOString()}|00000000-0000-4000-8000-000000000000`).toString('base64url');
    const res = await api.request(admin, DEAD_LETTERS, { after: syncRunCursor });
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  });
});

describe('retryDeadLetter', () => {
  it('queues the row again as new: PENDING, attempts 0, due now', async () => {
    const connection = await fx.connection('SALESFORCE', 'retry-one');
    const dead = await fx.writeBack(connection, { nextAttemptAt: hoursAgo(-5), createdAt: hoursAgo(6) });
    const res = await api.request<{ retryDeadLetter: Record<string, unknown> }>(admin, RETRY_ONE, { id: dead.id });
    expect(res.errors).toBeUndefined();
    expect(res.data!.retryDeadLetter).toMatchObject({ id: dead.id, connectionId: connection.id, connectionName: 'retry-one', provider: 'SALESFORCE', status: 'PENDING' });
    const row = await db.prisma.writeBack.findUniqueOrThrow({ where: { id: dead.id } });
    expect(row).toMatchObject({ status: 'PENDING', attempts: 0, claimedAt: null });
    expect(row.nextAttemptAt.getTime()).toBeLessThanOrEqual(Date.now());
    expect((await list({ connectionId: connection.id })).nodes).toEqual([]);

    // Now PENDING: a second retry is refused and changes nothing.
    const again = await api.request(admin, RETRY_ONE, { id: dead.id });
    expect(again.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'id' });
    expect(again.errors?.[0]?.message).toContain('PENDING');
  });

  it('drops from a retried dead letter the fields a newer delivered write to the record replaced, settling it when none is left', async () => {
    const connection = await fx.connection('HUBSPOT', 'retry-superseded');
    const dead = await fx.writeBack(connection, { fields: { score: 40, rationale: 'old', source: 's' }, createdAt: hoursAgo(3) });
    // A newer score for the same contact went out meanwhile; sending 40 again would undo it.
    await fx.writeBack(connection, { remoteId: dead.remoteId, fields: { score: 70, rationale: 'new', source: 's' }, status: 'DONE', attempts: 1, lastError: null, createdAt: hoursAgo(1) });
    // A dead letter with a field the newer write did not carry goes out with that field alone.
    const partly = await fx.writeBack(connection, { remoteId: dead.remoteId, fields: { score: 45, rationale: 'old', source: 's', leadStatus: 'CONNECTED' }, createdAt: hoursAgo(2) });
    const res = await api.request<{ retryDeadLetter: Record<string, unknown> }>(admin, RETRY_ONE, { id: dead.id });
    expect(res.data!.retryDeadLetter).toMatchObject({ id: dead.id, status: 'DONE', lastError: expect.stringMatching(/^superseded/) });
    expect(await db.prisma.writeBack.findUniqueOrThrow({ where: { id: dead.id } })).toMatchObject({ status: 'DONE', sentAt: null });
    expect(await api.request(admin, RETRY_MANY, { filter: { connectionId: connection.id } })).toMatchObject({ data: { retryDeadLetters: 1 } });
    expect(await db.prisma.writeBack.findUniqueOrThrow({ where: { id: partly.id } })).toMatchObject({ status: 'PENDING', attempts: 0, fields: { leadStatus: 'CONNECTED' } });
  });

  it('answers NOT_FOUND for an unknown id and BAD_USER_INPUT for a malformed one', async () => {
    const unknown = await api.request(admin, RETRY_ONE, { id: '00000000-0000-4000-8000-000000000000' });
    expect(unknown.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND' });
    const malformed = await api.request(admin, RETRY_ONE, { id: 'x' });
    expect(malformed.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'id' });
  });

  it('refuses a DONE row', async () => {
    const connection = await fx.connection('HUBSPOT');
    const done = await fx.writeBack(connection, { status: 'DONE', attempts: 1 });
    const res = await api.request(admin, RETRY_ONE, { id: done.id });
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'id' });
    expect(await db.prisma.writeBack.findUniqueOrThrow({ where: { id: done.id } })).toMatchObject({ status: 'DONE', attempts: 1 });
  });
});

describe('retryDeadLetters', () => {
  it('requeues exactly the rows the same filter lists, and answers how many', async () => {
    const hubspot = await fx.connection('HUBSPOT');
    const other = await fx.connection('HUBSPOT');
    const limited = [
      await fx.writeBack(hubspot, { lastError: 'gave up after 3 attempts: [HUBSPOT rate_limited] 429' }),
      await fx.writeBack(hubspot, { lastError: 'gave up after 3 attempts: [HUBSPOT RATE_LIMITED] 429' }),
    ];
    // "_" is a LIKE wildcard: this row would match rate_limited as a pattern, but not as text.
    const lookalike = await fx.writeBack(hubspot, { lastError: '[HUBSPOT rateXlimited] 429' });
    const elsewhere = await fx.writeBack(other, { lastError: 'gave up after 3 attempts: [HUBSPOT rate_limited] 429' });
    const filter = { connectionId: hubspot.id, errorContains: 'rate_limited' };

    const listed = (await list(filter)).nodes.map((n) => n.id).sort();
    expect(listed).toEqual(limited.map((r) => r.id).sort());
    const res = await api.request<{ retryDeadLetters: number }>(admin, RETRY_MANY, { filter });
    expect(res.errors).toBeUndefined();
    expect(res.data!.retryDeadLetters).toBe(2);

    for (const row of limited) expect(await db.prisma.writeBack.findUniqueOrThrow({ where: { id: row.id } })).toMatchObject({ status: 'PENDING', attempts: 0 });
    for (const row of [lookalike, elsewhere]) expect(await db.prisma.writeBack.findUniqueOrThrow({ where: { id: row.id } })).toMatchObject({ status: 'DEAD', attempts: 3 });
    expect((await api.request<{ retryDeadLetters: number }>(admin, RETRY_MANY, { filter })).data!.retryDeadLetters).toBe(0);
  });

  it('filters by creation time', async () => {
    const connection = await fx.connection('SALESFORCE');
    const old = await fx.writeBack(connection, { createdAt: hoursAgo(48) });
    const recent = await fx.writeBack(connection, { createdAt: hoursAgo(1) });
    const res = await api.request<{ retryDeadLetters: number }>(admin, RETRY_MANY, { filter: { connectionId: connection.id, createdSince: hoursAgo(24).toISOString() } });
    expect(res.data!.retryDeadLetters).toBe(1);
    expect((await db.prisma.writeBack.findUniqueOrThrow({ where: { id: recent.id } })).status).toBe('PENDING');
    expect((await db.prisma.writeBack.findUniqueOrThrow({ where: { id: old.id } })).status).toBe('DEAD');
  });

  it('rejects a malformed filter without touching any row', async () => {
    const connection = await fx.connection('HUBSPOT');
    const dead = await fx.writeBack(connection);
    const res = await api.request(admin, RETRY_MANY, { filter: { errorContains: '' } });
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter.errorContains' });
    expect((await db.prisma.writeBack.findUniqueOrThrow({ where: { id: dead.id } })).status).toBe('DEAD');
  });
});
