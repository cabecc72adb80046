import type { Database } from '../db/client.js';

/**
 * After a successful write, the store shows the CRM's new state at once, without waiting for
 * the next poll: the written CRM fields land in the record's customFields (where the sync puts
 * them too, so the next sync agrees instead of flipping them back).
 */
export async function reflectWrite(
  db: Database,
  connectionId: string,
  item: { op: { remoteId: string | null; operation: string; properties: Record<string, unknown> } },
  remoteId: string | undefined,
): Promise<void> {
  const target = item.op.remoteId ?? remoteId;
  if (!target || item.op.operation !== 'UPDATE') return;
  await db.pool.query(
    `UPDATE "Contact" SET "customFields" = "customFields" || $3::jsonb, "updatedAt" = now()
     WHERE "connectionId" = $1::uuid AND "remoteId" = $2`,
    [connectionId, target, JSON.stringify(item.op.properties)],
  );
}

export async function tombstoneContact(db: Database, connectionId: string, remoteId: string): Promise<void> {
  await db.pool.query(
    `UPDATE "Contact" SET "deletedAt" = COALESCE("deletedAt", now()), "contentHash" = 'tombstoned', "updatedAt" = now()
     WHERE "connectionId" = $1::uuid AND "remoteId" = $2`,
    [connectionId, remoteId],
  );
}
