import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

describe('config', () => {
  it('gives defaults for an empty environment', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ PORT: 4000, HOST: '127.0.0.1', LOG_LEVEL: 'info', DATA_DIR: '.data', DEMO: 'auto' });
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config).toMatchObject({ DATABASE_POOL_SIZE: 10, SYNC_CONCURRENCY: 3 });
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ PORT: '', DATABASE_URL: '' }).PORT).toBe(4000);
  });

  it.each([
    ['PORT', 'eighty', /PORT: a port number from 0 to 65535 \(got "eighty"\)/],
    ['PORT', '70000', /PORT: .*65535/],
    ['LOG_LEVEL', 'loud', /LOG_LEVEL: .*"loud"/],
    ['DATABASE_URL', 'mysql://x', /DATABASE_URL: a postgres:\/\/ or postgresql:\/\/ connection URL$/m],
    ['SECRET_KEY', 'short', /SECRET_KEY: 32 bytes/],
    ['SCORE_REVIEW_THRESHOLD', '101', /SCORE_REVIEW_THRESHOLD/],
    ['DATABASE_POOL_SIZE', '2', /DATABASE_POOL_SIZE: .*"2"/],
    ['SYNC_CONCURRENCY', '0', /SYNC_CONCURRENCY: .*"0"/],
  ])('rejects a malformed %s, naming it and what it expects', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(message);
  });

  it('keeps the pool within what the embedded PostgreSQL allows', () => {
    expect(() => loadConfig({ DATABASE_POOL_SIZE: '120' })).toThrow(/DATABASE_POOL_SIZE: at most 80 with the embedded PostgreSQL.*set DATABASE_URL/);
    expect(loadConfig({ DATABASE_POOL_SIZE: '120', DATABASE_URL: 'postgres://db.example/x' }).DATABASE_POOL_SIZE).toBe(120);
  });

  it('keeps syncs from taking the whole pool', () => {
    expect(() => loadConfig({ SYNC_CONCURRENCY: '8' })).toThrow(/SYNC_CONCURRENCY: at most DATABASE_POOL_SIZE - 3 \(7\).*\(got 8\)/);
    expect(loadConfig({ SYNC_CONCURRENCY: '8', DATABASE_POOL_SIZE: '20' })).toMatchObject({ SYNC_CONCURRENCY: 8, DATABASE_POOL_SIZE: 20 });
  });

  it('never echoes a secret value in its error', () => {
    try {
      loadConfig({ DATABASE_URL: 'mysql://user:hunter2@db/x', SECRET_KEY: 'hunter3' });
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).not.toMatch(/hunter/);
      expect((error as ConfigError).problems).toHaveLength(2);
    }
  });

  it('accepts hex and base64 secret keys, and requires one in production', () => {
    const hex = 'ab'.repeat(32);
    expect(loadConfig({ SECRET_KEY: hex }).SECRET_KEY).toBe(hex);
    const b64 = Buffer.alloc(32, 7).toString('base64');
    expect(loadConfig({ SECRET_KEY: b64 }).SECRET_KEY).toBe(b64);
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/SECRET_KEY: required when NODE_ENV=production/);
  });
});

describe('README configuration table', () => {
  it('lists exactly the variables config.ts reads', async () => {
    const { readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { projectRoot } = await import('../../src/paths.js');
    const { CONFIG_VARIABLES } = await import('../../src/config.js');
    const readme = readFileSync(join(projectRoot, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('\n## ', readme.indexOf('## Configuration') + 5));
    const documented = [...section.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]);
    expect(documented.sort()).toEqual([...CONFIG_VARIABLES].sort());
  });
});
