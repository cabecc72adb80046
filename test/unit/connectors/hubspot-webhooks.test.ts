import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { applyHubspotEvents, hubspotEventId, parseHubspotEvents, verifyHubspotSignature, type HubspotEvent } from '../../../src/connectors/hubspot/webhooks.js';
import type { RecordActions } from '../../../src/connectors/types.js';

const secret = 'app-client-secret';
const uri = 'https://hooks.example.com/webhooks/hubspot?connection=abc';
const body = JSON.stringify([{ eventId: 1, portalId: 62515, occurredAt: 1, subscriptionType: 'contact.creation', objectId: 101 }]);
const now = 1_750_000_000_000;

function v3(method: string, signedUri: string, raw: string, timestamp: number): string {
  return createHmac('sha256', secret).update(`${method}${signedUri}${raw}${timestamp}`).digest('base64');
}

describe('verifyHubspotSignature', () => {
  it('accepts a valid v3 signature within five minutes', () => {
    const ts = now - 60_000;
    const headers = { 'X-HubSpot-Signature-v3': v3('POST', uri, body, ts), 'X-HubSpot-Request-Timestamp': String(ts) };
    expect(verifyHubspotSignature({ method: 'POST', uri, rawBody: Buffer.from(body), headers, clientSecret: secret, now })).toEqual({ ok: true });
  });

  it('rejects stale timestamps, tampered bodies, wrong secrets and malformed signatures', () => {
    const stale = now - 6 * 60_000;
    const check = (headers: Record<string, string>, raw = body, clientSecret = secret) => verifyHubspotSignature({ method: 'POST', uri, rawBody: raw, headers, clientSecret, now });
    expect(check({ 'x-hubspot-signature-v3': v3('POST', uri, body, stale), 'x-hubspot-request-timestamp': String(stale) })).toMatchObject({ ok: false, reason: expect.stringMatching(/window \(360 s from this server's clock, ±300 s allowed\)/) });
    expect(check({ 'x-hubspot-signature-v3': v3('POST', uri, body, now), 'x-hubspot-request-timestamp': String(now) }, body.replace('101', '102'))).toMatchObject({ ok: false });
    expect(check({ 'x-hubspot-signature-v3': v3('POST', uri, body, now), 'x-hubspot-request-timestamp': String(now) }, body, 'other-secret')).toMatchObject({ ok: false });
    expect(check({ 'x-hubspot-signature-v3': 'short', 'x-hubspot-request-timestamp': String(now) })).toMatchObject({ ok: false });
    expect(check({ 'x-hubspot-signature-v3': v3('POST', uri, body, now) })).toMatchObject({ ok: false, reason: expect.stringMatching(/Timestamp/) });
    expect(check({})).toMatchObject({ ok: false, reason: expect.stringMatching(/no HubSpot signature/) });
  });

  it('signs over the URI with HubSpot-decoded characters', () => {
    const encoded = 'https://hooks.example.com/webhooks/hubspot?x=a%3Ab';
    const headers = { 'x-hubspot-signature-v3': v3('POST', 'https://hooks.example.com/webhooks/hubspot?x=a:b', body, now), 'x-hubspot-request-timestamp': String(now) };
    expect(verifyHubspotSignature({ method: 'POST', uri: encoded, rawBody: body, headers, clientSecret: secret, now })).toEqual({ ok: true });
  });

  it('accepts legacy v1 signatures (sha256 hex of secret + body)', () => {
    const signature = createHash('sha256').update(`${secret}${body}`).digest('hex');
    const headers = { 'x-hubspot-signature': signature, 'x-hubspot-signature-version': 'v1' };
    expect(verifyHubspotSignature({ method: 'POST', uri, rawBody: body, headers, clientSecret: secret, now })).toEqual({ ok: true });
    expect(verifyHubspotSignature({ method: 'POST', uri, rawBody: `${body} `, headers, clientSecret: secret, now })).toMatchObject({ ok: false });
  });
});

describe('parseHubspotEvents', () => {
  it('parses an event array and rejects anything else', () => {
    const parsed = parseHubspotEvents(JSON.parse(body));
    expect(parsed).toMatchObject({ ok: true, events: [{ eventId: '1', objectId: '101', portalId: '62515', subscriptionType: 'contact.creation' }] });
    expect(parseHubspotEvents({ events: [] })).toMatchObject({ ok: false });
    expect(parseHubspotEvents([{ eventId: 1 }])).toMatchObject({ ok: false });
  });

  it('gives a retried delivery the same id and different events different ids', () => {
    const [a] = (parseHubspotEvents([{ eventId: 7, portalId: 1, occurredAt: 5, subscriptionType: 'deal.propertyChange', objectId: 9, propertyName: 'amount', attemptNumber: 0 }]) as { events: HubspotEvent[] }).events;
    const [retry] = (parseHubspotEvents([{ eventId: 7, portalId: 1, occurredAt: 5, subscriptionType: 'deal.propertyChange', objectId: 9, propertyName: 'amount', attemptNumber: 3 }]) as { events: HubspotEvent[] }).events;
    const [other] = (parseHubspotEvents([{ eventId: 7, portalId: 1, occurredAt: 5, subscriptionType: 'deal.propertyChange', objectId: 9, propertyName: 'dealstage' }]) as { events: HubspotEvent[] }).events;
    expect(hubspotEventId(a!)).toBe(hubspotEventId(retry!));
    expect(hubspotEventId(a!)).not.toBe(hubspotEventId(other!));
  });
});

describe('applyHubspotEvents', () => {
  function recorder(): { actions: RecordActions; calls: string[] } {
    const calls: string[] = [];
    return {
      calls,
      actions: {
        refresh: async (stream, ids) => {
      calls.push(`refresh ${stream} ${[...ids].sort().join(',')}`);
      return [];
    },
        markMerged: async (stream, merged, survivor) => void calls.push(`merge ${stream} ${merged.join(',')}→${survivor}`),
      },
    };
  }
  const event = (e: Record<string, unknown>): HubspotEvent => {
    const parsed = parseHubspotEvents([{ eventId: 1, portalId: 1, occurredAt: 100, objectId: 1, ...e }]);
    if (!parsed.ok) throw new Error(parsed.reason);
    return parsed.events[0]!;
  };

  it('groups re-reads per stream (deletions included), merges and follows links to their canonical holder', async () => {
    const { actions, calls } = recorder();
    const summary = await applyHubspotEvents(
      [
        event({ subscriptionType: 'contact.creation', objectId: 11 }),
        event({ subscriptionType: 'contact.propertyChange', objectId: 12, propertyName: 'email' }),
        event({ subscriptionType: 'contact.propertyChange', objectId: 11, propertyName: 'phone' }),
        event({ subscriptionType: 'company.deletion', objectId: 500 }),
        event({ subscriptionType: 'contact.privacyDeletion', objectId: 13 }),
        event({ subscriptionType: 'deal.restore', objectId: 900 }),
        event({ subscriptionType: 'contact.merge', objectId: 20, primaryObjectId: 20, mergedObjectIds: [21, 22] }),
        event({ subscriptionType: 'company.associationChange', objectId: 501, associationType: 'COMPANY_TO_CONTACT', fromObjectId: 501, toObjectId: 14 }),
        event({ subscriptionType: 'contact.associationChange', objectId: 15, associationType: 'CONTACT_TO_DEAL', fromObjectId: 15, toObjectId: 901 }),
        event({ subscriptionType: 'ticket.creation', objectId: 3 }),
      ],
      actions,
    );
    expect(calls).toEqual(['merge contacts 21,22→20', 'refresh contacts 11,12,13,14,20', 'refresh companies 500', 'refresh deals 900,901']);
    expect(summary).toEqual({ refreshed: 8, merged: 2, ignored: 1, failures: new Map() });
  });

  it('reads generic object.* events by objectTypeId, engagements included', async () => {
    const { actions, calls } = recorder();
    const summary = await applyHubspotEvents(
      [
        event({ subscriptionType: 'object.creation', objectTypeId: '0-1', objectId: 11 }),
        event({ subscriptionType: 'object.propertyChange', objectTypeId: '0-48', objectId: 70, propertyName: 'hs_call_body' }),
        event({ subscriptionType: 'object.deletion', objectTypeId: '0-3', objectId: 900 }),
        event({ subscriptionType: 'object.merge', objectTypeId: '0-2', objectId: 30, primaryObjectId: 30, mergedObjectIds: [31] }),
        event({ subscriptionType: 'object.associationChange', objectId: 901, fromObjectTypeId: '0-3', toObjectTypeId: '0-1', fromObjectId: 901, toObjectId: 12 }),
        // A note's links are the note's: refresh the note, not the contact.
        event({ subscriptionType: 'object.associationChange', objectId: 80, fromObjectTypeId: '0-1', toObjectTypeId: '0-46', fromObjectId: 13, toObjectId: 80 }),
        event({ subscriptionType: 'object.creation', objectTypeId: '0-5', objectId: 3 }), // a ticket: not synced
        event({ subscriptionType: 'object.creation', objectId: 4 }), // no type id: cannot be placed
      ],
      actions,
    );
    expect(calls).toEqual(['merge companies 31→30', 'refresh contacts 11', 'refresh calls 70', 'refresh deals 900,901', 'refresh companies 30', 'refresh notes 80']);
    expect(summary).toEqual({ refreshed: 6, merged: 1, ignored: 2, failures: new Map() });
  });

  it('fails only the events naming a record that cannot be normalized, or a stream whose read failed', async () => {
    const read: string[] = [];
    const actions: RecordActions = {
      refresh: async (stream, ids) => {
        read.push(`${stream} ${[...ids].sort().join(',')}`);
        if (stream === 'companies') throw new Error('HubSpot answered 503');
        return stream === 'contacts' ? [{ remoteId: '12', reason: 'email is not a string' }] : [];
      },
      markMerged: async () => undefined,
    };
    const summary = await applyHubspotEvents(
      [
        event({ subscriptionType: 'contact.propertyChange', objectId: 11, propertyName: 'phone' }),
        event({ subscriptionType: 'contact.propertyChange', objectId: 12, propertyName: 'email' }),
        event({ subscriptionType: 'company.creation', objectId: 500 }),
        event({ subscriptionType: 'deal.creation', objectId: 900 }),
        event({ subscriptionType: 'contact.creation', objectId: 12 }),
      ],
      actions,
    );
    // Every stream is still read: the failing companies read does not stop the deals.
    expect(read).toEqual(['contacts 11,12', 'companies 500', 'deals 900']);
    expect([...summary.failures].map(([index, error]) => [index, error.message])).toEqual([
      [1, 'contacts 12 could not be normalized: email is not a string'],
      [4, 'contacts 12 could not be normalized: email is not a string'],
      [2, 'HubSpot answered 503'],
    ]);
  });

  it('fails every event of a stream when a failed record cannot be traced to the event that named it', async () => {
    const actions: RecordActions = {
      // A merged-away id reads as its survivor: the failure names an id no event named.
      refresh: async (stream) => (stream === 'contacts' ? [{ remoteId: '77', reason: 'bad phone' }] : []),
      markMerged: async () => undefined,
    };
    const summary = await applyHubspotEvents(
      [
        event({ subscriptionType: 'contact.propertyChange', objectId: 11, propertyName: 'phone' }),
        event({ subscriptionType: 'deal.creation', objectId: 900 }),
        event({ subscriptionType: 'contact.creation', objectId: 12 }),
      ],
      actions,
    );
    expect([...summary.failures.keys()].sort()).toEqual([0, 2]);
    expect(summary.failures.get(0)?.message).toBe('contacts 77 could not be normalized: bad phone');
  });

  it('re-reads deleted and restored records alike, so a late delivery cannot undo a restore', async () => {
    const { actions, calls } = recorder();
    await applyHubspotEvents(
      [
        event({ subscriptionType: 'deal.restore', objectId: 7, occurredAt: 300 }),
        event({ subscriptionType: 'deal.deletion', objectId: 7, occurredAt: 200 }),
        event({ subscriptionType: 'deal.creation', objectId: 8, occurredAt: 100 }),
        event({ subscriptionType: 'deal.deletion', objectId: 8, occurredAt: 400 }),
      ],
      actions,
    );
    // HubSpot's current answer decides: an archived deal reads as missing and becomes a tombstone.
    expect(calls).toEqual(['refresh deals 7,8']);
  });
});
