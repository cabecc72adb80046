import { z } from 'zod';
import { hubspotEventId, hubspotEventSchema, parseHubspotEvents, verifyHubspotSignature, applyHubspotEvents } from '../connectors/hubspot/index.js';
import { applyParsed, type EventHandler } from './inbox.js';
import type { ProviderReceiver } from './router.js';

/** Connection settings the HubSpot receiver reads: the app's client secret and the portal id. */
const webhookSettingsSchema = z.object({
  webhookSecret: z.string().min(1).optional(),
  portalId: z.union([z.string(), z.number()]).transform(String).optional(),
});

export const hubspotReceiver: ProviderReceiver = {
  provider: 'HUBSPOT',
  secretsOf(connection, credentials) {
    const settings = webhookSettingsSchema.safeParse(connection.settings);
    const fromSettings = settings.success ? settings.data.webhookSecret : undefined;
    // An OAuth app signs with its client secret.
    const clientSecret = typeof credentials.clientSecret === 'string' ? credentials.clientSecret : undefined;
    return [...new Set([fromSettings, clientSecret].filter((s): s is string => Boolean(s)))];
  },
  verify: ({ method, uri, rawBody, headers, secret }) => verifyHubspotSignature({ method, uri, rawBody, headers, clientSecret: secret }),
  parse(json, signedBy) {
    const parsed = parseHubspotEvents(json);
    if (!parsed.ok) return parsed;
    const byPortal = new Map<string, string>();
    for (const c of signedBy) {
      const portal = webhookSettingsSchema.safeParse(c.settings);
      if (portal.success && portal.data.portalId) byPortal.set(portal.data.portalId, c.id);
    }
    // One app may serve several portals; with a single candidate and no portal configured, it is that one.
    const only = signedBy.length === 1 ? signedBy[0]!.id : null;
    return {
      ok: true,
      events: parsed.events.map((event) => {
        const connectionId = byPortal.get(event.portalId) ?? (byPortal.size ? null : only);
        const unmatchedReason =
          connectionId !== null
            ? undefined
            : `no connection signed by this app names HubSpot portal ${event.portalId} in settings.portalId (${signedBy.length} connection(s) share its client secret)`;
        return { eventId: hubspotEventId(event), connectionId, payload: event, ...(unmatchedReason ? { unmatchedReason } : {}) };
      }),
    };
  },
};

export const applyHubspotPayloads: EventHandler = (payloads, actions) =>
  applyParsed(payloads, hubspotEventSchema, async (events) => (await applyHubspotEvents(events, actions)).failures);
