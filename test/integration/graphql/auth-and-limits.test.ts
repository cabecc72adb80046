import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createApiKey, createApiKeyVerifier, revokeApiKey, verifyApiKey } from '../../../src/auth/api-keys.js';
import type { Scope } from '../../../src/auth/scopes.js';
import { apikeyCommand } from '../../../src/commands/apikey.js';
import type { CommandContext } from '../../../src/commands/command.js';
import { createApp } from '../../../src/http/app.js';
import { createLogger } from '../../../src/log.js';
import type { Runtime } from '../../../src/main.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/db.js';
import { startGraphqlServer, type GraphqlTestServer } from '../../helpers/graphql-server.js';
import { createStoreFixtures } from '../../helpers/store-fixtures.js';

let db: TestDatabase;
let api: GraphqlTestServer;
let contactId: string;

beforeAll(async () => {
  db = await createTestDatabase();
  // No key cache here: revocations must bite at once in these tests.
  api = await startGraphqlServer(db, { GRAPHQL_MAX_DEPTH: '6', GRAPHQL_MAX_COMPLEXITY: '600', API_KEY_CACHE_SECONDS: '0' });
  const fx = createStoreFixtures(db.prisma);
  const hubspot = await fx.connection('HUBSPOT');
  contactId = (await fx.contact(hubspot, { email: 'auth@acme.example' })).id;
});

afterAll(async () => {
  await api?.close();
  await db?.close();
});

