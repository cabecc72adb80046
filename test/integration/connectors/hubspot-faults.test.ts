import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CrmError } from '../../../src/connectors/types.js';
import { createLogger } from '../../../src/log.js';
import { startHubspotSimulator, type HubspotSimulator } from '../../../src/simulators/hubspot/index.js';
import { connectorFor, pullAll, stream } from './hubspot-helpers.js';

let sim: HubspotSimulator;
const OAUTH = { clientId: 'client-1', clientSecret: 'secret-1', refreshTokens: ['rt-1'] };

beforeAll(async () => {
  sim = await startHubspotSimulator({ seed: 5, contacts: 400, auth: { oauth: OAUTH, privateAppTokens: ['pat-na1-simulator-token'] }, faultSeed: 42 });
});

afterEach(() => {
  sim.control.clearFaults();
  sim.control.resetCounters();
});

afterAll(async () => {
  await sim?.close();
});

function liveContactIds(): string[] {
  return sim.store.allRecords('contacts').filter((r) => !r.archived).map((r) => r.id).sort();
}

describe('HubSpot rate limits and transient failures', () => {
  it('finishes a FULL pull through a 429 storm on 30% of calls, counting every 429', async () => {
    const observed: string[] = [];
    const connector = connectorFor(sim, { observe: (call) => void observed.push(`${call.status} ${call.endpoint}`) });
    sim.control.addFault({ kind: 'rateLimit', rate: 0.3, match: '^(GET|POST) /crm/' });
    const outcome = await pullAll(connector, stream(connector, 'contacts'), { phase: 'FULL', cursor: null });
    const stats = connector.stats();
    await connector.close();
    expect(outcome.records.map((r) => r.record.remoteId).sort()).toEqual(liveContactIds());
    const served429 = sim.control.requests().filter((r) => r.status === 429).length;
    expect(served429).toBeGreaterThan(0);
    expect(stats.rateLimited).toBe(served429);
    expect(stats.apiCalls).toBe(sim.control.requests().length);
    expect(observed).toHaveLength(stats.apiCalls);
    expect(observed.filter((o) => o.startsWith('429 '))).toHaveLength(served429);
    expect(observed).toContain('200 GET /crm/v3/objects/contacts');
  });

  it('honours Retry-After before trying again', async () => {
    const connector = connectorFor(sim);
    sim.control.addFault({ kind: 'rateLimit', count: 1, retryAfterSeconds: 0.2, match: 'GET /crm/v3/properties' });
    await connector.describe(stream(connector, 'companies'));
    const stats = connector.stats();
    await connector.close();
    const [limited, retried] = sim.control.requests();
    expect(limited?.status).toBe(429);
    expect(retried?.status).toBe(200);
    expect(retried!.at - limited!.at).toBeGreaterThanOrEqual(190);
    expect(stats.waitedMs).toBeGreaterThanOrEqual(200);
  });

  it('retries 5xx, resets and truncated bodies three times, then fails as server', async () => {
    const connector = connectorFor(sim);
    sim.control.addFault({ kind: 'status', status: 503, count: 1, match: 'GET /crm/v3/properties' });
    sim.control.addFault({ kind: 'reset', count: 1, match: 'GET /crm/v3/properties' });
    sim.control.addFault({ kind: 'malformedJson', count: 1, match: 'GET /crm/v3/properties' });
    const defs = await connector.describe(stream(connector, 'contacts'));
    expect(defs.some((d) => d.name === 'email')).toBe(true);

    sim.control.addFault({ kind: 'status', status: 502, match: 'GET /crm/v3/properties' });
    const failure = await connector.describe(stream(connector, 'deals')).catch((e: unknown) => e);
    await connector.close();
    expect(failure).toBeInstanceOf(CrmError);
    expect(failure).toMatchObject({ kind: 'server', details: { status: 502 } });
    expect(sim.control.requests().filter((r) => r.status === 502)).toHaveLength(4);
  });

  it('fails a 403 at once as forbidden, without retrying', async () => {
    const connector = connectorFor(sim);
    sim.control.addFault({ kind: 'status', status: 403, match: 'POST /crm/v3/objects/contacts/batch/read' });
    const failure = await connector.fetchByIds(stream(connector, 'contacts'), liveContactIds().slice(0, 2)).catch((e: unknown) => e);
    await connector.close();
    expect(failure).toMatchObject({ kind: 'forbidden', provider: 'HUBSPOT', details: { status: 403, origin: 'crm' } });
    expect(sim.control.requests().filter((r) => r.path.includes('batch/read'))).toHaveLength(1);
  });

  it('stops at the daily cap without retrying, and probes again at the next whole hour', async () => {
    const connector = connectorFor(sim);
    sim.control.setDailyUsed(625_000);
    const before = Date.now();
    const failure = await connector.describe(stream(connector, 'contacts')).catch((e: unknown) => e);
    await connector.close();
    expect(failure).toMatchObject({ kind: 'limit_exhausted', provider: 'HUBSPOT', details: { status: 429 } });
    // HubSpot resets at the account's midnight, which it does not tell us: try hourly.
    const resumeAt = (failure as CrmError).details.resumeAt!.getTime();
    expect(resumeAt % 3_600_000).toBe(0);
    expect(resumeAt).toBeGreaterThan(before);
    expect(resumeAt).toBeLessThanOrEqual(before + 3_600_000);
    expect(sim.control.requests()).toHaveLength(1);
  });

  it('reports a 400 as validation with HubSpot message, without retrying', async () => {
    const connector = connectorFor(sim);
    sim.control.addFault({ kind: 'status', status: 400, count: 1, match: 'GET /crm/v3/properties' });
    const failure = await connector.describe(stream(connector, 'contacts')).catch((e: unknown) => e);
    await connector.close();
    expect(failure).toMatchObject({ kind: 'validation', message: 'Injected 400', details: { status: 400, crmCode: 'VALIDATION_ERROR' } });
    expect(sim.control.requests()).toHaveLength(1);
  });
});

