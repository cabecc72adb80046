import pg from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/prisma/client.js';

export { Prisma } from '../generated/prisma/client.js';

/**
 * The store of one process: a Prisma client for ordinary reads and writes, and the same
 * node-postgres pool underneath for the few hot paths that need hand-written SQL (bulk
 * upserts in the sync engine, SKIP LOCKED claims) and for pool metrics.
 */
export interface Database {
  prisma: PrismaClient;
  pool: pg.Pool;
  close(): Promise<void>;
}

export type Db = PrismaClient;

export interface DbOptions {
  url: string;
  /** Pool size; Postgres is the coordination point, so keep it modest per replica. */
  max?: number;
}

export function openDatabase(options: DbOptions): Database {
  // A bounded wait: an exhausted pool fails a request with an error instead of hanging it.
  const pool = new pg.Pool({ connectionString: options.url, max: options.max ?? 10, connectionTimeoutMillis: 30_000 });
  // An idle client that loses its server emits 'error'; without a listener that kills the process.
  pool.on('error', () => undefined);
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  return {
    prisma,
    pool,
    async close() {
      await prisma.$disconnect();
      await pool.end().catch(() => undefined);
    },
  };
}
