import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../src/db/embedded.js';
import { createEmptyDatabase } from '../../helpers/db.js';
import { runCli } from '../../helpers/process.js';

/** The two-command promise, exercised as a user would: real processes, real PostgreSQL. */
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cl-start-'));
  chmodSync(dir, 0o755);
  dirs.push(dir);
  return dir;
}

async function get(url: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url);
  return { status: res.status, body: await res.json() };
}

describe('context-layer start', () => {
  it('starts an embedded PostgreSQL with no configuration, and keeps its data across restarts', async () => {
    const env = { DATA_DIR: dataDir(), PORT: '0', EMBEDDED_PG_PORT: String(await freePort()), DEMO: 'off' };
    const first = runCli(['start'], env);
    const listening = await first.waitForLog('context-layer is listening');
    await first.waitForLog('applied database migrations');
    expect(await get(`${listening.url}/readyz`)).toEqual({ status: 200, body: { status: 'ready' } });
    expect((await get(`${listening.url}/healthz`)).status).toBe(200);

    const client = new pg.Client({ connectionString: `postgresql://postgres:context-layer-local@127.0.0.1:${env.EMBEDDED_PG_PORT}/context_layer` });
    await client.connect();
    await client.query(`INSERT INTO "ApiKey" (id, name, prefix, hash, scopes) VALUES (gen_random_uuid(), 'kept', 'clk_x', 'h1', '{admin}')`);
    await client.end();
    expect(await first.stop('SIGTERM')).toBe(0);
    expect(first.output()).toContain('"msg":"stopped"');

    const second = runCli(['start'], env);
    const again = await second.waitForLog('context-layer is listening');
    expect((await get(`${again.url}/readyz`)).status).toBe(200);
    expect(second.output()).not.toContain('applied database migrations');
    const check = new pg.Client({ connectionString: `postgresql://postgres:context-layer-local@127.0.0.1:${env.EMBEDDED_PG_PORT}/context_layer` });
    await check.connect();
    const { rows } = await check.query(`SELECT name FROM "ApiKey"`);
    await check.end();
    expect(rows).toEqual([{ name: 'kept' }]);
    expect(await second.stop('SIGINT')).toBe(0);
  });

  it('uses DATABASE_URL instead of the embedded server when it is set', async () => {
    const { url } = await createEmptyDatabase();
    const dir = dataDir();
    const proc = runCli(['start'], { DATABASE_URL: url, DATA_DIR: dir, PORT: '0', DEMO: 'off' });
    const listening = await proc.waitForLog('context-layer is listening');
    expect((await get(`${listening.url}/readyz`)).status).toBe(200);
    expect(proc.output()).not.toContain('starting the embedded PostgreSQL');
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const { rows } = await client.query(`SELECT count(*)::int AS n FROM "_prisma_migrations"`);
    await client.end();
    expect(rows[0].n).toBeGreaterThan(0);
    expect(await proc.stop()).toBe(0);
  });

  it('exits non-zero with a message naming a malformed variable', async () => {
    const proc = runCli(['start'], { PORT: 'eighty' });
    expect(await proc.exited).toBe(1);
    expect(proc.output()).toContain('PORT: a port number from 0 to 65535');
  });

  it('answers --help for each command and rejects unknown commands', async () => {
    const help = runCli(['start', '--help'], {});
    expect(await help.exited).toBe(0);
    expect(help.output()).toContain('Usage: context-layer start');
    const bad = runCli(['frobnicate'], {});
    expect(await bad.exited).toBe(2);
    expect(bad.output()).toContain('unknown command "frobnicate"');
  });
});
