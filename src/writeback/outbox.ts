import type { PoolClient } from 'pg';
import type { Database } from '../db/client.js';

/**
 * The outbox's state transitions, in SQL. Rows are claimed with FOR UPDATE SKIP LOCKED, so any
 * number of workers share the work; a claim is a lease, and a worker that dies after claiming
 * leaves rows SENDING that return to PENDING when the lease expires (the write is re-sent; CRM
 * field writes are idempotent, so it applies once in effect).
 */

export interface OutboxRow {
  id: string;
  connectionId: string;
  objectType: string;
  remoteId: string | null;
  operation: 'UPDATE' | 'UPSERT_CONTACT';
  fields: Record<string, unknown>;
  attempts: number;
  createdAt: Date;
}

export async function releaseExpiredLeases(db: Database, leaseMs: number): Promise<number> {
  const result = await db.pool.query(
    `UPDATE "WriteBack" SET "status" = 'PENDING', "claimedAt" = NULL, "updatedAt" = now()
     WHERE "status" = 'SENDING' AND "claimedAt" < now() - ($1::int * interval '1 millisecond')`,
    [leaseMs],
  );
  return result.rowCount ?? 0;
}

/** Claims due rows of connections that may talk to their CRM now. */
export async function claimDue(db: Database, limit: number): Promise<OutboxRow[]> {
  const { rows } = await db.pool.query<OutboxRow>(
    `WITH due AS (
       SELECT w."id" FROM "WriteBack" w JOIN "Connection" c ON c."id" = w."connectionId"
       WHERE w."status" = 'PENDING' AND w."nextAttemptAt" <= now()
         AND c."status" = 'ACTIVE' AND (c."pausedUntil" IS NULL OR c."pausedUntil" <= now())
       ORDER BY w."nextAttemptAt", w."createdAt" LIMIT $1
       FOR UPDATE OF w SKIP LOCKED)
     UPDATE "WriteBack" w SET "status" = 'SENDING', "claimedAt" = now(), "attempts" = w."attempts" + 1, "updatedAt" = now()
     FROM due WHERE w."id" = due."id"
     RETURNING w."id", w."connectionId", w."objectType", w."remoteId", w."operation", w."fields", w."attempts", w."createdAt"`,
    [limit],
  );
  return rows;
}

export async function markDone(client: PoolClient | Database['pool'], ids: string[]): Promise<void> {
  if (!ids.length) return;
  await client.query(
    `UPDATE "WriteBack" SET "status" = 'DONE', "sentAt" = now(), "lastError" = NULL, "updatedAt" = now() WHERE "id" = ANY($1::uuid[])`,
    [ids],
  );
}

export async function markDead(db: Database, ids: string[], reason: string): Promise<void> {
  if (!ids.length) return;
  await db.pool.query(`UPDATE "WriteBack" SET "status" = 'DEAD', "lastError" = $2, "updatedAt" = now() WHERE "id" = ANY($1::uuid[])`, [
    ids,
    reason.slice(0, 2000),
  ]);
}

/** Back to PENDING after a delay; `countAttempt` false when the row only waits (paused connection). */
export async function retryLater(db: Database, ids: string[], delayMs: number, reason: string, countAttempt: boolean): Promise<void> {
  if (!ids.length) return;
  await db.pool.query(
    `UPDATE "WriteBack" SET "status" = 'PENDING', "claimedAt" = NULL, "lastError" = $3,
       "attempts" = CASE WHEN $4 THEN "attempts" ELSE GREATEST("attempts" - 1, 0) END,
       "nextAttemptAt" = now() + ($2::int * interval '1 millisecond'), "updatedAt" = now()
     WHERE "id" = ANY($1::uuid[])`,
    [ids, Math.round(delayMs), reason.slice(0, 2000), countAttempt],
  );
}

/** Dead letters back to the queue, as new: an operator fixed the cause. */
export async function requeueDead(db: Database, where: { ids?: string[]; connectionId?: string; errorContains?: string }): Promise<number> {
  const result = await db.pool.query(
    `UPDATE "WriteBack" SET "status" = 'PENDING', "attempts" = 0, "nextAttemptAt" = now(), "claimedAt" = NULL, "updatedAt" = now()
     WHERE "status" = 'DEAD'
       AND ($1::uuid[] IS NULL OR "id" = ANY($1::uuid[]))
       AND ($2::uuid IS NULL OR "connectionId" = $2::uuid)
       AND ($3::text IS NULL OR "lastError" ILIKE '%' || $3 || '%')`,
    // The filter is text to find, not a pattern: escape LIKE's wildcards.
    [where.ids ?? null, where.connectionId ?? null, where.errorContains?.replace(/[\\%_]/g, (c) => `\\${c}`) ?? null],
  );
  return result.rowCount ?? 0;
}
