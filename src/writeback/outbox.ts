import { inTransaction } from '../db/transaction.js';
import type { Database } from '../db/client.js';
import { likeLiteral } from '../db/like.js';

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
  /** The lease token: settling a row only works while it still carries the claim's token. */
  claimedAt: Date;
}

/** Rows claimed together, and the token that proves they are still ours. */
export interface Lease {
  ids: string[];
  token: Date;
}

const RETURNING = `RETURNING w."id", w."connectionId", w."objectType", w."remoteId", w."operation", w."fields", w."attempts", w."createdAt", w."claimedAt"`;

/**
 * Rows whose lease ran out while SENDING (the worker died or stalled mid-send) go back to
 * PENDING with that as their reason, or DEAD once they have used their attempts: a send that
 * never finishes must not cycle forever.
 */
export async function releaseExpiredLeases(db: Database, leaseMs: number, maxAttempts: number): Promise<number> {
  const result = await db.pool.query(
    `UPDATE "WriteBack" SET
       "status" = (CASE WHEN "attempts" >= $2 THEN 'DEAD' ELSE 'PENDING' END)::"WriteBackStatus",
       "lastError" = CASE WHEN "attempts" >= $2
         THEN 'gave up after ' || "attempts" || ' attempts: the send did not finish within its lease (the worker stopped or stalled)'
         ELSE 'the send did not finish within its lease (the worker stopped or stalled); sending again' END,
       "claimedAt" = NULL, "updatedAt" = now()
     WHERE "status" = 'SENDING' AND "claimedAt" < now() - ($1::int * interval '1 millisecond')`,
    [leaseMs, maxAttempts],
  );
  return result.rowCount ?? 0;
}

/**
 * Claims due rows of connections that may talk to their CRM now, plus every other pending
 * row for the same records (due or not), so writes to one record are collapsed in one place
 * and an older retry can never land after a newer value.
 */
export async function claimDue(db: Database, limit: number): Promise<OutboxRow[]> {
  return inTransaction(db.pool, async (client) => {
    // Claims are serialized (they take milliseconds), so the in-flight check below sees every
    // other worker's committed claim: one record, or one person's contact upsert, is never in
    // flight twice (two sends could land out of order, or create a Salesforce contact twice).
    await client.query(`SELECT pg_advisory_xact_lock(hashtextextended('context-layer:outbox-claim', 0))`);
    const { rows } = await client.query<OutboxRow>(
      `WITH due AS (
         SELECT w."id" FROM "WriteBack" w JOIN "Connection" c ON c."id" = w."connectionId"
         WHERE w."status" = 'PENDING' AND w."nextAttemptAt" <= now()
           AND c."status" = 'ACTIVE' AND (c."pausedUntil" IS NULL OR c."pausedUntil" <= now())
           AND NOT EXISTS (
             SELECT 1 FROM "WriteBack" s
             WHERE s."connectionId" = w."connectionId" AND s."objectType" = w."objectType" AND s."remoteId" = w."remoteId"
               AND s."status" = 'SENDING')
           AND (w."operation" <> 'UPSERT_CONTACT' OR NOT EXISTS (
             SELECT 1 FROM "WriteBack" s
             WHERE s."status" = 'SENDING' AND s."operation" = 'UPSERT_CONTACT' AND s."connectionId" = w."connectionId"
               AND lower(coalesce(s."fields"->>'email', s."fields"->>'Email')) = lower(coalesce(w."fields"->>'email', w."fields"->>'Email'))))
         ORDER BY w."nextAttemptAt", w."createdAt" LIMIT $1
         FOR UPDATE OF w SKIP LOCKED)
       UPDATE "WriteBack" w SET "status" = 'SENDING', "claimedAt" = now(), "attempts" = w."attempts" + 1, "updatedAt" = now()
       FROM due WHERE w."id" = due."id" ${RETURNING}`,
      [limit],
    );
    const withRecord = rows.filter((r) => r.remoteId !== null);
    if (withRecord.length) {
      const siblings = await client.query<OutboxRow>(
        `WITH sibling AS (
           SELECT s."id" FROM "WriteBack" s
           JOIN unnest($1::uuid[], $2::text[], $3::text[]) AS k("connectionId", "objectType", "remoteId")
             ON s."connectionId" = k."connectionId" AND s."objectType" = k."objectType" AND s."remoteId" = k."remoteId"
           WHERE s."status" = 'PENDING'
           FOR UPDATE OF s SKIP LOCKED)
         UPDATE "WriteBack" w SET "status" = 'SENDING', "claimedAt" = $4, "attempts" = w."attempts" + 1, "updatedAt" = now()
         FROM sibling WHERE w."id" = sibling."id" ${RETURNING}`,
        [withRecord.map((r) => r.connectionId), withRecord.map((r) => r.objectType), withRecord.map((r) => r.remoteId), rows[0]!.claimedAt],
      );
      rows.push(...siblings.rows);
    }
    return rows;
  });
}

