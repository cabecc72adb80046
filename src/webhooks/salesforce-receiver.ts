import { z } from 'zod';
import {
  applySalesforceEvents,
  parseSalesforceEvents,
  SALESFORCE_SIGNATURE_HEADER,
  salesforceChangeEventSchema,
  salesforceEventId,
  verifySalesforceSignature,
} from '../connectors/salesforce/index.js';
import { applyParsed, type EventHandler } from './inbox.js';
import type { ProviderReceiver } from './router.js';

/**
 * Salesforce change events (CDC), relayed to POST /webhooks/salesforce by a subscriber of the
 * org's change-event channel, signed with the connection's shared secret (settings.webhookSecret):
 *   X-Context-Layer-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>
 *   body: {"events": [<change event>, …]}
 * The secret that verifies the signature identifies the connection.
 */
const settingsSchema = z.object({ webhookSecret: z.string().min(1).optional() });

export const salesforceReceiver: ProviderReceiver = {
  provider: 'SALESFORCE',
  secretsOf(connection) {
    const settings = settingsSchema.safeParse(connection.settings);
    return settings.success && settings.data.webhookSecret ? [settings.data.webhookSecret] : [];
  },
  verify: ({ rawBody, headers, secret }) => verifySalesforceSignature({ rawBody, header: headers[SALESFORCE_SIGNATURE_HEADER], secret }),
  parse(json, signedBy) {
    const parsed = parseSalesforceEvents(json);
    if (!parsed.ok) return parsed;
    // The secret identifies the org. Shared by several connections, it identifies none: the
    // events are kept, FAILED with the fix, rather than applied to a guess.
    const connectionId = signedBy.length === 1 ? signedBy[0]!.id : null;
    const unmatchedReason =
      connectionId === null ? `${signedBy.length} connections (${signedBy.map((c) => c.name).join(', ')}) share this webhook secret; give each its own settings.webhookSecret` : undefined;
    return {
      ok: true,
      events: parsed.events.map((event) => ({ eventId: salesforceEventId(event), connectionId, payload: event, ...(unmatchedReason ? { unmatchedReason } : {}) })),
    };
  },
};

/**
 * GAP events name no records; the changes they stand for carry newer SystemModstamps, so the
 * connection's next incremental sync reads them. Nothing is lost by not acting here.
 */
export const applySalesforcePayloads: EventHandler = (payloads, actions) =>
  applyParsed(payloads, salesforceChangeEventSchema, async (events) => (await applySalesforceEvents(events, actions)).failures);
