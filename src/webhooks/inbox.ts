import { inTransaction } from '../db/transaction.js';
import type { Database } from '../db/client.js';
import { z } from 'zod';
import { type CrmConnector, type EventFailures, type Provider, type RecordActions } from '../connectors/types.js';
import { blocksConnection, connectionBlockedReason, markConnectionFailure } from '../sync/connection-status.js';
import { recordActions } from '../sync/connection-sync.js';
import { describeError, type SyncContext } from '../sync/engine.js';
import { scrubSecrets } from '../log.js';
import { likeLiteral } from '../db/like.js';

/**
 * The webhook inbox. Receivers store events here before answering 2xx (deduplicated by the
 * CRM's event id), and the processor applies them afterwards, so a slow CRM never makes us
 * miss a delivery deadline and a crash never loses an acknowledged event.
 */

export interface InboundEvent {
  eventId: string;
  connectionId: string | null;
  payload: unknown;
  /** Why no connection could be chosen (with connectionId null): the event's FAILED reason. */
  unmatchedReason?: string;
}

export async function storeEvents(db: Database, provider: Provider, events: InboundEvent[]): Promise<{ stored: number; duplicates: number }> {
  if (!events.length) return { stored: 0, duplicates: 0 };
  const { count } = await db.prisma.webhookEvent.createMany({
    data: events.map((e) => ({ provider, eventId: e.eventId, connectionId: e.connectionId, payload: e.payload as object, error: e.unmatchedReason ?? null })),
    skipDuplicates: true,
  });
  return { stored: count, duplicates: events.length - count };
}

/**
 * Applies one connection's events through the store actions (re-read, merge), and says which
 * could not be applied (by index): only those are retried, each with its own reason.
 */
export type EventHandler = (payloads: unknown[], actions: RecordActions) => Promise<EventFailures>;

/**
 * Parses each stored payload on its own: one that no longer fits the schema fails alone (with
 * zod's reason), and the rest are applied by `apply`, whose failures are mapped back.
 */
export async function applyParsed<T>(payloads: unknown[], schema: z.ZodType<T>, apply: (events: T[]) => Promise<EventFailures>): Promise<EventFailures> {
  const failures: EventFailures = new Map();
  const events: T[] = [];
  const positions: number[] = [];
  payloads.forEach((payload, index) => {
    const parsed = schema.safeParse(payload);
    if (parsed.success) {
      events.push(parsed.data);
      positions.push(index);
    } else failures.set(index, new Error(`the stored event does not parse: ${z.prettifyError(parsed.error)}`));
  });
  for (const [index, error] of await apply(events)) failures.set(positions[index]!, error);
  return failures;
}

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
  // With the defaults, twenty attempts span about 1.8 hours (waits of 1 s doubling to 10
  // minutes): a CRM outage of that length is ridden out before an event is FAILED for good.
  const maxAttempts = deps.maxAttempts ?? 20;
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
        // The receiver's own reason, when it knew why no connection matched.
        await client.query(`UPDATE "WebhookEvent" SET "status" = 'FAILED', "error" = COALESCE("error", $2), "processedAt" = now() WHERE "id" = ANY($1::uuid[])`, [ids, reason]);
        result.failed += ids.length;
        continue;
      }
      const connection = await db.prisma.connection.findUnique({ where: { id: connectionId } });
      const blocked = connection && connectionBlockedReason(connection);
      if (blocked) {
        result.deferred += ids.length; // they wait for the connection, they do not fail
        continue;
      }
      let failures: EventFailures;
      try {
        const connector = await deps.connectorFor(connectionId);
        failures = await handler(events.map((e) => e.payload), recordActions(deps.ctx, connectionId, connector));
      } catch (error) {
        // Not one event's fault (the connector could not be built, a bug): all of them wait.
        failures = new Map(events.map((_, index) => [index, error instanceof Error ? error : new Error(String(error))]));
      }
      const applied = events.filter((_, index) => !failures.has(index)).map((e) => e.id);
      await client.query(`UPDATE "WebhookEvent" SET "status" = 'PROCESSED', "processedAt" = now(), "attempts" = "attempts" + 1, "error" = NULL WHERE "id" = ANY($1::uuid[])`, [applied]);
      result.processed += applied.length;
      if (!failures.size) continue;
      // A 401/403 or an exhausted limit blocks the connection; its events then wait.
      const blocking = [...failures.values()].find(blocksConnection);
      if (blocking) await markConnectionFailure(db, connectionId, blocking);
      const failed = [...failures].map(([index, error]) => ({ row: events[index]!, message: scrubSecrets(describeError(error)) }));
      await client.query(
        `UPDATE "WebhookEvent" e SET "attempts" = e."attempts" + 1, "error" = f.message,
           "status" = CASE WHEN e."attempts" + 1 >= $3 THEN 'FAILED'::"WebhookStatus" ELSE 'PENDING'::"WebhookStatus" END,
           "processedAt" = CASE WHEN e."attempts" + 1 >= $3 THEN now() END,
           "nextAttemptAt" = now() + (LEAST($4::float8 * power(2, e."attempts"), 600000) * interval '1 millisecond')
         FROM unnest($1::uuid[], $2::text[]) AS f(id, message) WHERE e."id" = f.id`,
        [failed.map((f) => f.row.id), failed.map((f) => f.message), maxAttempts, retryBaseMs],
      );
      logger.warn({ err: failures.values().next().value, connectionId, events: failed.length, applied: applied.length }, 'webhook events could not be applied');
      result.failed += failed.filter((f) => f.row.attempts + 1 >= maxAttempts).length;
    }
  });
  return result;
}

/**
 * FAILED events back to PENDING, as new: the cause (an outage longer than the retries, a
 * record fixed in the CRM) is gone. Events that matched no connection stay FAILED: their
 * routing was decided on receipt.
 */
export async function requeueFailedEvents(db: Database, where: { connectionId?: string; errorContains?: string }): Promise<number> {
  const result = await db.pool.query(
    `UPDATE "WebhookEvent" SET "status" = 'PENDING', "attempts" = 0, "nextAttemptAt" = now(), "processedAt" = NULL, "error" = NULL
     WHERE "status" = 'FAILED' AND "connectionId" IS NOT NULL
       AND ($1::uuid IS NULL OR "connectionId" = $1::uuid)
       AND ($2::text IS NULL OR "error" ILIKE '%' || $2 || '%')`,
    [where.connectionId ?? null, where.errorContains === undefined ? null : likeLiteral(where.errorContains)],
  );
  return result.rowCount ?? 0;
}
