import { createHmac, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../../src/auth/api-keys.js';
import { loadConfig } from '../../../src/config.js';
import { createConnection } from '../../../src/connections/repository.js';
import { createConnectorCache } from '../../../src/connections/connectors.js';
import { SecretBox } from '../../../src/crypto.js';
import { createGraphqlHandler } from '../../../src/graphql/server.js';
import { createApp } from '../../../src/http/app.js';
import { createLogger } from '../../../src/log.js';
import { startHubspotSimulator, type HubspotSimulator } from '../../../src/simulators/hubspot/index.js';
import { syncConnection } from '../../../src/sync/connection-sync.js';
import { createWebhookRouter } from '../../../src/webhooks/router.js';
import { hubspotReceiver } from '../../../src/webhooks/hubspot-receiver.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/db.js';

/** Secrets never reach logs: a sync, webhooks and API calls with known secrets, logged at trace. */
describe('log redaction', () => {
  const lines: string[] = [];
  const logger = createLogger({
    level: 'trace',
    destination: new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    }),
  });
  const secrets = {
    clientSecret: `cs-${randomBytes(12).toString('hex')}`,
    refreshToken: `rt-${randomBytes(12).toString('hex')}`,
    webhookSecret: `wh-${randomBytes(12).toString('hex')}`,
    secretKey: randomBytes(32).toString('hex'),
  };
  const issuedTokens: string[] = [];
  let db: TestDatabase;
  let sim: HubspotSimulator;
  let server: Server;
  let base: string;
  let apiKey: string;
  let signature: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    sim = await startHubspotSimulator({
      seed: 2,
      contacts: 300,
      rateLimit: false,
      auth: { oauth: { clientId: 'app-1', clientSecret: secrets.clientSecret, refreshTokens: [secrets.refreshToken], accessTokenTtlMs: 60_000 } },
    });
    const box = new SecretBox(Buffer.from(secrets.secretKey, 'hex'));
    const connection = await createConnection(db, box, {
      provider: 'HUBSPOT',
      name: 'redaction',
      credentials: { kind: 'oauth', clientId: 'app-1', clientSecret: secrets.clientSecret, refreshToken: secrets.refreshToken },
      settings: { baseUrl: sim.url, rateLimitPerTenSeconds: 100_000, webhookSecret: secrets.webhookSecret },
    });
    const connectors = createConnectorCache({ db, secrets: box, logger });
    const connector = await connectors.get(connection.id);
    // The first call obtains an access token through the refresh grant; remember the one issued.
    const stored = async () => box.open<{ accessToken?: string }>((await db.prisma.connection.findUniqueOrThrow({ where: { id: connection.id } })).credentials);
    const outcomes = await syncConnection({ db, logger }, connection.id, connector, { streams: ['contacts', 'owners'] });
    expect(outcomes.map((o) => o.error ?? o.status)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    issuedTokens.push((await stored()).accessToken!);
    await connectors.closeAll();

    const config = loadConfig({ LOG_LEVEL: 'trace', API_KEY_CACHE_SECONDS: '0' });
    const graphql = await createGraphqlHandler({ db, config, logger });
    const webhooks = createWebhookRouter({ db, secrets: box, logger, maxBytes: 100_000 }, { hubspot: hubspotReceiver });
    server = createServer(createApp({ db, logger, graphql: graphql.handle, webhooks }));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    apiKey = (await createApiKey(db.prisma, { name: 'redaction', scopes: ['admin'] })).key;
  });
  afterAll(async () => {
    await new Promise((r) => server?.close(r));
    await sim?.close();
    await db?.close();
  });

  it('logs the work without any secret in it', async () => {
    const body = JSON.stringify([{ eventId: 1, subscriptionId: 1, portalId: 1, appId: 1, occurredAt: Date.now(), subscriptionType: 'contact.creation', attemptNumber: 0, objectId: 101, changeSource: 'CRM' }]);
    const timestamp = String(Date.now());
    signature = createHmac('sha256', secrets.webhookSecret).update(`POST${base}/webhooks/hubspot${body}${timestamp}`).digest('base64');
    const ok = await fetch(`${base}/webhooks/hubspot`, { method: 'POST', headers: { 'x-hubspot-signature-v3': signature, 'x-hubspot-request-timestamp': timestamp, 'content-type': 'application/json' }, body });
    expect(ok.status).toBe(200);
    const forged = await fetch(`${base}/webhooks/hubspot`, { method: 'POST', headers: { 'x-hubspot-signature-v3': `${signature}x`, 'x-hubspot-request-timestamp': timestamp }, body });
    expect(forged.status).toBe(401);
    const query = (key: string) => fetch(`${base}/graphql`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ contacts(first: 1) { edges { node { id } } } }' }) });
    expect((await query(apiKey)).status).toBe(200);
    expect((await query(`clk_${'x'.repeat(32)}`)).status).toBe(401);
    // Code that carelessly logs a secret is still covered by the logger itself.
    logger.info({ headers: { authorization: `Bearer ${issuedTokens[0]}` }, credentials: { refreshToken: secrets.refreshToken } }, 'careless');
    logger.error(new Error(`call failed: Authorization: Bearer ${issuedTokens[0]} refresh_token=${secrets.refreshToken}`));
    logger.warn({ req: { headers: { 'x-hubspot-signature-v3': signature } } }, 'careless headers');
    logger.warn(`CRM said {"access_token":"${issuedTokens[0]}","client_secret":"${secrets.clientSecret}"}`);

    const log = lines.join('');
    // The logs saw the work being done, so their silence about secrets means something.
    expect(log).toContain('sync run succeeded');
    expect(log).toContain('webhook rejected: signature');
    expect(log).toMatch(/"method":"(GET|POST)"/);
    expect(log).toContain('[REDACTED]');
    for (const secret of [secrets.clientSecret, secrets.refreshToken, secrets.webhookSecret, secrets.secretKey, signature, apiKey, ...issuedTokens]) {
      expect(secret.length).toBeGreaterThan(10);
      expect(log).not.toContain(secret);
    }
  });
});
