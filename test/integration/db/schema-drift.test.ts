import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../../src/paths.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/db.js';
import { readDatabaseColumns, readPrismaSchema, schemaDifferences } from '../../helpers/prisma-schema.js';

/** schema.prisma (what the client expects) against the migrated database (what the SQL built). */
describe('schema drift', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.close());

  it('every model field matches a column with the same type and nullability, and nothing else exists', async () => {
    const expected = readPrismaSchema();
    expect(expected.length).toBeGreaterThan(100);
    expect(schemaDifferences(expected, await readDatabaseColumns(db.pool))).toEqual([]);
  });

  it('the generated client was generated from the current schema.prisma', () => {
    const schema = readFileSync(join(projectRoot, 'prisma', 'schema.prisma'), 'utf8');
    const generated = readFileSync(join(projectRoot, 'src', 'generated', 'prisma', 'internal', 'class.ts'), 'utf8');
    // The client embeds the schema it was built from; regenerate with `npm run prisma:generate`.
    const embedded = /"inlineSchema": ("(?:[^"\\]|\\.)*")/.exec(generated)?.[1];
    expect(embedded).toBeDefined();
    // Prisma re-aligns columns when it embeds the schema, so compare modulo whitespace.
    const squash = (text: string) => text.replace(/\s+/g, ' ').trim();
    expect(squash(JSON.parse(embedded!))).toBe(squash(schema));
  });
});