describe('authentication', () => {
  it('answers 401 UNAUTHENTICATED without a key, with a wrong key and with a revoked key', async () => {
    const created = await createApiKey(db.prisma, { name: 'soon revoked', scopes: ['admin'] });
    expect((await api.request(created.key, '{ __typename }')).status).toBe(200);
    await revokeApiKey(db.prisma, created.prefix);
    const forged = `clk_${'A'.repeat(32)}`;
    for (const key of [null, 'not-a-key', forged, created.key]) {
      const res = await api.request(key, '{ __typename }');
      expect(res.status).toBe(401);
      expect(res.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
    }
  });

  it('stores only a hash and records when a key was used', async () => {
    const created = await createApiKey(db.prisma, { name: 'hashed', scopes: ['contacts:read'] });
    expect(created.key).toMatch(/^clk_[A-Za-z0-9_-]{32}$/);
    const row = await db.prisma.apiKey.findUniqueOrThrow({ where: { id: created.id } });
    expect(row.hash).not.toContain(created.key.slice(4));
    expect(row.prefix).toBe(created.key.slice(0, 12));
    expect(row.lastUsedAt).toBeNull();
    expect(await verifyApiKey(db.pool, created.key)).toEqual({ id: created.id, name: 'hashed', scopes: ['contacts:read'] });
    expect((await db.prisma.apiKey.findUniqueOrThrow({ where: { id: created.id } })).lastUsedAt).not.toBeNull();
    await expect(createApiKey(db.prisma, { name: 'bad', scopes: ['everything'] })).rejects.toThrow(/unknown scope/);
  });
});

describe('verified-key cache', () => {
  it('asks the database once per key within the cache time, and never remembers unknown keys', async () => {
    const created = await createApiKey(db.prisma, { name: 'cached', scopes: ['context:read'] });
    let statements = 0;
    const pool = { query: (...args: Parameters<typeof db.pool.query>) => (statements++, db.pool.query(...args)) } as unknown as typeof db.pool;
    const cached = createApiKeyVerifier(pool, 60_000);
    expect(await cached(created.key)).toMatchObject({ id: created.id });
    await revokeApiKey(db.prisma, created.id);
    // Still trusted from memory: the documented price of the cache.
    expect(await cached(created.key)).toMatchObject({ id: created.id });
    expect(statements).toBe(1);
    const forged = `clk_${'B'.repeat(32)}`;
    expect(await cached(forged)).toBeNull();
    expect(await cached(forged)).toBeNull();
    expect(statements).toBe(3);
    const uncached = createApiKeyVerifier(pool, 0);
    expect(await uncached(created.key)).toBeNull();
  });

  it('verifies a key in use again in the background, and still drops a revoked key within the cache time', async () => {
    const created = await createApiKey(db.prisma, { name: 'refreshed', scopes: ['context:read'] });
    let statements = 0;
    let finished = 0;
    const pool = {
      query: (text: string, values: unknown[]) => (statements++, db.pool.query(text, values).finally(() => finished++)),
    } as unknown as typeof db.pool;
    let now = 1_000_000;
    const cached = createApiKeyVerifier(pool, 10_000, { clock: () => now });
    expect(await cached(created.key)).toMatchObject({ id: created.id });
    expect(statements).toBe(1);

    // Past half its time: answered from memory at once, verified again behind the scenes.
    now += 6_000;
    expect(await cached(created.key)).toMatchObject({ id: created.id });
    expect(statements).toBe(2);
    await vi.waitFor(() => expect(finished).toBe(2));
    await revokeApiKey(db.prisma, created.id);

    // The refresh moved the expiry to 16 s; at 15 s the memory still answers, and the next
    // refresh finds the revocation (9 s after it, within the 10 s cache time).
    now += 9_000;
    expect(await cached(created.key)).toMatchObject({ id: created.id });
    await vi.waitFor(() => expect(finished).toBe(3));
    expect(await cached(created.key)).toBeNull();
    expect(statements).toBe(4);
  });

  it('counts the cache time from before the database was asked', async () => {
    const created = await createApiKey(db.prisma, { name: 'slow-check', scopes: ['context:read'] });
    let statements = 0;
    let now = 5_000_000;
    // The verification takes 3 s on this clock: the entry must still expire 10 s after it began.
    const pool = { query: (text: string, values: unknown[]) => (statements++, (now += 3_000), db.pool.query(text, values)) } as unknown as typeof db.pool;
    const cached = createApiKeyVerifier(pool, 10_000, { clock: () => now });
    const started = now;
    expect(await cached(created.key)).toMatchObject({ id: created.id });
    await revokeApiKey(db.prisma, created.id);
    now = started + 4_999;
    expect(await cached(created.key)).toMatchObject({ id: created.id });
    expect(statements).toBe(1);
    // 10 s after the check began the revocation bites, however long the check took.
    now = started + 10_000;
    expect(await cached(created.key)).toBeNull();
    expect(statements).toBe(2);
  });

  it('verifies a key once for all the requests that miss at the same moment', async () => {
    const created = await createApiKey(db.prisma, { name: 'busy', scopes: ['context:read'] });
    let statements = 0;
    const pool = { query: (...args: Parameters<typeof db.pool.query>) => (statements++, db.pool.query(...args)) } as unknown as typeof db.pool;
    const cached = createApiKeyVerifier(pool, 60_000);
    const principals = await Promise.all(Array.from({ length: 50 }, () => cached(created.key)));
    expect(principals.every((p) => p?.id === created.id)).toBe(true);
    expect(statements).toBe(1);
    // A failed verification is not remembered: the next request asks again.
    const forged = `clk_${'C'.repeat(32)}`;
    expect(await Promise.all([cached(forged), cached(forged)])).toEqual([null, null]);
    expect(statements).toBe(2);
    expect(await cached(forged)).toBeNull();
    expect(statements).toBe(3);
  });
});

describe('scopes', () => {
  const operations: Array<{ name: string; scope: Scope; query: () => string; variables?: () => Record<string, unknown> }> = [
    { name: 'contextPacket', scope: 'context:read', query: () => `query($id: ID!) { contextPacket(contactId: $id) { contactId } }`, variables: () => ({ id: contactId }) },
    { name: 'contextPackets', scope: 'context:read', query: () => `query($id: ID!) { contextPackets(contactIds: [$id]) { contactId } }`, variables: () => ({ id: contactId }) },
    { name: 'contact', scope: 'contacts:read', query: () => `query($id: ID!) { contact(id: $id) { id } }`, variables: () => ({ id: contactId }) },
    { name: 'contacts', scope: 'contacts:read', query: () => '{ contacts { nodes { id } } }' },
    { name: 'company', scope: 'contacts:read', query: () => `{ company(id: "0190a0a0-0000-7000-8000-000000000000") { id } }` },
    { name: 'companies', scope: 'contacts:read', query: () => '{ companies { nodes { id } } }' },
    { name: 'deal', scope: 'contacts:read', query: () => `{ deal(id: "0190a0a0-0000-7000-8000-000000000000") { id } }` },
    { name: 'deals', scope: 'contacts:read', query: () => '{ deals { nodes { id } } }' },
    {
      name: 'writeBackScore',
      scope: 'scores:write',
      query: () => `mutation($id: ID!) { writeBackScore(input: {contactId: $id, score: 5, rationale: "r", source: "s"}) { replayed } }`,
      variables: () => ({ id: contactId }),
    },
    {
      name: 'writeBackScores',
      scope: 'scores:write',
      query: () => `mutation($id: ID!) { writeBackScores(inputs: [{contactId: $id, score: 5, rationale: "r", source: "s"}]) { index } }`,
      variables: () => ({ id: contactId }),
    },
    {
      name: 'recordSignals',
      scope: 'scores:write',
      query: () => `mutation($id: ID!) { recordSignals(input: {contactId: $id, source: "clay", observedAt: "2026-01-01T00:00:00Z", signals: [{key: "k", value: 1}]}) { signals { key } } }`,
      variables: () => ({ id: contactId }),
    },
  ];
  const others: Record<Scope, Scope> = { 'context:read': 'contacts:read', 'contacts:read': 'scores:write', 'scores:write': 'context:read', admin: 'context:read' };

  it.each(operations)('$name needs $scope', async ({ name, scope, query, variables }) => {
    const without = await api.request(await api.key(others[scope]), query(), variables?.());
    expect(without.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', scope });
    expect(without.errors?.[0]?.message).toContain(scope);
    expect(without.data?.[name] ?? null).toBeNull();
    for (const granted of [scope, 'admin'] as const) {
      const res = await api.request(await api.key(granted), query(), variables?.());
      expect(res.errors, `${name} with ${granted}`).toBeUndefined();
    }
  });
});

describe('limits and error masking', () => {
  it('refuses queries deeper than GRAPHQL_MAX_DEPTH', async () => {
    const key = await api.key('contacts:read');
    const deep = await api.request(key, '{ deals { edges { node { contacts { contact { company { owner { name } } } } } } } }');
    expect(deep.status).toBe(400);
    expect(deep.errors?.[0]?.extensions?.['code']).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(deep.errors?.[0]?.message).toMatch(/levels deep; the limit is 6/);
    const shallow = await api.request(key, '{ deals { edges { node { contacts { contact { id } } } } } }');
    expect(shallow.errors).toBeUndefined();
  });

  it('refuses queries more complex than GRAPHQL_MAX_COMPLEXITY, counting page sizes', async () => {
    const key = await api.key('contacts:read', 'context:read');
    const heavy = await api.request(key, '{ contacts(first: 200) { nodes { owner { name } company { name } } } }');
    expect(heavy.status).toBe(400);
    expect(heavy.errors?.[0]?.extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', maxComplexity: 600 });
    const ids = Array.from({ length: 100 }, () => contactId);
    const packets = await api.request(key, 'query($ids: [ID!]!) { contextPackets(contactIds: $ids) { contactId } }', { ids });
    expect(packets.errors?.[0]?.extensions?.['code']).toBe('GRAPHQL_VALIDATION_FAILED');
    const light = await api.request(key, '{ contacts(first: 20) { nodes { owner { name } company { name } } } }');
    expect(light.errors).toBeUndefined();
  });

  it('prices the same query text by its variables: page sizes and list lengths, whatever was asked before', async () => {
    const key = await api.key('contacts:read', 'context:read');
    const page = 'query Page($n: Int) { contacts(first: $n) { nodes { owner { name } company { name } } } }';
    const packets = 'query Packets($ids: [ID!]!) { contextPackets(contactIds: $ids) { contactId } }';
    const code = (res: { errors?: Array<{ extensions?: Record<string, unknown> }> }) => res.errors?.[0]?.extensions?.['code'] ?? 'OK';
    // Alternating cheap and dear variables on one document: a remembered price must never leak across.
    for (let round = 0; round < 2; round++) {
      expect(code(await api.request(key, page, { n: 20 }))).toBe('OK');
      expect(code(await api.request(key, page, { n: 200 }))).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(code(await api.request(key, packets, { ids: [contactId, contactId] }))).toBe('OK');
      expect(code(await api.request(key, packets, { ids: Array.from({ length: 100 }, () => contactId) }))).toBe('GRAPHQL_VALIDATION_FAILED');
    }
  });

  it('masks unexpected failures as INTERNAL_SERVER_ERROR without internals', async () => {
    const key = await api.key('contacts:read');
    // Breaking the store underneath a resolver: the SQL error must not reach the client.
    await db.pool.query('ALTER TABLE "Deal" RENAME TO "DealMoved"');
    try {
      const res = await api.request(key, '{ deals { nodes { id } } }');
      expect(res.errors?.[0]).toEqual({ message: 'Internal server error', path: ['deals'], extensions: { code: 'INTERNAL_SERVER_ERROR' } });
      expect(JSON.stringify(res)).not.toMatch(/Deal|relation|stack/);
    } finally {
      await db.pool.query('ALTER TABLE "DealMoved" RENAME TO "Deal"');
    }
  });

  it('tells every cache not to keep answers, which carry CRM personal data', async () => {
    const key = await api.key('contacts:read');
    const post = await fetch(api.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body: '{"query":"{ __typename }"}' });
    const get = await fetch(`${api.url}?query=${encodeURIComponent('{ __typename }')}`, { headers: { authorization: `Bearer ${key}`, 'apollo-require-preflight': 'true' } });
    const refused = await fetch(api.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' });
    expect([post.status, get.status, refused.status]).toEqual([200, 200, 401]);
    for (const res of [post, get, refused]) expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('answers 413 to a client that sends its whole oversized body before reading, and survives an aborted upload', async () => {
    const { port } = new URL(api.url);
    const rawRequest = (body: Buffer, opts: { abortAfter?: number } = {}) =>
      new Promise<string>((resolve, reject) => {
        const socket = connect(Number(port), '127.0.0.1');
        let answer = '';
        socket.on('data', (chunk) => (answer += chunk.toString('latin1')));
        socket.on('end', () => resolve(answer));
        socket.on('close', () => resolve(answer));
        socket.on('error', reject);
        const head = `POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`;
        socket.write(head);
        if (opts.abortAfter !== undefined) {
          socket.write(body.subarray(0, opts.abortAfter), () => socket.destroy());
          return;
        }
        // Everything first, then read: as HTTP clients that do not read while sending behave.
        socket.write(body);
      });
    const answer = await rawRequest(Buffer.alloc(4 * 1024 * 1024, 'x'));
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(answer).toContain('the request body exceeds 1048576 bytes');
    await rawRequest(Buffer.alloc(64 * 1024, 'x'), { abortAfter: 1000 });
    expect((await api.request(null, '{ __typename }')).status).toBe(401);
  });

  it('answers malformed JSON bodies in GraphQL error shape', async () => {
    const key = await api.key('contacts:read');
    const res = await fetch(api.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body: '{"query": ' });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ errors: [{ message: 'the request body is not valid JSON', extensions: { code: 'BAD_REQUEST' } }] });
  });

  it('refuses oversized, compressed and non-JSON bodies with their own status', async () => {
    const key = await api.key('contacts:read');
    const post = (body: string, headers: Record<string, string> = {}) =>
      fetch(api.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, ...headers }, body });
    const huge = await post(JSON.stringify({ query: '{ __typename }', variables: { pad: 'x'.repeat(1024 * 1024) } }));
    expect(huge.status).toBe(413);
    expect(await huge.json()).toEqual({ errors: [{ message: 'the request body exceeds 1048576 bytes', extensions: { code: 'BAD_REQUEST' } }] });
    const gzipped = await post('\x1f\x8b', { 'content-encoding': 'gzip' });
    expect(gzipped.status).toBe(415);
    expect(((await gzipped.json()) as { errors: Array<{ message: string }> }).errors[0]!.message).toMatch(/content-encoding "gzip"/);
    const text = await post('{"query":"{ __typename }"}', { 'content-type': 'text/plain' });
    expect(text.status).toBe(400);
    const latin1 = await post('{"query":"{ __typename }"}', { 'content-type': 'application/json; charset=latin1' });
    expect(latin1.status).toBe(415);
    const bom = await post('\uFEFF{"query":"{ __typename }"}');
    expect(await bom.json()).toEqual({ data: { __typename: 'Query' } });
    // Just under the limit still works; a charset parameter is fine.
    const padded = JSON.stringify({ query: '{ __typename }', variables: { pad: 'x'.repeat(1024 * 1024 - 100) } });
    const ok = await post(padded, { 'content-type': 'application/json; charset=utf-8' });
    expect(await ok.json()).toEqual({ data: { __typename: 'Query' } });
  });
});

