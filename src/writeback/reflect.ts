import type { Database } from '../db/client.js';

/**
 * A contact the CRM answered not_found for is gone there: tombstone it at once, as the next
 * sync would. (Delivered writes are reflected by reflectWrites in sync/connection-sync.ts.)
 */
export async function tombstoneContact(db: Database, connectionId: string, remoteId: string): Promise<void> {
  await db.pool.query(
    `UPDATE "Contact" SET "deletedAt" = COALESCE("deletedAt", now()), "contentHash" = 'tombstoned', "updatedAt" = now()
     WHERE "connectionId" = $1::uuid AND "remoteId" = $2`,
    [connectionId, remoteId],
  );
}
