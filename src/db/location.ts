import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Config } from '../config.js';
import { decodeKey } from '../config.js';
import { projectRoot } from '../paths.js';
import { startEmbedded, type EmbeddedDatabase } from './embedded.js';
import type { Logger } from '../log.js';

/** The git-ignored folder holding the embedded database and the development secret key. */
export function dataDir(config: Config): string {
  return isAbsolute(config.DATA_DIR) ? config.DATA_DIR : join(projectRoot, config.DATA_DIR);
}

export interface DatabaseLocation {
  url: string;
  embedded: EmbeddedDatabase | null;
}

/** DATABASE_URL when set; otherwise an embedded PostgreSQL whose data survives restarts. */
export async function locateDatabase(config: Config, logger: Logger): Promise<DatabaseLocation> {
  if (config.DATABASE_URL) return { url: config.DATABASE_URL, embedded: null };
  const dir = join(dataDir(config), 'postgres');
  logger.info({ dataDir: dir }, 'DATABASE_URL is not set: starting the embedded PostgreSQL');
  const embedded = await startEmbedded({ dataDir: dir, port: config.EMBEDDED_PG_PORT, persistent: true });
  const admin = await import('pg');
  const client = new admin.default.Client({ connectionString: embedded.adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query(`SELECT 1 FROM pg_database WHERE datname = 'context_layer'`);
    if (!rowCount) await client.query('CREATE DATABASE context_layer');
  } finally {
    await client.end();
  }
  return { url: embedded.urlFor('context_layer'), embedded };
}

/**
 * SECRET_KEY when set. In development a key is generated once into the data folder, so the
 * two-command start needs no setup; production refuses to start without SECRET_KEY (config.ts).
 */
export function resolveSecretKey(config: Config): Buffer {
  if (config.SECRET_KEY) return decodeKey(config.SECRET_KEY)!;
  const dir = dataDir(config);
  const file = join(dir, 'secret.key');
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600 });
    chmodSync(file, 0o600);
  }
  const key = decodeKey(readFileSync(file, 'utf8').trim());
  if (!key) throw new Error(`${file} does not hold a 32-byte hex key; delete it to generate a new one`);
  return key;
}
