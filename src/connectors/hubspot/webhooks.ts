/**
 * HubSpot webhook deliveries: signature checks on the raw body, zod parsing of the event
 * array, and turning events into store actions. Events are hints, not data: they are not
 * ordered, may repeat, and carry at most one property, so a changed record is re-read from
 * HubSpot (refresh) rather than patched from the payload.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { EventTargets } from '../event-targets.js';
import type { EventFailures, RecordActions } from '../types.js';

export type SignatureCheck = { ok: true } | { ok: false; reason: string };

export interface SignatureInput {
  method: string;
  /** The full URI HubSpot called, as configured in the app (scheme, host, path and query). */
  uri: string;
  rawBody: Buffer | string;
  headers: Record<string, string | string[] | undefined>;
  clientSecret: string;
  now?: number;
  maxAgeMs?: number;
}

const FIVE_MINUTES = 5 * 60_000;

/** HubSpot signs v3 over the URI with these characters decoded. */
const URI_DECODINGS: Record<string, string> = {
  '%3A': ':', '%2F': '/', '%3F': '?', '%40': '@', '%21': '!', '%24': '$', '%27': "'", '%28': '(', '%29': ')', '%2A': '*', '%2C': ',', '%3B': ';',
};

function decodeSignedUri(uri: string): string {
  return uri.replace(/%(3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)/gi, (m) => URI_DECODINGS[m.toUpperCase()] ?? m);
}

function header(headers: SignatureInput['headers'], name: string): string | undefined {
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name) return Array.isArray(value) ? value[0] : value;
  }
  return undefined;
}

