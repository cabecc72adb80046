import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretBox } from '../../../src/crypto.js';
import { createApp } from '../../../src/http/app.js';
import { createConnection } from '../../../src/connections/repository.js';
import { createConnectorCache, type ConnectorCache } from '../../../src/connections/connectors.js';
import { DEFAULT_PRIVATE_APP_TOKEN } from '../../../src/simulators/hubspot/auth.js';
import { startHubspotSimulator, type HubspotSimulator } from '../../../src/simulators/hubspot/index.js';
import { syncConnection } from '../../../src/sync/connection-sync.js';
import { processInbox } from '../../../src/webhooks/inbox.js';
import { createWebhookRouter } from '../../../src/webhooks/router.js';
import { applyHubspotPayloads, hubspotReceiver } from '../../../src/webhooks/hubspot-receiver.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/db.js';
import { FAST_SETTINGS, quietLogger } from '../connectors/hubspot-helpers.js';

const CLIENT_SECRET = 'hubspot-app-client-secret';
const PORTAL_ID = 4242;

/** The webhook path end to end: simulator → signed POST → inbox → processor → store. */
describe('HubSpot webhooks end to end', () => {
  let db: TestDatabase;
  let sim: HubspotSimulator;
  let server: Server;
  let url: string;
  let connectors: ConnectorCache;
  let connectionId: string;
  const secrets = new SecretBox(randomBytes(32));

  beforeAll(async () => {
    db = await createTestDatabase();
    sim = await startHubspotSimulator({ seed: 5, contacts: 200, rateLimit: false });
    const connection = await createConnection(db, secrets, {
      provider: 'HUBSPOT',
      name: 'hs-webhooks',
      credentials: { kind: 'private_app', token: DEFAULT_PRIVATE_APP_TOKEN },
      settings: { baseUrl: sim.url, ...FAST_SETTINGS, webhookSecret: CLIENT_SECRET, portalId: String(PORTAL_ID) },
    });
    connectionId = connection.id;
    const webhooks = createWebhookRouter({ db, secrets, logger: quietLogger, maxBytes: 64 * 1024 }, { hubspot: hubspotReceiver });
    server = createServer(createApp({ db, logger: quietLogger, webhooks }));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/hubspot`;
    sim.control.setWebhook({ url, clientSecret: CLIENT_SECRET, portalId: PORTAL_ID, flushDelayMs: 5, retry: { attempts: 3, baseMs: 5 } });
    connectors = createConnectorCache({ db, secrets, logger: quietLogger });
    await syncConnection({ db, logger: quietLogger }, connectionId, await connectors.get(connectionId), { streams: ['contacts', 'companies'] });
  });
  afterAll(async () => {
    await connectors?.closeAll();
    await sim?.close();
    await new Promise((r) => server?.close(r));
    await db?.close();
  });

  const drain = () => processInbox({ ctx: { db, logger: quietLogger }, connectorFor: (id) => connectors.get(id), handlers: { HUBSPOT: applyHubspotPayloads } });
  const contactRow = (remoteId: string) => db.prisma.contact.findFirstOrThrow({ where: { connectionId, remoteId } });

  it('stores signed events, then applies edits, deletions, merges and association-only changes', async () => {
    const ids = sim.store.allRecords('contacts').map((r) => r.id);
    const [edited, deleted, primary, merged, relinked] = ids;
    const company = sim.store.allRecords('companies').find((c) => !sim.store.associations.targets('contacts', relinked!, 'companies').has(c.id))!.id;
    sim.control.update('contacts', edited!, { jobtitle: 'Head of RevOps' });
    sim.control.archive('contacts', deleted!);
    sim.control.merge('contacts', primary!, merged!);
    sim.control.associate('contacts', relinked!, 'companies', company, { primary: true });
    await sim.control.webhooksIdle();

    const attempts = sim.control.webhookAttempts();
    expect(attempts.length).toBeGreaterThan(0);
    expect(attempts.every((a) => a.status === 200)).toBe(true);
    const stored = await db.prisma.webhookEvent.findMany({ where: { connectionId } });
    expect(stored.length).toBeGreaterThanOrEqual(4);
    expect(stored.every((e) => e.status === 'PENDING')).toBe(true);

    const result = await drain();
    expect(result.processed).toBe(stored.length);
    expect((await contactRow(edited!)).title).toBe('Head of RevOps');
    expect((await contactRow(deleted!)).deletedAt).not.toBeNull();
    expect((await contactRow(merged!)).mergedIntoRemoteId).toBe(primary);
    const links = await db.prisma.association.findMany({ where: { connectionId, fromKind: 'CONTACT', fromRemoteId: relinked! } });
    expect(links.find((l) => l.toRemoteId === company)?.isPrimary).toBe(true);
    expect(await db.prisma.webhookEvent.count({ where: { connectionId, status: 'PROCESSED' } })).toBe(stored.length);
  });

  it('leaves a record live when its deletion is applied after the restore that followed it: HubSpot decides', async () => {
    const target = sim.store.allRecords('contacts').filter((r) => !r.archived).map((r) => r.id)[40]!;
    sim.control.archive('contacts', target);
    await sim.control.webhooksIdle();
    // The deletion's processing is held back (as after a failed attempt) while the contact is restored.
    const held = await db.prisma.webhookEvent.updateMany({ where: { connectionId, status: 'PENDING' }, data: { nextAttemptAt: new Date(Date.now() + 3_600_000) } });
    expect(held.count).toBeGreaterThan(0);
    sim.control.restore('contacts', target);
    await sim.control.webhooksIdle();
    await drain();
    expect((await contactRow(target)).deletedAt).toBeNull();
    await db.prisma.webhookEvent.updateMany({ where: { connectionId, status: 'PENDING' }, data: { nextAttemptAt: new Date() } });
    expect((await drain()).processed).toBe(held.count);
    expect((await contactRow(target)).deletedAt).toBeNull();
  });

  it('applies the good events of a batch and retries only the one that fails, with its own reason', async () => {
    const target = sim.store.allRecords('contacts').filter((r) => !r.archived).map((r) => r.id)[50]!;
    sim.control.update('contacts', target, { jobtitle: 'Chief of Staff' });
    await sim.control.webhooksIdle();
    // Stored by an older version, say: it no longer fits the event schema.
    const broken = await db.prisma.webhookEvent.create({ data: { provider: 'HUBSPOT', eventId: 'broken-1', connectionId, payload: { subscriptionType: 'contact.propertyChange' } } });
    const result = await drain();
    expect(result.processed).toBeGreaterThan(0);
    expect((await contactRow(target)).title).toBe('Chief of Staff');
    expect(await db.prisma.webhookEvent.findUniqueOrThrow({ where: { id: broken.id } })).toMatchObject({ status: 'PENDING', attempts: 1, error: expect.stringMatching(/the stored event does not parse/) });
    expect(await db.prisma.webhookEvent.count({ where: { connectionId, status: 'PENDING', id: { not: broken.id } } })).toBe(0);
    await db.prisma.webhookEvent.delete({ where: { id: broken.id } });
  });

  it('backs off an event whose processing fails, then applies it once the CRM answers again', async () => {
    const target = sim.store.allRecords('contacts').map((r) => r.id)[30]!;
    sim.control.update('contacts', target, { jobtitle: 'Director of Ops' });
    await sim.control.webhooksIdle();
    const fault = sim.faults.add({ match: '^POST /crm/v3/objects/contacts/batch/read', kind: 'status', status: 503 });
    const first = await drain();
    sim.faults.remove(fault.id);
    expect(first.processed).toBe(0);
    const waiting = await db.prisma.webhookEvent.findFirstOrThrow({ where: { connectionId, status: 'PENDING' } });
    expect(waiting.attempts).toBe(1);
    expect(waiting.error).toMatch(/HUBSPOT server/);
    expect(waiting.nextAttemptAt.getTime()).toBeGreaterThan(Date.now());
    // Not retried before its time...
    expect((await drain()).processed).toBe(0);
    // ...and applied once it is due.
    await db.prisma.webhookEvent.updateMany({ where: { status: 'PENDING' }, data: { nextAttemptAt: new Date() } });
    expect((await drain()).processed).toBeGreaterThan(0);
    expect((await contactRow(target)).title).toBe('Director of Ops');
  });

  it('stores a redelivered (duplicate) batch only once', async () => {
    const before = await db.prisma.webhookEvent.count();
    await sim.control.redeliverWebhook();
    await sim.control.webhooksIdle();
    expect(await db.prisma.webhookEvent.count()).toBe(before);
  });

  async function post(body: string, headers: Record<string, string>) {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    return { status: res.status, body: (await res.json()) as { error?: string } };
  }

  function sign(body: string, timestamp: number, secret = CLIENT_SECRET, signedUrl = url) {
    const signature = createHmac('sha256', secret).update(`POST${signedUrl}${body}${timestamp}`).digest('base64');
    return { 'x-hubspot-signature-v3': signature, 'x-hubspot-request-timestamp': String(timestamp) };
  }

  const event = (eventId: number) =>
    JSON.stringify([{ eventId, subscriptionId: 1, portalId: PORTAL_ID, appId: 1, occurredAt: Date.now(), subscriptionType: 'contact.propertyChange', attemptNumber: 0, objectId: 101, changeSource: 'CRM', propertyName: 'jobtitle', propertyValue: 'x' }]);

  it.each([
    ['a forged signature', () => post(event(900001), sign(event(900001), Date.now(), 'wrong-secret')), 401],
    ['a replayed (stale) signature', () => post(event(900002), sign(event(900002), Date.now() - 6 * 60_000)), 401],
    ['no signature', () => post(event(900003), {}), 401],
    ['a malformed body', () => post('{"not":"an array"}', sign('{"not":"an array"}', Date.now())), 400],
    ['invalid JSON', () => post('[{', sign('[{', Date.now())), 400],
    ['an oversized body', () => post(`[${'"x",'.repeat(20_000)}"x"]`, sign(`[${'"x",'.repeat(20_000)}"x"]`, Date.now())), 413],
  ])('answers %s with %i and stores nothing', async (_name, send, status) => {
    const before = await db.prisma.webhookEvent.count();
    const answer = await send();
    expect(answer.status).toBe(status);
    expect(answer.body.error).toBeTruthy();
    expect(await db.prisma.webhookEvent.count()).toBe(before);
  });

  it('applies the generic object.* format as the legacy one', async () => {
    sim.control.setWebhook({ url, clientSecret: CLIENT_SECRET, portalId: PORTAL_ID, flushDelayMs: 5, retry: { attempts: 3, baseMs: 5 }, format: 'generic' });
    try {
      const ids = sim.store.allRecords('contacts').filter((r) => !r.archived).map((r) => r.id);
      const [edited, deleted, relinked] = [ids[40]!, ids[41]!, ids[42]!];
      const company = sim.store.allRecords('companies').find((c) => !sim.store.associations.targets('contacts', relinked, 'companies').has(c.id))!.id;
      sim.control.update('contacts', edited, { jobtitle: 'Chief of Staff' });
      sim.control.archive('contacts', deleted);
      sim.control.associate('contacts', relinked, 'companies', company, { primary: true });
      await sim.control.webhooksIdle();
      const types = new Set((await db.prisma.webhookEvent.findMany({ where: { connectionId, status: 'PENDING' } })).map((e) => (e.payload as { subscriptionType: string }).subscriptionType));
      expect([...types].sort()).toEqual(['object.associationChange', 'object.deletion', 'object.propertyChange']);

      await drain();
      expect((await contactRow(edited)).title).toBe('Chief of Staff');
      expect((await contactRow(deleted)).deletedAt).not.toBeNull();
      const links = await db.prisma.association.findMany({ where: { connectionId, fromKind: 'CONTACT', fromRemoteId: relinked } });
      expect(links.find((l) => l.toRemoteId === company)?.isPrimary).toBe(true);
    } finally {
      sim.control.setWebhook({ url, clientSecret: CLIENT_SECRET, portalId: PORTAL_ID, flushDelayMs: 5, retry: { attempts: 3, baseMs: 5 } });
    }
  });

  it('keeps an event from a portal no connection names, FAILED with that reason', async () => {
    const body = event(900020).replace(`"portalId":${PORTAL_ID}`, '"portalId":999');
    expect((await post(body, sign(body, Date.now()))).body).toEqual({ stored: 1, duplicates: 0 });
    await drain();
    const stored = await db.prisma.webhookEvent.findFirstOrThrow({ where: { eventId: { contains: '900020' } } });
    expect(stored).toMatchObject({ connectionId: null, status: 'FAILED', error: expect.stringMatching(/no connection .* names HubSpot portal 999/) });
  });

  it('hints at PUBLIC_URL when a signature for another scheme or host mismatches, as behind a TLS proxy', async () => {
    const body = event(900030);
    // Signed for the https URL HubSpot called; we received it as plain http from the proxy.
    const answer = await post(body, sign(body, Date.now(), CLIENT_SECRET, url.replace('http://', 'https://')));
    expect(answer.status).toBe(401);
    expect(answer.body.error).toMatch(/signature v3 does not match; if a proxy changes the scheme or host, set PUBLIC_URL/);
  });

  it('accepts a correctly signed delivery and deduplicates a repeat of it', async () => {
    const body = event(900010);
    expect((await post(body, sign(body, Date.now()))).body).toEqual({ stored: 1, duplicates: 0 });
    expect((await post(body, sign(body, Date.now()))).body).toEqual({ stored: 0, duplicates: 1 });
  });
});
