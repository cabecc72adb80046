/**
 * A throwaway embedded PostgreSQL for a benchmark: a temporary folder, databases created and
 * migrated on demand, everything removed on stop.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startEmbedded } from '../src/db/embedded.js';
import { migrate } from '../src/db/migrate.js';

export interface BenchPostgres {
  /** Creates a database, applies the migrations and returns its URL. */
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

export async function startBenchPostgres(prefix: string): Promise<BenchPostgres> {
  const root = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(root, 0o755); // as root, PostgreSQL runs as `postgres`, which must enter this folder
  const server = await startEmbedded({ dataDir: join(root, 'pg'), persistent: false });
  return {
    async createDatabase(name) {
      const admin = new pg.Client({ connectionString: server.adminUrl });
      await admin.connect();
      try {
        await admin.query(`CREATE DATABASE ${name}`);
      } finally {
        await admin.end();
      }
      const url = server.urlFor(name);
      await migrate(url);
      return url;
    },
    async stop() {
      await server.stop();
      rmSync(root, { recursive: true, force: true });
    },
  };
}
