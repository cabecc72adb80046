/**
 * Salesforce Change Data Capture events, relayed to us as signed webhooks (Salesforce itself
 * streams them over Pub/Sub; a relay posts each committed transaction as JSON):
 *
 *   POST … with X-Context-Layer-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, `${t}.${rawBody}`)>
 *   body {"events":[{"ChangeEventHeader":{entityName, recordIds, changeType, commitTimestamp, …}, …fields}]}
 *
 * Events are hints: changed records are re-read (refresh) rather than patched from the payload,
 * which carries only changed fields and no relationships.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { EventTargets } from '../event-targets.js';
import type { EventFailures, RecordActions } from '../types.js';
import { CONTACT_ROLE_STREAM, SALESFORCE_STREAMS } from './streams.js';
import { isSalesforceId } from './soql.js';

export const SALESFORCE_SIGNATURE_HEADER = 'x-context-layer-signature';

export type SignatureCheck = { ok: true } | { ok: false; reason: string };

export interface SalesforceSignatureInput {
  rawBody: Buffer | string;
  /** The X-Context-Layer-Signature header value. */
  header: string | string[] | undefined;
  secret: string;
  now?: number;
  maxAgeMs?: number;
}

const FIVE_MINUTES = 5 * 60_000;

/** Constant-time for equal lengths; different lengths fail without comparing. */
function sameDigest(expected: string, provided: string): boolean {
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(provided, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

export function verifySalesforceSignature(input: SalesforceSignatureInput): SignatureCheck {
  const header = Array.isArray(input.header) ? input.header[0] : input.header;
  if (!header) return { ok: false, reason: 'no X-Context-Layer-Signature header' };
  const parts = header.split(',').map((part) => part.trim().split('=') as [string, string | undefined]);
  const timestamp = parts.find(([k]) => k === 't')?.[1];
  // Several v1 values are allowed while a secret is being rotated.
  const signatures = parts.filter(([k, v]) => k === 'v1' && v).map(([, v]) => v!.toLowerCase());
  if (!timestamp || !/^\d+$/.test(timestamp)) return { ok: false, reason: 'signature header has no valid t=' };
  if (!signatures.length) return { ok: false, reason: 'signature header has no v1=' };
  const ageMs = (input.now ?? Date.now()) - Number(timestamp) * 1000;
  // Replays are refused; so are timestamps from the future beyond the same tolerance.
  if (Math.abs(ageMs) > (input.maxAgeMs ?? FIVE_MINUTES)) return { ok: false, reason: 'signature timestamp is outside the allowed window' };
  const body = typeof input.rawBody === 'string' ? Buffer.from(input.rawBody, 'utf8') : input.rawBody;
  const expected = createHmac('sha256', input.secret).update(`${timestamp}.`, 'utf8').update(body).digest('hex');
  return signatures.some((s) => sameDigest(expected, s)) ? { ok: true } : { ok: false, reason: 'signature does not match' };
}

const changeTypes = ['CREATE', 'UPDATE', 'DELETE', 'UNDELETE', 'GAP_CREATE', 'GAP_UPDATE', 'GAP_DELETE', 'GAP_UNDELETE', 'GAP_OVERFLOW'] as const;

export const changeEventHeaderSchema = z.looseObject({
  entityName: z.string().min(1),
  recordIds: z.array(z.string()),
  changeType: z.enum(changeTypes),
  changedFields: z.array(z.string()).default([]),
  commitTimestamp: z.number(),
  commitNumber: z.number().optional(),
  commitUser: z.string().optional(),
  transactionKey: z.string().min(1),
  sequenceNumber: z.number().int(),
  changeOrigin: z.string().optional(),
});

export const salesforceChangeEventSchema = z.looseObject({ ChangeEventHeader: changeEventHeaderSchema });
export type SalesforceChangeEvent = z.infer<typeof salesforceChangeEventSchema>;

export type ParsedEvents = { ok: true; events: SalesforceChangeEvent[] } | { ok: false; reason: string };

export function parseSalesforceEvents(json: unknown): ParsedEvents {
  const parsed = z.object({ events: z.array(salesforceChangeEventSchema) }).safeParse(json);
  if (parsed.success) return { ok: true, events: parsed.data.events };
  const issue = parsed.error.issues[0];
  return { ok: false, reason: `not a Salesforce change event batch: ${issue ? `${issue.path.join('.') || 'body'}: ${issue.message}` : 'invalid'}` };
}

/** The deduplication key: a redelivered transaction repeats its key and sequence numbers. */
export function salesforceEventId(event: SalesforceChangeEvent): string {
  const h = event.ChangeEventHeader;
  return `${h.entityName}:${h.transactionKey}:${h.sequenceNumber}`;
}

export interface AppliedEvents {
  refreshed: number;
  ignored: number;
  /** The events (by index) that could not be applied, and why; the others were. */
  failures: EventFailures;
  /** Streams whose events could not name their records (GAP_OVERFLOW, wildcard ids): run a sync of them. */
  resyncStreams: string[];
}

const STREAM_NAMES = new Set(SALESFORCE_STREAMS.map((s) => s.name));

export async function applySalesforceEvents(events: SalesforceChangeEvent[], actions: RecordActions): Promise<AppliedEvents> {
  /**
   * Per stream, the ids to re-read. Deletions are re-read too, not tombstoned from the event:
   * one delivered late may come after an undelete, and only the org's current answer is right
   * (the re-read uses queryAll, so a deleted record comes back as one, and a purged one as
   * missing; both become tombstones).
   */
  const targets = new EventTargets();
  const resync = new Set<string>();
  let ignored = 0;

  for (const [index, event] of events.entries()) {
    const note = (stream: string, id: string): void => targets.add(stream, id, index);
    const header = event.ChangeEventHeader;
    const stream = header.entityName;
    if (!STREAM_NAMES.has(stream)) {
      ignored++;
      continue;
    }
    const ids = header.recordIds.filter(isSalesforceId);
    if (header.changeType === 'GAP_OVERFLOW' || ids.length < header.recordIds.length || ids.length === 0) resync.add(stream === CONTACT_ROLE_STREAM ? 'Opportunity' : stream);
    for (const id of ids) {
      if (stream === CONTACT_ROLE_STREAM) {
        // A role change is a change of its Opportunity's links. The payload names the
        // Opportunity on create/undelete only; otherwise the role stream resolves it (queryAll).
        const opportunityId = event.OpportunityId;
        if (isSalesforceId(opportunityId)) note('Opportunity', opportunityId);
        else note(CONTACT_ROLE_STREAM, id);
      } else {
        note(stream, id);
      }
    }
  }

  const failures: EventFailures = new Map();
  const refreshed = await targets.refreshAll(actions, failures);
  return { refreshed, ignored, resyncStreams: [...resync], failures };
}