/** Constant-time for equal lengths; different lengths fail without comparing. */
function sameSecret(expected: string, provided: string): boolean {
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(provided, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

export function verifyHubspotSignature(input: SignatureInput): SignatureCheck {
  const body = typeof input.rawBody === 'string' ? input.rawBody : input.rawBody.toString('utf8');
  const v3 = header(input.headers, 'x-hubspot-signature-v3');
  if (v3 !== undefined) {
    const timestamp = header(input.headers, 'x-hubspot-request-timestamp');
    if (timestamp === undefined || !/^\d+$/.test(timestamp)) return { ok: false, reason: 'missing or invalid X-HubSpot-Request-Timestamp' };
    const age = (input.now ?? Date.now()) - Number(timestamp);
    // Replays are refused; so are timestamps from the future beyond the same tolerance.
    const maxAgeMs = input.maxAgeMs ?? FIVE_MINUTES;
    if (Math.abs(age) > maxAgeMs) {
      // Also what a server clock off by more than the window looks like: say by how much.
      return { ok: false, reason: `request timestamp is outside the allowed window (${Math.round(age / 1000)} s from this server's clock, ±${maxAgeMs / 1000} s allowed)` };
    }
    const message = `${input.method.toUpperCase()}${decodeSignedUri(input.uri)}${body}${timestamp}`;
    const expected = createHmac('sha256', input.clientSecret).update(message, 'utf8').digest('base64');
    return sameSecret(expected, v3) ? { ok: true } : { ok: false, reason: 'signature v3 does not match' };
  }
  const legacy = header(input.headers, 'x-hubspot-signature');
  if (legacy === undefined) return { ok: false, reason: 'no HubSpot signature header' };
  const version = (header(input.headers, 'x-hubspot-signature-version') ?? 'v1').toLowerCase();
  // Legacy apps: v1 = sha256(secret + body), v2 = sha256(secret + method + uri + body), both hex.
  const source =
    version === 'v1' ? `${input.clientSecret}${body}` : version === 'v2' ? `${input.clientSecret}${input.method.toUpperCase()}${input.uri}${body}` : null;
  if (source === null) return { ok: false, reason: `unsupported signature version ${version}` };
  const expected = createHash('sha256').update(source, 'utf8').digest('hex');
  return sameSecret(expected, legacy.toLowerCase()) ? { ok: true } : { ok: false, reason: `signature ${version} does not match` };
}

const objectId = z.union([z.number(), z.string().regex(/^\d+$/)]).transform(String);

export const hubspotEventSchema = z.looseObject({
  eventId: z.union([z.number(), z.string()]).transform(String),
  subscriptionId: z.union([z.number(), z.string()]).optional(),
  portalId: z.union([z.number(), z.string()]).transform(String),
  appId: z.union([z.number(), z.string()]).optional(),
  occurredAt: z.number(),
  subscriptionType: z.string().min(1),
  attemptNumber: z.number().optional(),
  objectId,
  changeSource: z.string().optional(),
  changeFlag: z.string().optional(),
  propertyName: z.string().optional(),
  propertyValue: z.string().optional(),
  primaryObjectId: objectId.optional(),
  mergedObjectIds: z.array(objectId).optional(),
  newObjectId: objectId.optional(),
  associationType: z.string().optional(),
  fromObjectId: objectId.optional(),
  toObjectId: objectId.optional(),
  associationRemoved: z.boolean().optional(),
  /** Generic (object.*) subscriptions name the object by type id instead of in the type. */
  objectTypeId: z.string().optional(),
  fromObjectTypeId: z.string().optional(),
  toObjectTypeId: z.string().optional(),
});
export type HubspotEvent = z.infer<typeof hubspotEventSchema>;

export type ParsedEvents = { ok: true; events: HubspotEvent[] } | { ok: false; reason: string };

export function parseHubspotEvents(json: unknown): ParsedEvents {
  const parsed = z.array(hubspotEventSchema).safeParse(json);
  if (parsed.success) return { ok: true, events: parsed.data };
  const issue = parsed.error.issues[0];
  return { ok: false, reason: `not a HubSpot event array: ${issue ? `${issue.path.join('.') || 'body'}: ${issue.message}` : 'invalid'}` };
}

/**
 * The deduplication key. HubSpot does not promise eventId is unique on its own, and a retried
 * delivery repeats everything but attemptNumber, so the key is built from what a retry keeps.
 */
export function hubspotEventId(event: HubspotEvent): string {
  return [event.portalId, event.subscriptionType, event.objectId, event.eventId, event.occurredAt, event.propertyName ?? ''].join(':');
}

/** Legacy subscription types name the object: contact.creation, deal.merge. */
const STREAM_BY_PREFIX: Record<string, string> = { contact: 'contacts', company: 'companies', deal: 'deals' };
/** Generic ones (object.creation) carry HubSpot's object type id, engagements included. */
const STREAM_BY_OBJECT_TYPE_ID: Record<string, string> = {
  '0-1': 'contacts',
  '0-2': 'companies',
  '0-3': 'deals',
  '0-27': 'tasks',
  '0-46': 'notes',
  '0-47': 'meetings',
  '0-48': 'calls',
  '0-49': 'emails',
};

/** The stream an event is about, and what happened; null when we do not sync that object. */
function eventTarget(event: HubspotEvent): { stream: string; kind: string } | null {
  const [prefix, kind] = event.subscriptionType.split('.');
  // Generic association events name their ends (from/toObjectTypeId) instead of an objectTypeId.
  const typeId = event.objectTypeId ?? event.fromObjectTypeId ?? '';
  const stream = prefix === 'object' ? STREAM_BY_OBJECT_TYPE_ID[typeId] : STREAM_BY_PREFIX[prefix ?? ''];
  return stream && kind ? { stream, kind } : null;
}

/** Engagements hold their own links (a note's contacts), as the sync reads them. */
const ENGAGEMENT_STREAMS = new Set(['calls', 'emails', 'meetings', 'notes', 'tasks']);

/** The two ends of an association event, by type ids (generic) or by associationType (legacy). */
function linkSides(event: HubspotEvent): [string | undefined, string | undefined] {
  if (event.fromObjectTypeId || event.toObjectTypeId) {
    return [STREAM_BY_OBJECT_TYPE_ID[event.fromObjectTypeId ?? ''], STREAM_BY_OBJECT_TYPE_ID[event.toObjectTypeId ?? '']];
  }
  const match = /^([A-Z]+)_TO_([A-Z]+)/.exec((event.associationType ?? '').toUpperCase());
  return match ? [STREAM_BY_PREFIX[match[1]!.toLowerCase()], STREAM_BY_PREFIX[match[2]!.toLowerCase()]] : [undefined, undefined];
}

/**
 * Which side of a link holds it canonically: engagement→anything, deal→contact, deal→company,
 * contact→company. Returns the [stream, id] pairs to refresh for a link between two objects.
 */
function linkHolders(event: HubspotEvent, fromId: string, toId: string): [string, string][] {
  const [fromStream, toStream] = linkSides(event);
  const sides = [
    [fromStream, fromId],
    [toStream, toId],
  ].filter((side): side is [string, string] => side[0] !== undefined);
  if (sides.length === 2 && sides[0]![0] === sides[1]![0]) return sides;
  const holder =
    sides.find(([stream]) => ENGAGEMENT_STREAMS.has(stream)) ?? sides.find(([stream]) => stream === 'deals') ?? sides.find(([stream]) => stream === 'contacts');
  return holder ? [holder] : sides;
}

export interface AppliedEvents {
  refreshed: number;
  merged: number;
  ignored: number;
  /** The events (by index) that could not be applied, and why; the others were. */
  failures: EventFailures;
}

export async function applyHubspotEvents(events: HubspotEvent[], actions: RecordActions): Promise<AppliedEvents> {
  /**
   * Per stream, the ids to re-read. Deletions are re-read too, not tombstoned from the event:
   * a deletion delivered late (HubSpot retries, our own backoff) may come after the record was
   * restored, and only HubSpot's current answer is right; an archived record reads as missing
   * and becomes a tombstone.
   */
  const targets = new EventTargets();
  const merges: { stream: string; merged: string[]; survivor: string; index: number }[] = [];
  let ignored = 0;

  for (const [index, event] of events.entries()) {
    const note = (stream: string, id: string): void => targets.add(stream, id, index);
    const target = eventTarget(event);
    if (!target) {
      ignored++;
      continue;
    }
    const { stream, kind } = target;
    switch (kind) {
      case 'creation':
      case 'propertyChange':
      case 'restore':
      case 'deletion':
      case 'privacyDeletion':
        note(stream, event.objectId);
        break;
      case 'merge': {
        const survivor = event.newObjectId ?? event.primaryObjectId ?? event.objectId;
        const merged = [...(event.mergedObjectIds ?? []), ...(event.primaryObjectId && event.primaryObjectId !== survivor ? [event.primaryObjectId] : [])].filter((id) => id !== survivor);
        if (merged.length > 0) merges.push({ stream, merged, survivor, index });
        note(stream, survivor);
        break;
      }
      case 'associationChange': {
        const holders = event.fromObjectId && event.toObjectId ? linkHolders(event, event.fromObjectId, event.toObjectId) : [];
        if (!holders.length) holders.push([stream, event.objectId]);
        for (const [holderStream, id] of holders) note(holderStream, id);
        break;
      }
      default:
        ignored++;
    }
  }

  const failures: EventFailures = new Map();
  for (const { stream, merged, survivor, index } of merges) {
    await actions.markMerged(stream, merged, survivor).catch((error: unknown) => failures.set(index, error instanceof Error ? error : new Error(String(error))));
  }
  const refreshed = await targets.refreshAll(actions, failures);
  return { refreshed, merged: merges.reduce((n, m) => n + m.merged.length, 0), ignored, failures };
}
