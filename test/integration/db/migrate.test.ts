import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate, MigrationError, readMigrations } from '../../../src/db/migrate.js';
import { migrationsDir } from '../../../src/paths.js';
import { createEmptyDatabase } from '../../helpers/db.js';
import { readDatabaseColumns, readPrismaSchema, schemaDifferences } from '../../helpers/prisma-schema.js';

const scratch: string[] = [];
afterEach(() => scratch.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function copyMigrations(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cl-migrations-'));
  scratch.push(dir);
  cpSync(migrationsDir, dir, { recursive: true });
  return dir;
}

async function appliedRows(url: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query('SELECT migration_name, checksum, finished_at, applied_steps_count FROM "_prisma_migrations"');
    return rows as { migration_name: string; checksum: string; finished_at: Date | null; applied_steps_count: number }[];
  } finally {
    await client.end();
  }
}

describe('migrate', () => {
  it('applies every migration once and records it as prisma migrate deploy does', async () => {
    const { url } = await createEmptyDatabase();
    const first = await migrate(url);
    const local = readMigrations();
    expect(first.applied).toEqual(local.map((m) => m.name));
    const rows = await appliedRows(url);
    expect(rows).toHaveLength(local.length);
    for (const migration of local) {
      const row = rows.find((r) => r.migration_name === migration.name)!;
      const fileBytes = readFileSync(join(migrationsDir, migration.name, 'migration.sql'));
      expect(row.checksum).toBe(createHash('sha256').update(fileBytes).digest('hex'));
      expect(row.finished_at).toBeInstanceOf(Date);
      expect(row.applied_steps_count).toBe(1);
    }
    const second = await migrate(url);
    expect(second).toEqual({ applied: [], alreadyApplied: local.length });
  });

  it('runs safely when two processes migrate at once', async () => {
    const { url } = await createEmptyDatabase();
    const results = await Promise.all([migrate(url), migrate(url)]);
    expect(results.map((r) => r.applied.length).sort()).toEqual([0, readMigrations().length]);
  });

  it('refuses to run when an applied migration file has changed', async () => {
    const { url } = await createEmptyDatabase();
    const dir = copyMigrations();
    await migrate(url, dir);
    const name = readMigrations(dir)[0]!.name;
    writeFileSync(join(dir, name, 'migration.sql'), readFileSync(join(dir, name, 'migration.sql'), 'utf8') + '\n-- edited\n');
    await expect(migrate(url, dir)).rejects.toThrow(MigrationError);
    await expect(migrate(url, dir)).rejects.toThrow(/was modified after it was applied/);
  });

  it('refuses to run when the database is ahead of the code', async () => {
    const { url } = await createEmptyDatabase();
    await migrate(url);
    const dir = mkdtempSync(join(tmpdir(), 'cl-migrations-empty-'));
    scratch.push(dir);
    await expect(migrate(url, dir)).rejects.toThrow(/database is ahead of the code/);
  });

  it('rolls back a failing migration and says which one failed', async () => {
    const { url } = await createEmptyDatabase();
    const dir = copyMigrations();
    const broken = join(dir, '29990101000000_broken');
    cpSync(join(dir, readMigrations(dir)[0]!.name), broken, { recursive: true });
    writeFileSync(join(broken, 'migration.sql'), 'CREATE TABLE "Half" (id int);\nSELECT no_such_function();\n');
    await expect(migrate(url, dir)).rejects.toThrow(/29990101000000_broken failed and was rolled back/);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const { rows } = await client.query(`SELECT to_regclass('public."Half"') AS t`);
    await client.end();
    expect(rows[0].t).toBeNull();
  });

  it('the drift check catches a column removed from a migration', async () => {
    const { url } = await createEmptyDatabase();
    const dir = copyMigrations();
    const name = readMigrations(dir)[0]!.name;
    const file = join(dir, name, 'migration.sql');
    const sql = readFileSync(file, 'utf8');
    expect(sql).toContain('    "title" TEXT,\n');
    writeFileSync(file, sql.replace('    "title" TEXT,\n', ''));
    await migrate(url, dir);
    const pool = new pg.Pool({ connectionString: url });
    try {
      const problems = schemaDifferences(readPrismaSchema(), await readDatabaseColumns(pool));
      expect(problems).toEqual(['Contact.title: in schema.prisma, missing from the database']);
    } finally {
      await pool.end();
    }
  });
});