describe('HTTP routing', () => {
  it('serves /graphql in any case, with a trailing slash or a query string, and leaves other paths to the rest of the app', async () => {
    const key = await api.key('contacts:read');
    const base = api.url.slice(0, -'/graphql'.length);
    const post = (path: string) =>
      fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body: '{"query":"{ __typename }"}' });
    for (const path of ['/graphql', '/GraphQL', '/graphql/', '/graphql?trace=1']) {
      const res = await post(path);
      expect({ path, body: await res.json() }).toEqual({ path, body: { data: { __typename: 'Query' } } });
    }
    const below = await post('/graphql/extra');
    expect([below.status, await below.json()]).toEqual([404, { error: 'not found' }]);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    // The absolute form of a request target (as some proxies send it) names the same path.
    const body = '{"query":"{ __typename }"}';
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(new URL(base).port), '127.0.0.1');
      let text = '';
      socket.on('data', (chunk) => (text += chunk.toString('utf8')));
      socket.on('close', () => resolve(text));
      socket.on('error', reject);
      // Written, not ended: the server answers a half-closed connection with nothing.
      socket.write(
        `POST ${base}/graphql HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${key}\r\nContent-Type: application/json\r\n` +
          `Content-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
      );
    });
    expect(answer).toMatch(/^HTTP\/1\.1 200 /);
    expect(answer).toContain('{"data":{"__typename":"Query"}}');
  });

  it('hands /graphql requests over untouched by express, which re-prototypes the requests it routes', async () => {
    const seen: Record<string, boolean> = {};
    const app = createApp({
      db,
      logger: createLogger({ level: 'silent' }),
      graphql: (req, res) => {
        seen['request'] = Object.getPrototypeOf(req) === IncomingMessage.prototype;
        seen['response'] = Object.getPrototypeOf(res) === ServerResponse.prototype;
        res.end('graphql');
      },
    });
    const server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      expect(await (await fetch(`${base}/graphql`, { method: 'POST' })).text()).toBe('graphql');
      expect(seen).toEqual({ request: true, response: true });
      expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ status: 'ok' });
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe('apikey command', () => {
  function context(printed: string[]): CommandContext {
    const runtime = { db, secrets: null, embedded: null, close: async () => undefined } as unknown as Runtime;
    return {
      config: () => api.config,
      logger: () => {
        throw new Error('not used');
      },
      openRuntime: async () => runtime,
      print: (line) => printed.push(line),
    };
  }

  it('creates a key shown once, lists it and revokes it by prefix', async () => {
    const printed: string[] = [];
    const ctx = context(printed);
    expect(await apikeyCommand.run({ values: { name: 'cli', scopes: 'contacts:read,scores:write' }, positionals: ['create'] }, ctx)).toBe(0);
    const key = /clk_[A-Za-z0-9_-]{32}/.exec(printed.join('\n'))?.[0];
    expect(key).toBeDefined();
    expect((await api.request(key!, '{ contacts(first: 1) { nodes { id } } }')).errors).toBeUndefined();

    printed.length = 0;
    expect(await apikeyCommand.run({ values: {}, positionals: ['list'] }, ctx)).toBe(0);
    const line = printed.join('\n').split('\n').find((l) => l.includes(' cli '));
    expect(line).toContain('[contacts:read,scores:write]  active');
    expect(line).not.toContain(key);

    expect(await apikeyCommand.run({ values: {}, positionals: ['revoke', key!.slice(0, 12)] }, ctx)).toBe(0);
    expect((await api.request(key!, '{ __typename }')).status).toBe(401);
    await expect(apikeyCommand.run({ values: { name: 'x', scopes: 'root' }, positionals: ['create'] }, ctx)).rejects.toThrow(/unknown scope/);
    await expect(apikeyCommand.run({ values: {}, positionals: ['create'] }, ctx)).rejects.toThrow(/--name/);
  });
});
