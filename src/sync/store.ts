import type { PoolClient } from 'pg';
import type { CanonicalKind, CanonicalRecord, NormalizedRecord } from '../canonical/types.js';
import { contentHash } from '../canonical/values.js';
import { uuidv7 } from '../db/ids.js';
import { MERGEABLE, TABLES, type TableSpec } from './record-columns.js';

/**
 * Writes one page of canonical records in bulk, inside the caller's transaction (the engine
 * moves the cursor in that same transaction). A record whose normalized values and links are
 * unchanged is not rewritten: the upsert's WHERE compares content hashes.
 */

export interface PageWrite {
  connectionId: string;
  kind: CanonicalKind;
  records: NormalizedRecord[];
  deletedRemoteIds: string[];
  now: Date;
}

export interface PageCounts {
  written: number;
  unchanged: number;
  deleted: number;
}

/** Hash markers that can never equal a real content hash, so a later restore rewrites the row. */
const TOMBSTONED = 'tombstoned';
const MERGED = 'merged';

const q = (name: string) => `"${name}"`;

function upsertSql(spec: TableSpec<CanonicalRecord>): string {
  const cols = spec.columns;
  const t = q(spec.table);
  const recordset = [
    '"id" uuid',
    '"remoteId" text',
    ...cols.map((c) => `${q(c.column)} ${c.sqlType}`),
    '"raw" jsonb',
    '"contentHash" text',
    '"deleted" boolean',
  ].join(', ');
  const insertCols = ['id', 'connectionId', 'remoteId', ...cols.map((c) => c.column), 'raw', 'contentHash', 'syncedAt', 'deletedAt', 'updatedAt'];
  const selectCols = [
    'r."id"',
    '$2::uuid',
    'r."remoteId"',
    ...cols.map((c) => `r.${q(c.column)}`),
    'r."raw"',
    'r."contentHash"',
    '$3::timestamptz',
    'CASE WHEN r."deleted" THEN $3::timestamptz END',
    '$3::timestamptz',
  ];
  const updates = [
    ...cols.map((c) => `${q(c.column)} = EXCLUDED.${q(c.column)}`),
    '"raw" = EXCLUDED."raw"',
    '"contentHash" = EXCLUDED."contentHash"',
    '"syncedAt" = EXCLUDED."syncedAt"',
    `"deletedAt" = CASE WHEN EXCLUDED."deletedAt" IS NULL THEN NULL ELSE COALESCE(${t}."deletedAt", EXCLUDED."deletedAt") END`,
    '"updatedAt" = EXCLUDED."updatedAt"',
  ];
  return `INSERT INTO ${t} (${insertCols.map(q).join(', ')})
SELECT ${selectCols.join(', ')} FROM jsonb_to_recordset($1::jsonb) AS r(${recordset})
ON CONFLICT ("connectionId", "remoteId") DO UPDATE SET ${updates.join(', ')}
WHERE ${t}."contentHash" IS DISTINCT FROM EXCLUDED."contentHash"
RETURNING "remoteId", (xmax = 0) AS "inserted"`;
}

const UPSERT_SQL = new Map<CanonicalKind, string>(
  (Object.keys(TABLES) as CanonicalKind[]).map((kind) => [kind, upsertSql(TABLES[kind] as TableSpec<CanonicalRecord>)]),
);

/**
 * Keeps the last occurrence of each remote id (a page may repeat a record across an overlap),
 * in remote-id order, so a sync page and a webhook refresh lock shared rows in the same order
 * and cannot deadlock each other.
 */
function lastPerRemoteId(records: NormalizedRecord[]): NormalizedRecord[] {
  const byId = new Map<string, NormalizedRecord>();
  for (const r of records) byId.set(r.record.remoteId, r);
  return [...byId.values()].sort((a, b) => (a.record.remoteId < b.record.remoteId ? -1 : a.record.remoteId > b.record.remoteId ? 1 : 0));
}

export async function writePage(client: PoolClient, page: PageWrite): Promise<PageCounts> {
  const spec = TABLES[page.kind] as TableSpec<CanonicalRecord>;
  const records = lastPerRemoteId(page.records);
  let written = 0;
  if (records.length) {
    const rows = records.map((n) => {
      const row: Record<string, unknown> = {
        id: uuidv7(),
        remoteId: n.record.remoteId,
        raw: n.raw ?? {},
        contentHash: contentHash({ record: n.record, links: n.associationKinds.length ? n.associations : null }),
        deleted: n.record.deleted,
      };
      for (const c of spec.columns) row[c.column] = c.value(n.record) ?? null;
      return row;
    });
    const result = await client.query<{ remoteId: string; inserted: boolean }>(UPSERT_SQL.get(page.kind)!, [
      JSON.stringify(rows),
      page.connectionId,
      page.now,
    ]);
    written = result.rowCount ?? 0;
    const changed = new Map(result.rows.map((r) => [r.remoteId, r.inserted]));
    await replaceAssociations(
      client,
      page,
      records.filter((r) => changed.has(r.record.remoteId)),
      new Set(result.rows.filter((r) => r.inserted).map((r) => r.remoteId)),
    );
    await markAbsorbed(client, page, records);
  }
  const deleted = await tombstone(client, page.connectionId, page.kind, page.deletedRemoteIds, page.now);
  return { written, unchanged: records.length - written, deleted };
}

