import type { Database } from '../db/client.js';

/**
 * After a successful write, the store shows the CRM's new state at once, without waiting for
 * the next poll: the written CRM fields land in the record's customFields (where the sync puts
 * them too, so the next sync agrees instead of flipping them back).
 */
export async function reflectWrites(
  db: Database,
  connectionId: string,
  writes: { remoteId: string | null; operation: string; properties: Record<string, unknown> }[],
): Promise<void> {
  const updates = writes.filter((w) => w.remoteId && w.operation === 'UPDATE').map((w) => ({ remoteId: w.remoteId, fields: w.properties }));
  if (!updates.length) return;
  await db.pool.query(
    `UPDATE "Contact" c SET "customFields" = c."customFields" || u."fields", "updatedAt" = now()
     FROM jsonb_to_recordset($2::jsonb) AS u("remoteId" text, "fields" jsonb)
     WHERE c."connectionId" = $1::uuid AND c."remoteId" = u."remoteId"`,
    [connectionId, JSON.stringify(updates)],
  );
}

export async function tombstoneContact(db: Database, connectionId: string, remoteId: string): Promise<void> {
  await db.pool.query(
    `UPDATE "Contact" SET "deletedAt" = COALESCE("deletedAt", now()), "contentHash" = 'tombstoned', "updatedAt" = now()
     WHERE "connectionId" = $1::uuid AND "remoteId" = $2`,
    [connectionId, remoteId],
  );
}
