import { createHmac, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConnection } from '../../../src/connections/repository.js';
import { SecretBox } from '../../../src/crypto.js';
import { createApp } from '../../../src/http/app.js';
import { createSalesforceConnector } from '../../../src/connectors/salesforce/index.js';
import { CrmError } from '../../../src/connectors/types.js';
import { processInbox, type EventHandler } from '../../../src/webhooks/inbox.js';
import { createWebhookRouter } from '../../../src/webhooks/router.js';
import { applySalesforcePayloads, salesforceReceiver } from '../../../src/webhooks/salesforce-receiver.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/db.js';
import { quietLogger } from '../connectors/hubspot-helpers.js';

/** The relay's signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>. */
const sign = (body: string, secret: string) => {
  const t = Math.floor(Date.now() / 1000);
  return `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`;
};

/** Routing Salesforce change events by the secret that signed them. */
describe('Salesforce change events at /webhooks/salesforce', () => {
  let db: TestDatabase;
  let server: Server;
  let url: string;
  const secrets = new SecretBox(randomBytes(32));

  beforeAll(async () => {
    db = await createTestDatabase();
    for (const name of ['sf-emea', 'sf-amer']) {
      await createConnection(db, secrets, { provider: 'SALESFORCE', name, credentials: { kind: 'password' }, settings: { webhookSecret: 'reused-secret' } });
    }
    const webhooks = createWebhookRouter({ db, secrets, logger: quietLogger, maxBytes: 64 * 1024 }, { salesforce: salesforceReceiver });
    server = createServer(createApp({ db, logger: quietLogger, webhooks }));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/salesforce`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await db?.close();
  });

  it('keeps events whose secret several connections share, FAILED with the fix, instead of applying them to one of them', async () => {
    const body = JSON.stringify({
      events: [
        {
          ChangeEventHeader: {
            entityName: 'Contact', recordIds: ['003000000000001AAA'], changeType: 'UPDATE', changedFields: ['Title'], commitTimestamp: Date.now(),
            commitNumber: 1, commitUser: '005000000000001AAA', transactionKey: 'tx-shared', sequenceNumber: 1, changeOrigin: '',
          },
          Title: 'CTO',
        },
      ],
    });
    const answer = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-context-layer-signature': sign(body, 'reused-secret') }, body });
    expect([answer.status, await answer.json()]).toEqual([200, { stored: 1, duplicates: 0 }]);
    const result = await processInbox({ ctx: { db, logger: quietLogger }, connectorFor: () => Promise.reject(new Error('no connector is needed')), handlers: { SALESFORCE: applySalesforcePayloads } });
    expect(result.failed).toBe(1);
    const stored = await db.prisma.webhookEvent.findFirstOrThrow({ where: { provider: 'SALESFORCE' } });
    expect(stored).toMatchObject({ connectionId: null, status: 'FAILED', error: expect.stringMatching(/2 connections \(sf-emea, sf-amer\) share this webhook secret/) });
  });

  it('pauses the connection for a limit even when another event of the batch failed first for another reason', async () => {
    const connection = await createConnection(db, secrets, { provider: 'SALESFORCE', name: 'sf-limited', credentials: { kind: 'password' }, settings: {} });
    await db.prisma.webhookEvent.createMany({
      data: ['first', 'second', 'third'].map((eventId) => ({ provider: 'SALESFORCE' as const, eventId, connectionId: connection.id, payload: {} })),
    });
    // How each event's re-read ended: an outage, the daily limit, and success.
    const resumeAt = new Date(Date.now() + 3_600_000);
    const outcomes: EventHandler = async () =>
      new Map([
        [0, new CrmError('SALESFORCE', 'server', 'Salesforce answered 503')],
        [1, new CrmError('SALESFORCE', 'limit_exhausted', 'REQUEST_LIMIT_EXCEEDED', { resumeAt })],
      ]);
    // Never called by this handler; built as the inbox would, without contacting Salesforce.
    const connector = createSalesforceConnector({ credentials: { kind: 'password', clientId: 'c', clientSecret: 's', username: 'u', password: 'p' }, logger: quietLogger });
    const result = await processInbox({ ctx: { db, logger: quietLogger }, connectorFor: async () => connector, handlers: { SALESFORCE: outcomes } });
    expect(result.processed).toBe(1);
    expect((await db.prisma.connection.findUniqueOrThrow({ where: { id: connection.id } })).pausedUntil).toEqual(resumeAt);
    const events = await db.prisma.webhookEvent.findMany({ where: { connectionId: connection.id }, orderBy: { eventId: 'asc' } });
    expect(events.map((e) => [e.eventId, e.status, e.error])).toEqual([
      ['first', 'PENDING', expect.stringMatching(/503/)],
      ['second', 'PENDING', expect.stringMatching(/REQUEST_LIMIT_EXCEEDED/)],
      ['third', 'PROCESSED', null],
    ]);
    await connector.close();
  });
});
