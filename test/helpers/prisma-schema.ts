import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../src/paths.js';

/** The columns schema.prisma promises, read from the file itself (not the generated client). */
export interface ExpectedColumn {
  table: string;
  column: string;
  /** information_schema udt_name: text, uuid, int4, timestamptz, jsonb, numeric, _text, or an enum name. */
  udt: string;
  nullable: boolean;
}

const SCALAR_UDT: Record<string, string> = {
  String: 'text',
  Int: 'int4',
  BigInt: 'int8',
  Boolean: 'bool',
  DateTime: 'timestamp',
  Json: 'jsonb',
  Decimal: 'numeric',
  Float: 'float8',
};

const NATIVE_UDT: Record<string, string> = {
  Uuid: 'uuid',
  Timestamptz: 'timestamptz',
  Decimal: 'numeric',
  Text: 'text',
};

export function readPrismaSchema(path = join(projectRoot, 'prisma', 'schema.prisma')): ExpectedColumn[] {
  const source = readFileSync(path, 'utf8').replace(/\/\/.*$/gm, '');
  const enums = new Set([...source.matchAll(/^enum\s+(\w+)\s*\{/gm)].map((m) => m[1]!));
  const models = [...source.matchAll(/^model\s+(\w+)\s*\{([\s\S]*?)^\}/gm)];
  const modelNames = new Set(models.map((m) => m[1]!));
  const columns: ExpectedColumn[] = [];
  for (const [, model, body] of models) {
    const table = /@@map\("([^"]+)"\)/.exec(body!)?.[1] ?? model!;
    for (const line of body!.split('\n').map((l) => l.trim())) {
      const field = /^(\w+)\s+(\w+)(\[\])?(\?)?\s*(.*)$/.exec(line);
      if (!field || line.startsWith('@@')) continue;
      const [, name, type, list, optional, attributes] = field;
      if (modelNames.has(type!)) continue; // a relation, not a column
      const column = /@map\("([^"]+)"\)/.exec(attributes!)?.[1] ?? name!;
      const native = /@db\.(\w+)/.exec(attributes!)?.[1];
      const base = enums.has(type!) ? type! : (native && NATIVE_UDT[native]) || SCALAR_UDT[type!];
      if (!base) throw new Error(`unknown Prisma type ${type} on ${model}.${name}`);
      // Prisma lists are Postgres arrays: nullable at the column level, element type prefixed "_".
      columns.push({ table, column, udt: list ? `_${base}` : base, nullable: Boolean(optional) || Boolean(list) });
    }
  }
  return columns;
}

export interface ActualColumn {
  table: string;
  column: string;
  udt: string;
  nullable: boolean;
}

/** The public columns of a database, in the same shape as readPrismaSchema(). */
export async function readDatabaseColumns(pool: { query: (sql: string) => Promise<{ rows: unknown[] }> }): Promise<ActualColumn[]> {
  const { rows } = await pool.query(
    `SELECT table_name, column_name, udt_name, is_nullable FROM information_schema.columns
     WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'`,
  );
  return (rows as { table_name: string; column_name: string; udt_name: string; is_nullable: string }[]).map((r) => ({
    table: r.table_name,
    column: r.column_name,
    udt: r.udt_name,
    nullable: r.is_nullable === 'YES',
  }));
}

/** Human-readable differences between schema.prisma and a database; empty when they agree. */
export function schemaDifferences(expected: ExpectedColumn[], actual: ActualColumn[]): string[] {
  const key = (c: { table: string; column: string }) => `${c.table}.${c.column}`;
  const describe = (c: ExpectedColumn) => `${c.udt}${c.nullable ? ' NULL' : ' NOT NULL'}`;
  const inDb = new Map(actual.map((c) => [key(c), c]));
  const inSchema = new Map(expected.map((c) => [key(c), c]));
  const problems: string[] = [];
  for (const [k, want] of inSchema) {
    const got = inDb.get(k);
    if (!got) problems.push(`${k}: in schema.prisma, missing from the database`);
    else if (describe(got) !== describe(want)) problems.push(`${k}: schema.prisma says ${describe(want)}, database has ${describe(got)}`);
  }
  for (const k of inDb.keys()) if (!inSchema.has(k)) problems.push(`${k}: in the database, missing from schema.prisma`);
  return problems.sort();
}
