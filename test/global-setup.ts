import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { startEmbedded } from '../src/db/embedded.js';
import { migrate } from '../src/db/migrate.js';

/**
 * One real PostgreSQL for the whole run. A migrated template database is built once; each
 * test file clones it (test/helpers/db.ts), so files are isolated and run in parallel.
 */
export const TEMPLATE_DB = 'cl_template';

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
    pgTemplate: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const root = mkdtempSync(join(tmpdir(), 'context-layer-test-'));
  // As root, PostgreSQL runs as the `postgres` user, which must be able to enter this folder.
  chmodSync(root, 0o755);
  const server = await startEmbedded({ dataDir: join(root, 'pg'), persistent: false });
  const admin = new pg.Client({ connectionString: server.adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${TEMPLATE_DB}`);
  await admin.end();
  await migrate(server.urlFor(TEMPLATE_DB));
  project.provide('pgAdminUrl', server.adminUrl);
  project.provide('pgTemplate', TEMPLATE_DB);
  return async () => {
    await server.stop();
    rmSync(root, { recursive: true, force: true });
  };
}
