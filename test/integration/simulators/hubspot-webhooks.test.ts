/**
 * Webhooks from UI edits (the control API): batched arrays of HubSpot-shaped events, signed
 * with signature v3 and verified here exactly as a receiver would, retried with an
 * incremented attemptNumber when the receiver fails or is slow, and redeliverable as duplicates.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Signature } from '@hubspot/api-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startHubspotSimulator, type HubspotSimulator, type WebhookEvent } from '../../../src/simulators/hubspot/index.js';

interface Delivery {
  headers: IncomingHttpHeaders;
  raw: string;
  events: WebhookEvent[];
}

const SECRET = 'app-client-secret';
let receiver: Server;
let receiverUrl: string;
let deliveries: Delivery[];
/** Decides the status of each delivery; may delay. */
let respond: (index: number) => Promise<number>;
let sim: HubspotSimulator;

beforeEach(async () => {
  deliveries = [];
  respond = () => Promise.resolve(204);
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const index = deliveries.push({ headers: req.headers, raw, events: JSON.parse(raw) as WebhookEvent[] }) - 1;
      void respond(index).then((status) => {
        if (!res.destroyed) res.writeHead(status).end();
      });
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks/hubspot?tenant=a`;
  sim = await startHubspotSimulator({
    contacts: 40,
    webhook: { url: receiverUrl, clientSecret: SECRET, appId: 77, portalId: 88, maxBatch: 100, retry: { attempts: 4, baseMs: 5, timeoutMs: 200 } },
  });
});

afterEach(async () => {
  await sim.close();
  receiver.closeAllConnections();
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
});

/** A receiver's check: recompute v3 over method + full URI + raw body + timestamp, compare in constant time. */
function verify(delivery: Delivery): boolean {
  const timestamp = String(delivery.headers['x-hubspot-request-timestamp']);
  const expected = createHmac('sha256', SECRET).update(`POST${receiverUrl}${delivery.raw}${timestamp}`).digest();
  const given = Buffer.from(String(delivery.headers['x-hubspot-signature-v3']), 'base64');
  const fresh = Date.now() - Number(timestamp) < 300_000;
  return fresh && given.length === expected.length && timingSafeEqual(given, expected);
}

describe('webhooks', () => {
  it('sends signed batches of property changes, verifiable with our check and the official SDK', async () => {
    const contact = sim.store.page('contacts', { archived: false, after: 0, limit: 1 }).records[0];
    sim.control.update('contacts', contact?.id ?? '', { lifecyclestage: 'customer', jobtitle: 'Head of RevOps' });
    await sim.control.webhooksIdle();
    expect(deliveries).toHaveLength(1);
    const delivery = deliveries[0] as Delivery;
    expect(verify(delivery)).toBe(true);
    expect(Signature.isValid({
      signature: String(delivery.headers['x-hubspot-signature-v3']),
      clientSecret: SECRET,
      requestBody: delivery.raw,
      signatureVersion: 'v3',
      method: 'POST',
      url: receiverUrl,
      timestamp: Number(delivery.headers['x-hubspot-request-timestamp']),
    })).toBe(true);
    expect(verify({ ...delivery, raw: delivery.raw.replace('customer', 'lead') })).toBe(false);
    const changed = delivery.events.filter((e) => e.subscriptionType === 'contact.propertyChange');
    expect(changed.map((e) => [e.propertyName, e.propertyValue]).sort()).toEqual([['jobtitle', 'Head of RevOps'], ['lifecyclestage', 'customer']]);
    for (const event of delivery.events) {
      expect(event).toMatchObject({ objectId: Number(contact?.id), portalId: 88, appId: 77, attemptNumber: 0, changeSource: 'CRM_UI' });
      expect(typeof event.eventId).toBe('number');
      expect(typeof event.occurredAt).toBe('number');
    }
  });

  it('reports creation, deletion, restore, merge and association changes with HubSpot fields', async () => {
    const a = sim.control.create('contacts', { email: 'a@merge.example' });
    const b = sim.control.create('contacts', { email: 'b@merge.example', jobtitle: 'CTO' });
    const company = sim.store.page('companies', { archived: false, after: 0, limit: 1 }).records[0];
    sim.control.associate('contacts', a.id, 'companies', company?.id ?? '', { primary: true });
    sim.control.dissociate('contacts', a.id, 'companies', company?.id ?? '');
    sim.control.merge('contacts', a.id, b.id);
    sim.control.archive('contacts', a.id);
    sim.control.restore('contacts', a.id);
    await sim.control.webhooksIdle();
    const events = deliveries.flatMap((d) => d.events);
    expect(events.map((e) => e.subscriptionType)).toEqual([
      'contact.creation', 'contact.creation', 'contact.associationChange', 'contact.associationChange',
      'contact.merge', 'contact.deletion', 'contact.restore',
    ]);
    expect(events[2]).toMatchObject({ fromObjectId: Number(a.id), toObjectId: Number(company?.id), associationType: 'CONTACT_TO_COMPANY', associationRemoved: false, isPrimaryAssociation: true });
    expect(events[3]).toMatchObject({ associationRemoved: true });
    expect(events[4]).toMatchObject({ objectId: Number(a.id), primaryObjectId: Number(a.id), mergedObjectIds: [Number(b.id)] });
    expect(new Set(events.map((e) => e.eventId)).size).toBe(events.length);
    // After the merge the merged id answers with the primary, which took over the missing values.
    expect(sim.store.get('contacts', b.id)?.id).toBe(a.id);
    expect(sim.store.get('contacts', a.id)?.properties.jobtitle).toBe('CTO');
  });

  it('splits many events into batches of maxBatch', async () => {
    sim.control.setWebhook({ url: receiverUrl, clientSecret: SECRET, maxBatch: 2, retry: { attempts: 1 } });
    for (let i = 0; i < 5; i++) sim.control.create('companies', { name: `Co ${i}` });
    await sim.control.webhooksIdle();
    expect(deliveries.map((d) => d.events.length)).toEqual([2, 2, 1]);
    expect(deliveries.every(verify)).toBe(true);
  });

  it('retries failed and slow deliveries with an incremented attemptNumber and a fresh signature', async () => {
    respond = async (index) => {
      if (index === 0) return 500;
      if (index === 1) await new Promise((r) => setTimeout(r, 400));
      return 200;
    };
    sim.control.create('deals', { dealname: 'Retry me' });
    await sim.control.webhooksIdle();
    expect(deliveries.map((d) => d.events[0]?.attemptNumber)).toEqual([0, 1, 2]);
    expect(new Set(deliveries.map((d) => d.events[0]?.eventId)).size).toBe(1);
    expect(deliveries.every(verify)).toBe(true);
    const attempts = sim.control.webhookAttempts();
    expect(attempts.map((a) => a.status ?? 'timeout')).toEqual([500, 'timeout', 200]);
  });

  it('gives up after the attempt limit', async () => {
    respond = () => Promise.resolve(503);
    sim.control.create('deals', { dealname: 'Never delivered' });
    await sim.control.webhooksIdle();
    expect(deliveries).toHaveLength(4);
  });

  it('redelivers a batch unchanged, as the duplicate receivers must absorb', async () => {
    sim.control.create('contacts', { email: 'dup@example.com' });
    await sim.control.webhooksIdle();
    await sim.control.redeliverWebhook();
    expect(deliveries).toHaveLength(2);
    expect(deliveries[1]?.events.map((e) => e.eventId)).toEqual(deliveries[0]?.events.map((e) => e.eventId));
    expect(sim.control.webhookAttempts()[1]?.duplicate).toBe(true);
  });

  it('stays quiet for API writes unless asked, like a write-back that should not echo', async () => {
    const response = await fetch(`${sim.url}/crm/v3/objects/contacts`, {
      method: 'POST',
      headers: { authorization: 'Bearer pat-na1-simulator-token', 'content-type': 'application/json' },
      body: JSON.stringify({ properties: { email: 'api@write.example' } }),
    });
    expect(response.status).toBe(201);
    await sim.control.webhooksIdle();
    expect(deliveries).toHaveLength(0);
  });
});
