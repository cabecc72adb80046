import type { PoolClient } from 'pg';
import type { Database } from '../db/client.js';

/**
 * One (connection, object type) syncs in one place at a time, across any number of replicas:
 * a session-level Postgres advisory lock held on a dedicated connection for the whole run.
 * If the process dies, Postgres drops the session and the lock with it.
 */
export interface HeldLock {
  client: PoolClient;
  release(): Promise<void>;
}

export function syncLockKey(connectionId: string, objectType: string): string {
  return `context-layer:sync:${connectionId}:${objectType}`;
}

export async function tryLock(db: Database, key: string): Promise<HeldLock | null> {
  const client = await db.pool.connect();
  try {
    const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked', [key]);
    if (!rows[0]?.locked) {
      client.release();
      return null;
    }
  } catch (error) {
    client.release();
    throw error;
  }
  return {
    client,
    async release() {
      try {
        await client.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [key]);
        client.release();
      } catch (error) {
        // A broken connection releases its locks when Postgres drops it.
        client.release(error as Error);
      }
    },
  };
}
