import express, { type Request, type Response, type Router } from 'express';
import type { Connection } from '../generated/prisma/client.js';
import type { SecretBox } from '../crypto.js';
import type { Database } from '../db/client.js';
import type { Provider } from '../connectors/types.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import { openCredentials } from '../connections/repository.js';
import { storeEvents, type InboundEvent } from './inbox.js';

/**
 * CRM webhook receivers. Each one checks the signature over the raw body (constant-time, within
 * a 5-minute window), parses the body, stores the events in the inbox deduplicated, and only
 * then answers 2xx — quickly, because processing happens afterwards. Forged or stale requests
 * get 401, malformed ones 400, oversized ones 413; none of them stores anything.
 */

export interface ReceiverDeps {
  db: Database;
  secrets: SecretBox;
  logger: Logger;
  metrics?: Metrics;
  publicUrl?: string;
  maxBytes: number;
}

/** What a provider plugs in: how to verify, parse and route one delivery. */
export interface ProviderReceiver {
  provider: Provider;
  /** The signing secrets of each connection that may have sent this delivery. */
  secretsOf(connection: Connection, credentials: Record<string, unknown>): string[];
  verify(input: { method: string; uri: string; rawBody: Buffer; headers: Request['headers']; secret: string }): { ok: true } | { ok: false; reason: string };
  /** Parses the body into events, each with its dedup id and the connection it belongs to. */
  parse(json: unknown, signedBy: Connection[]): { ok: true; events: InboundEvent[] } | { ok: false; reason: string };
}

export function createWebhookRouter(deps: ReceiverDeps, receivers: Record<string, ProviderReceiver>): Router {
  const router = express.Router();
  for (const [path, receiver] of Object.entries(receivers)) {
    router.post(`/${path}`, express.raw({ type: () => true, limit: deps.maxBytes }), (req, res) => {
      receive(deps, receiver, req, res).catch((error: unknown) => {
        deps.logger.error({ err: error, provider: receiver.provider }, 'webhook delivery could not be stored');
        if (!res.headersSent) res.status(500).json({ error: 'internal error; the delivery was not stored, retry it' });
      });
    });
  }
  router.use((error: { type?: string; status?: number }, _req: Request, res: Response, next: (e?: unknown) => void) => {
    if (error.type === 'entity.too.large') res.status(413).json({ error: `body larger than ${deps.maxBytes} bytes` });
    else if (error.status && error.status < 500) res.status(error.status).json({ error: 'bad request' });
    else next(error);
  });
  return router;
}

async function receive(deps: ReceiverDeps, receiver: ProviderReceiver, req: Request, res: Response): Promise<void> {
  const rawBody = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
  const uri = deps.publicUrl ? `${deps.publicUrl.replace(/\/+$/, '')}${req.originalUrl}` : `${req.protocol}://${req.get('host')}${req.originalUrl}`;
  const connections = await deps.db.prisma.connection.findMany({ where: { provider: receiver.provider } });
  const signedBy: Connection[] = [];
  let reason = 'no connection of this provider has a webhook secret configured';
  for (const connection of connections) {
    let secrets: string[];
    try {
      secrets = receiver.secretsOf(connection, openCredentials(deps.secrets, connection));
    } catch (error) {
      // One connection with unreadable credentials must not turn away every other one's events.
      deps.logger.error({ err: error, connection: connection.name }, 'cannot read a connection\'s webhook secret');
      continue;
    }
    for (const secret of secrets) {
      const check = receiver.verify({ method: req.method, uri, rawBody, headers: req.headers, secret });
      if (check.ok) {
        signedBy.push(connection);
        break;
      }
      reason = check.reason;
    }
  }
  if (!signedBy.length) {
    // HubSpot signs the URL it called; behind a TLS-terminating proxy ours reads http://. The
    // origin checked goes to the log only (it may be an internal host name).
    const urlSigned = receiver.provider === 'HUBSPOT' && !deps.publicUrl && /v3 does not match/.test(reason);
    if (urlSigned) reason += '; if a proxy changes the scheme or host, set PUBLIC_URL';
    deps.logger.warn({ provider: receiver.provider, reason, ...(urlSigned ? { checkedUri: uri.split('?')[0] } : {}) }, 'webhook rejected: signature');
    res.status(401).json({ error: `signature rejected: ${reason}` });
    return;
  }
  let json: unknown;
  try {
    json = JSON.parse(rawBody.toString('utf8'));
  } catch {
    deps.logger.warn({ provider: receiver.provider, reason: 'body is not JSON' }, 'webhook rejected: body');
    res.status(400).json({ error: 'body is not JSON' });
    return;
  }
  const parsed = receiver.parse(json, signedBy);
  if (!parsed.ok) {
    // Signed, so the CRM sent it: say so where operators look, not only in the 400.
    deps.logger.warn({ provider: receiver.provider, reason: parsed.reason }, 'webhook rejected: body');
    res.status(400).json({ error: parsed.reason });
    return;
  }
  const { stored, duplicates } = await storeEvents(deps.db, receiver.provider, parsed.events);
  deps.metrics?.webhookEvents.inc({ provider: receiver.provider, outcome: 'received' }, stored);
  deps.metrics?.webhookEvents.inc({ provider: receiver.provider, outcome: 'duplicate' }, duplicates);
  res.status(200).json({ stored, duplicates });
}
