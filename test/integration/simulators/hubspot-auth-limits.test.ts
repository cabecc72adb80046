/**
 * Authentication, OAuth refresh and expiry, the general rate limit with its headers and 429
 * bodies, and injected faults: the paths the connector's retry policy is built around.
 */
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_PRIVATE_APP_TOKEN, startHubspotSimulator, type HubspotSimulator } from '../../../src/simulators/hubspot/index.js';

let sim: HubspotSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function get(base: string, path: string, token = DEFAULT_PRIVATE_APP_TOKEN): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }> {
  const response = await request(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: response.statusCode, headers: response.headers, text: await response.body.text() };
}

async function refresh(base: string, form: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await request(`${base}/oauth/v1/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });
  return { status: response.statusCode, body: (await response.body.json()) as Record<string, unknown> };
}

const oauth = { clientId: 'cid', clientSecret: 'csecret', refreshTokens: ['rt-1'], accessTokenTtlMs: 60_000 };

describe('authentication', () => {
  it('rejects a missing or unknown token with INVALID_AUTHENTICATION', async () => {
    sim = await startHubspotSimulator({ contacts: 10 });
    const unknown = await get(sim.url, '/crm/v3/objects/contacts', 'nope');
    expect(unknown.status).toBe(401);
    expect(JSON.parse(unknown.text)).toMatchObject({ status: 'error', category: 'INVALID_AUTHENTICATION' });
    const none = await request(`${sim.url}/crm/v3/objects/contacts`);
    expect(none.statusCode).toBe(401);
    await none.body.dump();
  });

  it('exchanges a refresh token for an access token, which works until it expires', async () => {
    sim = await startHubspotSimulator({ contacts: 10, auth: { privateAppTokens: [], oauth } });
    const grant = await refresh(sim.url, { grant_type: 'refresh_token', client_id: 'cid', client_secret: 'csecret', refresh_token: 'rt-1' });
    expect(grant.status).toBe(200);
    expect(grant.body).toMatchObject({ refresh_token: 'rt-1', expires_in: 60, token_type: 'bearer' });
    const token = String(grant.body.access_token);
    expect((await get(sim.url, '/crm/v3/objects/contacts', token)).status).toBe(200);

    sim.control.expireAccessTokens();
    const expired = await get(sim.url, '/crm/v3/objects/contacts', token);
    expect(expired.status).toBe(401);
    expect(JSON.parse(expired.text)).toMatchObject({ category: 'EXPIRED_AUTHENTICATION' });

    const again = await refresh(sim.url, { grant_type: 'refresh_token', client_id: 'cid', client_secret: 'csecret', refresh_token: 'rt-1' });
    expect((await get(sim.url, '/crm/v3/objects/contacts', String(again.body.access_token))).status).toBe(200);
  });

  it('refuses a bad refresh token or client secret', async () => {
    sim = await startHubspotSimulator({ auth: { oauth } });
    const badToken = await refresh(sim.url, { grant_type: 'refresh_token', client_id: 'cid', client_secret: 'csecret', refresh_token: 'stolen' });
    expect(badToken.status).toBe(400);
    expect(badToken.body.status).toBe('BAD_REFRESH_TOKEN');
    const badSecret = await refresh(sim.url, { grant_type: 'refresh_token', client_id: 'cid', client_secret: 'wrong', refresh_token: 'rt-1' });
    expect(badSecret.body.status).toBe('BAD_CLIENT_SECRET');
  });

  it('expires the presented token after N calls with an expireToken fault', async () => {
    sim = await startHubspotSimulator({ contacts: 10, auth: { oauth } });
    const grant = await refresh(sim.url, { grant_type: 'refresh_token', client_id: 'cid', client_secret: 'csecret', refresh_token: 'rt-1' });
    const token = String(grant.body.access_token);
    sim.faults.add({ kind: 'expireToken', afterCalls: 2, count: 1 });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await get(sim.url, '/crm/v3/objects/contacts', token)).status);
    // Once expired the token stays expired: only a refresh helps.
    expect(statuses).toEqual([200, 200, 401, 401]);
  });
});

describe('rate limits', () => {
  it('sends the X-HubSpot-RateLimit headers and a TEN_SECONDLY_ROLLING 429 when the window is full', async () => {
    sim = await startHubspotSimulator({ contacts: 10, rateLimit: { perTenSeconds: 3, daily: 1000 } });
    const first = await get(sim.url, '/crm/v3/objects/contacts');
    expect(first.headers['x-hubspot-ratelimit-max']).toBe('3');
    expect(first.headers['x-hubspot-ratelimit-remaining']).toBe('2');
    expect(first.headers['x-hubspot-ratelimit-interval-milliseconds']).toBe('10000');
    expect(first.headers['x-hubspot-ratelimit-daily']).toBe('1000');
    expect(first.headers['x-hubspot-ratelimit-daily-remaining']).toBe('999');
    await get(sim.url, '/crm/v3/objects/contacts');
    await get(sim.url, '/crm/v3/objects/contacts');
    const limited = await get(sim.url, '/crm/v3/objects/contacts');
    expect(limited.status).toBe(429);
    expect(limited.headers['x-hubspot-ratelimit-remaining']).toBe('0');
    expect(JSON.parse(limited.text)).toMatchObject({
      status: 'error',
      message: 'You have reached your ten_secondly_rolling limit.',
      errorType: 'RATE_LIMIT',
      policyName: 'TEN_SECONDLY_ROLLING',
    });
    sim.control.resetCounters();
    expect((await get(sim.url, '/crm/v3/objects/contacts')).status).toBe(200);
  });

  it('frees the window as it rolls', async () => {
    sim = await startHubspotSimulator({ contacts: 10, rateLimit: { perTenSeconds: 1, windowMs: 150 } });
    expect((await get(sim.url, '/crm/v3/objects/contacts')).status).toBe(200);
    expect((await get(sim.url, '/crm/v3/objects/contacts')).status).toBe(429);
    await new Promise((r) => setTimeout(r, 200));
    expect((await get(sim.url, '/crm/v3/objects/contacts')).status).toBe(200);
  });

  it('answers DAILY once the daily cap is spent', async () => {
    sim = await startHubspotSimulator({ contacts: 10, rateLimit: { daily: 100 } });
    sim.control.setDailyUsed(100);
    const limited = await get(sim.url, '/crm/v3/objects/contacts');
    expect(limited.status).toBe(429);
    expect(JSON.parse(limited.text)).toMatchObject({ policyName: 'DAILY' });
  });

  it('does not count or log control calls', async () => {
    sim = await startHubspotSimulator({ contacts: 10, rateLimit: { perTenSeconds: 1 } });
    for (let i = 0; i < 3; i++) {
      const res = await request(`${sim.url}/_control/state?type=owners`);
      expect(res.statusCode).toBe(200);
      await res.body.dump();
    }
    expect((await get(sim.url, '/crm/v3/objects/contacts')).status).toBe(200);
    expect(sim.requests.list().map((r) => r.path)).toEqual(['/crm/v3/objects/contacts']);
  });
});

describe('faults', () => {
  it('injects a 429 storm with Retry-After, then recovers', async () => {
    sim = await startHubspotSimulator({ contacts: 10 });
    sim.faults.add({ match: '^GET /crm/v3/objects/contacts$', kind: 'rateLimit', count: 2, retryAfterSeconds: 1 });
    const a = await get(sim.url, '/crm/v3/objects/contacts');
    expect(a.status).toBe(429);
    expect(a.headers['retry-after']).toBe('1');
    expect((await get(sim.url, '/crm/v3/objects/contacts')).status).toBe(429);
    expect((await get(sim.url, '/crm/v3/objects/contacts')).status).toBe(200);
  });

  it('injects 5xx bursts with HubSpot error bodies', async () => {
    sim = await startHubspotSimulator({ contacts: 10 });
    sim.faults.add({ kind: 'status', status: 502, count: 1 });
    const failed = await get(sim.url, '/crm/v3/objects/contacts');
    expect(failed.status).toBe(502);
    expect(JSON.parse(failed.text)).toMatchObject({ status: 'error' });
    expect(sim.requests.list().at(-1)?.status).toBe(502);
  });

  it('resets connections and truncates JSON', async () => {
    sim = await startHubspotSimulator({ contacts: 10 });
    sim.faults.add({ kind: 'reset', count: 1 });
    await expect(get(sim.url, '/crm/v3/objects/contacts')).rejects.toThrow();
    sim.faults.add({ kind: 'malformedJson', count: 1 });
    const truncated = await get(sim.url, '/crm/v3/objects/contacts');
    expect(truncated.status).toBe(200);
    expect(() => JSON.parse(truncated.text)).toThrow();
    expect((await get(sim.url, '/crm/v3/objects/contacts')).status).toBe(200);
  });

  it('adds latency without changing the answer', async () => {
    sim = await startHubspotSimulator({ contacts: 10 });
    sim.faults.add({ kind: 'latency', latencyMs: 50, count: 1 });
    const slow = await get(sim.url, '/crm/v3/objects/contacts');
    expect(slow.status).toBe(200);
    expect(sim.requests.list().at(-1)?.durationMs).toBeGreaterThanOrEqual(45);
  });

  it('can be driven over the HTTP control API', async () => {
    sim = await startHubspotSimulator({ contacts: 10 });
    const add = await request(`${sim.url}/_control/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'status', status: 503, count: 1 }) });
    expect(add.statusCode).toBe(200);
    await add.body.dump();
    expect((await get(sim.url, '/crm/v3/objects/contacts')).status).toBe(503);
    expect((await get(sim.url, '/crm/v3/objects/contacts')).status).toBe(200);
  });
});