/** A record's links of the kinds it reports are replaced; a new record has none to remove. */
async function replaceAssociations(client: PoolClient, page: PageWrite, changed: NormalizedRecord[], inserted: Set<string>): Promise<void> {
  const withLinks = changed.filter((r) => r.associationKinds.length > 0);
  if (!withLinks.length) return;
  // Records of one page nearly always report the same kinds: one indexed DELETE per group.
  const byKinds = new Map<string, { kinds: string[]; ids: string[] }>();
  for (const r of withLinks.filter((x) => !inserted.has(x.record.remoteId))) {
    const kinds = [...r.associationKinds].sort();
    const group = byKinds.get(kinds.join(',')) ?? { kinds, ids: [] };
    group.ids.push(r.record.remoteId);
    byKinds.set(kinds.join(','), group);
  }
  for (const { kinds, ids } of byKinds.values()) {
    await client.query(
      `DELETE FROM "Association" WHERE "connectionId" = $1::uuid AND "fromKind" = $2::"ObjectKind"
         AND "fromRemoteId" = ANY($3::text[]) AND "toKind" = ANY($4::"ObjectKind"[])`,
      [page.connectionId, page.kind, ids, kinds],
    );
  }
  const links = withLinks.flatMap((r) =>
    r.associations.map((a) => ({ from: r.record.remoteId, toKind: a.toKind, to: a.toRemoteId, label: a.label, isPrimary: a.isPrimary })),
  );
  if (!links.length) return;
  await client.query(
    `INSERT INTO "Association" ("connectionId", "fromKind", "fromRemoteId", "toKind", "toRemoteId", "label", "isPrimary", "syncedAt")
     SELECT $1::uuid, $2::"ObjectKind", l."from", l."toKind"::"ObjectKind", l."to", l."label", COALESCE(l."isPrimary", false), $4::timestamptz
     FROM jsonb_to_recordset($3::jsonb) AS l("from" text, "toKind" text, "to" text, "label" text, "isPrimary" boolean)
     ON CONFLICT ("connectionId", "fromKind", "fromRemoteId", "toKind", "toRemoteId")
     DO UPDATE SET "label" = EXCLUDED."label", "isPrimary" = EXCLUDED."isPrimary", "syncedAt" = EXCLUDED."syncedAt"`,
    [page.connectionId, page.kind, JSON.stringify(links), page.now],
  );
}

async function markAbsorbed(client: PoolClient, page: PageWrite, records: NormalizedRecord[]): Promise<void> {
  if (!MERGEABLE.has(page.kind)) return;
  for (const r of records.filter((x) => x.absorbedRemoteIds.length)) {
    await markMerged(client, page.connectionId, page.kind, r.absorbedRemoteIds, r.record.remoteId, page.now);
  }
}

/** Marks records merged into a survivor: tombstoned, pointing at it. */
export async function markMerged(
  client: PoolClient,
  connectionId: string,
  kind: CanonicalKind,
  mergedRemoteIds: string[],
  survivorRemoteId: string,
  now: Date,
): Promise<number> {
  const ids = mergedRemoteIds.filter((id) => id !== survivorRemoteId);
  if (!ids.length || !MERGEABLE.has(kind)) return 0;
  const result = await client.query(
    `UPDATE ${q(TABLES[kind].table)} SET "mergedIntoRemoteId" = $3, "deletedAt" = COALESCE("deletedAt", $4::timestamptz),
       "contentHash" = '${MERGED}', "updatedAt" = $4::timestamptz
     WHERE "connectionId" = $1::uuid AND "remoteId" = ANY($2::text[]) AND "mergedIntoRemoteId" IS DISTINCT FROM $3`,
    [connectionId, ids, survivorRemoteId, now],
  );
  return result.rowCount ?? 0;
}

export async function tombstone(client: PoolClient, connectionId: string, kind: CanonicalKind, remoteIds: string[], now: Date): Promise<number> {
  if (!remoteIds.length) return 0;
  const result = await client.query(
    `UPDATE ${q(TABLES[kind].table)} SET "deletedAt" = $3::timestamptz, "contentHash" = '${TOMBSTONED}', "updatedAt" = $3::timestamptz
     WHERE "connectionId" = $1::uuid AND "remoteId" = ANY($2::text[]) AND "deletedAt" IS NULL`,
    [connectionId, [...new Set(remoteIds)], now],
  );
  return result.rowCount ?? 0;
}