describe('HubSpot OAuth', () => {
  it('refreshes before the first call and again when the token expires mid-run, saving each refresh once', async () => {
    const saved: Record<string, unknown>[] = [];
    const logLines: string[] = [];
    const connector = connectorFor(sim, {
      credentials: { kind: 'oauth', clientId: OAUTH.clientId, clientSecret: OAUTH.clientSecret, refreshToken: 'rt-1' },
      saveCredentials: async (credentials) => void saved.push(credentials),
      logger: createLogger({ level: 'debug', destination: { write: (line: string) => void logLines.push(line) } }),
    });
    const contacts = stream(connector, 'contacts');
    const pages: number[] = [];
    for await (const page of connector.pull(contacts, { phase: 'FULL', cursor: null })) {
      pages.push(page.records.length);
      if (pages.length === 2) sim.control.expireAccessTokens();
    }
    expect(pages.reduce((a, b) => a + b, 0)).toBe(liveContactIds().length);
    expect(saved).toHaveLength(2);
    expect(saved[1]).toMatchObject({ kind: 'oauth', clientId: 'client-1', refreshToken: 'rt-1', accessToken: expect.stringMatching(/^sim-at-/) });
    expect(saved[1]!.accessToken).not.toBe(saved[0]!.accessToken);
    expect(Date.parse(String(saved[1]!.expiresAt))).toBeGreaterThan(Date.now());

    // Concurrent calls that all meet the expired token share one refresh.
    sim.control.expireAccessTokens();
    await Promise.all([connector.describe(contacts), connector.describe(stream(connector, 'deals')), connector.describe(stream(connector, 'notes'))]);
    expect(saved).toHaveLength(3);
    expect(sim.control.requests().filter((r) => r.path === '/oauth/v1/token')).toHaveLength(3);
    await connector.close();

    // Every call was logged, and no log line carries a token or the client secret.
    expect(logLines.filter((l) => l.includes('"msg":"hubspot call"')).length).toBeGreaterThan(5);
    expect(logLines.some((l) => l.includes('"status":401'))).toBe(true);
    for (const secret of [...saved.map((c) => String(c.accessToken)), 'rt-1', OAUTH.clientSecret]) {
      expect(logLines.filter((l) => l.includes(secret))).toEqual([]);
    }
  });

  it('uses a stored access token until it expires, and fails as auth when the refresh token is refused', async () => {
    const saved: unknown[] = [];
    const connector = connectorFor(sim, {
      credentials: { kind: 'oauth', clientId: OAUTH.clientId, clientSecret: OAUTH.clientSecret, refreshToken: 'revoked', accessToken: 'sim-at-unknown', expiresAt: new Date(Date.now() + 3_600_000).toISOString() },
      saveCredentials: async (c) => void saved.push(c),
    });
    const failure = await connector.describe(stream(connector, 'contacts')).catch((e: unknown) => e);
    await connector.close();
    expect(failure).toMatchObject({ kind: 'auth' });
    expect(saved).toEqual([]);
    const calls = sim.control.requests().map((r) => `${r.status} ${r.path.split('?')[0]}`);
    expect(calls).toEqual(['401 /crm/v3/properties/contacts', '400 /oauth/v1/token']);
  });

  it('fails as auth when a private-app token is rejected, with no refresh attempt', async () => {
    const connector = connectorFor(sim, { credentials: { kind: 'private_app', token: 'pat-wrong' } });
    const failure = await connector.describe(stream(connector, 'contacts')).catch((e: unknown) => e);
    await connector.close();
    expect(failure).toMatchObject({ kind: 'auth', details: { status: 401, crmCode: 'INVALID_AUTHENTICATION' } });
    expect(sim.control.requests()).toHaveLength(1);
  });
});
