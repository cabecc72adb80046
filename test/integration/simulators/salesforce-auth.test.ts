import { createSign } from 'node:crypto';
import { Connection } from 'jsforce';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSalesforceSimulator, type SalesforceSimulator } from '../../../src/simulators/salesforce/index.js';

const JWT_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/** Signed here with node:crypto, independently of the simulator's own helper, to prove interop. */
function jwtAssertion(privateKey: string, claims: Record<string, unknown>): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const unsigned = `${encode({ alg: 'RS256' })}.${encode(claims)}`;
  return `${unsigned}.${createSign('RSA-SHA256').update(unsigned).sign(privateKey).toString('base64url')}`;
}

let sf: SalesforceSimulator;

function newConnection(): Connection {
  return new Connection({
    oauth2: { loginUrl: sf.loginUrl, clientId: sf.credentials.clientId, clientSecret: sf.credentials.clientSecret },
    version: '61.0',
  });
}

beforeAll(async () => {
  sf = await startSalesforceSimulator({ seed: 11, contacts: 30 });
});

afterAll(async () => {
  await sf.close();
});

beforeEach(() => {
  sf.faults.clear();
  sf.control.rejectRefreshedTokens(false);
});

describe('Salesforce simulator OAuth', () => {
  it('logs in with username-password and serves the API on a separate instance host', async () => {
    const conn = newConnection();
    const userInfo = await conn.login(sf.credentials.username, sf.credentials.password);
    expect(userInfo.organizationId).toBe(sf.orgId);
    expect(conn.instanceUrl).toBe(sf.instanceUrl);
    expect(new URL(sf.instanceUrl).port).not.toBe(new URL(sf.loginUrl).port);
    const result = await conn.query<{ Id: string }>('SELECT Id FROM User');
    expect(result.totalSize).toBeGreaterThan(1);

    // A client that ignores instance_url and stays on the login host gets nothing.
    const wrongHost = await fetch(`${sf.loginUrl}/services/data/v61.0/query?q=SELECT+Id+FROM+User`, {
      headers: { authorization: `Bearer ${conn.accessToken}` },
    });
    expect(wrongHost.status).toBe(404);
  });

  it('rejects bad passwords and unknown clients with OAuth errors', async () => {
    await expect(newConnection().login(sf.credentials.username, 'wrong')).rejects.toMatchObject({ name: 'invalid_grant', message: 'authentication failure' });
    const stranger = new Connection({ oauth2: { loginUrl: sf.loginUrl, clientId: 'nope', clientSecret: 'nope' } });
    await expect(stranger.login(sf.credentials.username, sf.credentials.password)).rejects.toMatchObject({ name: 'invalid_client_id' });
  });

  it('authorizes with a JWT bearer assertion and returns no refresh token', async () => {
    const privateKey = sf.credentials.jwtPrivateKey as string;
    const claims = { iss: sf.credentials.clientId, sub: sf.credentials.username, aud: sf.loginUrl, exp: Math.floor(Date.now() / 1000) + 180 };
    const conn = newConnection();
    const userInfo = await conn.authorize({ grant_type: JWT_GRANT, assertion: jwtAssertion(privateKey, claims) });
    expect(userInfo.organizationId).toBe(sf.orgId);
    expect(conn.refreshToken).toBeUndefined();
    expect((await conn.query('SELECT COUNT() FROM Contact')).totalSize).toBeGreaterThan(0);

    await expect(newConnection().authorize({ grant_type: JWT_GRANT, assertion: jwtAssertion(privateKey, { ...claims, aud: 'https://login.salesforce.com' }) }))
      .rejects.toMatchObject({ name: 'invalid_grant', message: 'audience is invalid' });
    await expect(newConnection().authorize({ grant_type: JWT_GRANT, assertion: jwtAssertion(privateKey, { ...claims, exp: Math.floor(Date.now() / 1000) - 10 }) }))
      .rejects.toMatchObject({ name: 'invalid_grant' });
    const forged = jwtAssertion(privateKey, claims).replace(/\.[^.]+$/, '.AAAA');
    await expect(newConnection().authorize({ grant_type: JWT_GRANT, assertion: forged })).rejects.toMatchObject({ name: 'invalid_grant' });
  });

  it('lets a connection built from a stored refresh token refresh itself', async () => {
    const seedConn = newConnection();
    await seedConn.authorize({ grant_type: 'password', username: sf.credentials.username, password: sf.credentials.password });
    const refreshToken = seedConn.refreshToken as string;
    expect(refreshToken).toMatch(/^5Aep/);

    const conn = new Connection({
      oauth2: { loginUrl: sf.loginUrl, clientId: sf.credentials.clientId, clientSecret: sf.credentials.clientSecret },
      instanceUrl: sf.instanceUrl,
      accessToken: 'stale-token',
      refreshToken,
      version: '61.0',
    });
    const refreshed: string[] = [];
    conn.on('refresh', (token: string) => refreshed.push(token));
    expect((await conn.query('SELECT COUNT() FROM Lead')).totalSize).toBeGreaterThan(0);
    expect(refreshed).toHaveLength(1);
    expect(conn.accessToken).toBe(refreshed[0]);
  });

  it('expires sessions with 401 INVALID_SESSION_ID; jsforce refreshes, emits refresh and replays the call', async () => {
    const conn = newConnection();
    await conn.authorize({ grant_type: 'password', username: sf.credentials.username, password: sf.credentials.password });
    const before = conn.accessToken;
    const refreshCountBefore = sf.control.refreshCount;
    const events: string[] = [];
    conn.on('refresh', (token: string) => events.push(token));

    sf.control.expireSessions();
    sf.requests.clear();
    const result = await conn.query<{ Id: string }>('SELECT Id FROM Contact LIMIT 3');

    expect(result.records).toHaveLength(3);
    expect(events).toHaveLength(1);
    expect(events[0]).not.toBe(before);
    expect(conn.accessToken).toBe(events[0]);
    expect(sf.control.refreshCount).toBe(refreshCountBefore + 1);
    expect(sf.requests.list().map((entry) => entry.status)).toEqual([401, 200, 200]);

    const raw = await fetch(`${sf.instanceUrl}/services/data/v61.0/limits`, { headers: { authorization: `Bearer ${before}` } });
    expect(raw.status).toBe(401);
    expect(await raw.json()).toEqual([{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]);
  });

  it('makes a server that keeps answering 401 after refresh observable', async () => {
    const conn = newConnection();
    await conn.authorize({ grant_type: 'password', username: sf.credentials.username, password: sf.credentials.password });
    sf.control.rejectRefreshedTokens(true);
    sf.control.expireSessions();
    let refreshes = 0;
    // jsforce would refresh forever; after three rounds we revoke the refresh token to end the loop.
    conn.on('refresh', () => {
      refreshes += 1;
      if (refreshes === 3) sf.control.revokeRefreshTokens();
    });
    await expect(conn.query('SELECT Id FROM Contact LIMIT 1')).rejects.toThrow(/Unable to refresh session due to: expired access\/refresh token/);
    expect(refreshes).toBe(3);
  });
});
