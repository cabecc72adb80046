import { inTransaction } from '../db/transaction.js';
import type { Database } from '../db/client.js';
import { CrmError, type CrmConnector, type Provider, type RecordActions } from '../connectors/types.js';
import { connectionBlockedReason, markConnectionFailure } from '../sync/connection-status.js';
import { recordActions } from '../sync/connection-sync.js';
import { describeError, type SyncContext } from '../sync/engine.js';
import { scrubSecrets } from '../log.js';

/**
 * The webhook inbox. Receivers store events here before answering 2xx (deduplicated by the
 * CRM's event id), and the processor applies them afterwards, so a slow CRM never makes us
 * miss a delivery deadline and a crash never loses an acknowledged event.
 */

export interface InboundEvent {
  eventId: string;
  connectionId: string | null;
  payload: unknown;
}

export async function storeEvents(db: Database, provider: Provider, events: InboundEvent[]): Promise<{ stored: number; duplicates: number }> {
  if (!events.length) return { stored: 0, duplicates: 0 };
  const { count } = await db.prisma.webhookEvent.createMany({
    data: events.map((e) => ({ provider, eventId: e.eventId, connectionId: e.connectionId, payload: e.payload as object })),
    skipDuplicates: true,
  });
  return { stored: count, duplicates: events.length - count };
}

/** Applies one connection's events through the store actions (re-read, tombstone, merge). */
export type EventHandler = (payloads: unknown[], actions: RecordActions) => Promise<void>;

export interface InboxDeps {
  ctx: SyncContext;
  connectorFor(connectionId: string): Promise<CrmConnector>;
  handlers: Partial<Record<Provider, EventHandler>>;
  /** Attempts before an event is FAILED for good. */
  maxAttempts?: number;
  /** First wait after a failed attempt; doubles per attempt, up to 10 minutes. */
  retryBaseMs?: number;
}

interface PendingRow {
  id: string;
  connectionId: string | null;
  provider: Provider;
  payload: unknown;
  attempts: number;
}

export interface InboxResult {
  processed: number;
  failed: number;
  deferred: number;
}

/** Claims a batch of pending events (SKIP LOCKED, so replicas share the work) and applies them. */
export async function processInbox(deps: InboxDeps, batchSize = 200): Promise<InboxResult> {
  const { db, logger } = deps.ctx;
  // With the defaults, ten attempts span about 17 minutes: a short CRM outage is ridden out.
  const maxAttempts = deps.maxAttempts ?? 10;
  const retryBaseMs = deps.retryBaseMs ?? 1000;
  const result: InboxResult = { processed: 0, failed: 0, deferred: 0 };
  await inTransaction(db.pool, async (client) => {
    // Events of a paused or blocked connection wait without holding up everyone else's.
    const { rows } = await client.query<PendingRow>(
      `SELECT e."id", e."connectionId", e."provider", e."payload", e."attempts" FROM "WebhookEvent" e
       LEFT JOIN "Connection" c ON c."id" = e."connectionId"
       WHERE e."status" = 'PENDING' AND e."nextAttemptAt" <= now()
         AND (c."id" IS NULL OR (c."status" = 'ACTIVE' AND (c."pausedUntil" IS NULL OR c."pausedUntil" <= now())))
       ORDER BY e."receivedAt" LIMIT $1 FOR UPDATE OF e SKIP LOCKED`,
      [batchSize],
    );
    const groups = new Map<string | null, PendingRow[]>();
    for (const row of rows) groups.set(row.connectionId, [...(groups.get(row.connectionId) ?? []), row]);
    for (const [connectionId, events] of groups) {
      const ids = events.map((e) => e.id);
      const handler = events[0] && deps.handlers[events[0].provider];
      if (!connectionId || !handler) {
        const reason = connectionId ? `no handler for ${events[0]?.provider} events` : 'no connection matches this event (unknown portal or org)';
        await client.query(`UPDATE "WebhookEvent" SET "status" = 'FAILED', "error" = $2, "processedAt" = now() WHERE "id" = ANY($1::uuid[])`, [ids, reason]);
        result.failed += ids.length;
        continue;
      }
      const connection = await db.prisma.connection.findUnique({ where: { id: connectionId } });
      const blocked = connection && connectionBlockedReason(connection);
      if (blocked) {
        result.deferred += ids.length; // they wait for the connection, they do not fail
        continue;
      }
      try {
        const connector = await deps.connectorFor(connectionId);
        await handler(events.map((e) => e.payload), recordActions(deps.ctx, connectionId, connector));
        await client.query(`UPDATE "WebhookEvent" SET "status" = 'PROCESSED', "processedAt" = now(), "attempts" = "attempts" + 1, "error" = NULL WHERE "id" = ANY($1::uuid[])`, [ids]);
        result.processed += ids.length;
      } catch (error) {
        const message = scrubSecrets(describeError(error));
        // A 401/403 or an exhausted limit blocks the connection; its events then wait.
        if (error instanceof CrmError) await markConnectionFailure(db, connectionId, error);
        await client.query(
          `UPDATE "WebhookEvent" SET "attempts" = "attempts" + 1, "error" = $2,
             "status" = CASE WHEN "attempts" + 1 >= $3 THEN 'FAILED'::"WebhookStatus" ELSE 'PENDING'::"WebhookStatus" END,
             "processedAt" = CASE WHEN "attempts" + 1 >= $3 THEN now() END,
             "nextAttemptAt" = now() + (LEAST($4::float8 * power(2, "attempts"), 600000) * interval '1 millisecond')
           WHERE "id" = ANY($1::uuid[])`,
          [ids, message, maxAttempts, retryBaseMs],
        );
        logger.warn({ err: error, connectionId, events: ids.length }, 'webhook events could not be applied');
        result.failed += events.filter((e) => e.attempts + 1 >= maxAttempts).length;
      }
    }
  });
  return result;
}