/** Extends a lease before slow work; only the rows still ours come back, under a new token. */
export async function renewLease(db: Database, lease: Lease): Promise<Lease> {
  const { rows } = await db.pool.query<{ id: string; claimedAt: Date }>(
    `UPDATE "WriteBack" SET "claimedAt" = now(), "updatedAt" = now()
     WHERE "id" = ANY($1::uuid[]) AND "status" = 'SENDING' AND "claimedAt" = $2 RETURNING "id", "claimedAt"`,
    [lease.ids, lease.token],
  );
  return { ids: rows.map((r) => r.id), token: rows[0]?.claimedAt ?? lease.token };
}

/** Settles only rows still SENDING under this lease: a worker whose lease expired changes nothing. */
const OURS = `"id" = ANY($1::uuid[]) AND "status" = 'SENDING' AND "claimedAt" = $2`;

export async function markDone(db: Database, lease: Lease): Promise<void> {
  if (!lease.ids.length) return;
  await db.pool.query(`UPDATE "WriteBack" SET "status" = 'DONE', "sentAt" = now(), "lastError" = NULL, "updatedAt" = now() WHERE ${OURS}`, [
    lease.ids,
    lease.token,
  ]);
}

export async function markDead(db: Database, lease: Lease, reason: string): Promise<void> {
  if (!lease.ids.length) return;
  await db.pool.query(`UPDATE "WriteBack" SET "status" = 'DEAD', "lastError" = $3, "updatedAt" = now() WHERE ${OURS}`, [
    lease.ids,
    lease.token,
    reason.slice(0, 2000),
  ]);
}

/** Back to PENDING after a delay; `countAttempt` false when the row only waits (paused connection). */
export async function retryLater(db: Database, lease: Lease, delayMs: number, reason: string, countAttempt: boolean): Promise<void> {
  if (!lease.ids.length) return;
  await db.pool.query(
    `UPDATE "WriteBack" SET "status" = 'PENDING', "claimedAt" = NULL, "lastError" = $5,
       "attempts" = CASE WHEN $4 THEN "attempts" ELSE GREATEST("attempts" - 1, 0) END,
       "nextAttemptAt" = now() + ($3::int * interval '1 millisecond'), "updatedAt" = now()
     WHERE ${OURS}`,
    [lease.ids, lease.token, Math.round(delayMs), countAttempt, reason.slice(0, 2000)],
  );
}

/**
 * Dead letters back to the queue, as new: an operator fixed the cause. Fields a newer write to
 * the same record has since delivered are dropped first (sending them would overwrite the
 * newer values); a dead letter left with none is settled DONE, saying it was superseded.
 */
export async function requeueDead(db: Database, where: { ids?: string[]; connectionId?: string; errorContains?: string }): Promise<{ requeued: number; superseded: number }> {
  const { rows } = await db.pool.query<{ superseded: boolean }>(
    `WITH target AS (
       SELECT w."id", w."fields" - COALESCE((
           SELECT array_agg(DISTINCT k) FROM "WriteBack" n, jsonb_object_keys(n."fields") AS k
           WHERE w."remoteId" IS NOT NULL AND n."connectionId" = w."connectionId" AND n."objectType" = w."objectType"
             AND n."remoteId" = w."remoteId" AND n."status" = 'DONE' AND n."createdAt" > w."createdAt"), '{}') AS remaining
       FROM "WriteBack" w
       WHERE w."status" = 'DEAD'
         AND ($1::uuid[] IS NULL OR w."id" = ANY($1::uuid[]))
         AND ($2::uuid IS NULL OR w."connectionId" = $2::uuid)
         AND ($3::text IS NULL OR w."lastError" ILIKE '%' || $3 || '%')
       FOR UPDATE OF w)
     UPDATE "WriteBack" w SET
       "status" = (CASE WHEN t.remaining = '{}'::jsonb THEN 'DONE' ELSE 'PENDING' END)::"WriteBackStatus",
       "fields" = CASE WHEN t.remaining = '{}'::jsonb THEN w."fields" ELSE t.remaining END,
       "lastError" = CASE WHEN t.remaining = '{}'::jsonb THEN 'superseded: a newer write to this record was delivered, so this one was not sent again' ELSE w."lastError" END,
       "attempts" = CASE WHEN t.remaining = '{}'::jsonb THEN w."attempts" ELSE 0 END,
       "nextAttemptAt" = now(), "claimedAt" = NULL, "updatedAt" = now()
     FROM target t WHERE w."id" = t."id"
     RETURNING t.remaining = '{}'::jsonb AS superseded`,
    [where.ids ?? null, where.connectionId ?? null, where.errorContains === undefined ? null : likeLiteral(where.errorContains)],
  );
  const superseded = rows.filter((r) => r.superseded).length;
  return { requeued: rows.length - superseded, superseded };
}
