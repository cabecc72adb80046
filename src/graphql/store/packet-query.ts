import type pg from 'pg';
import {
  ACTIVITY_COLUMNS,
  AI_OUTPUT_COLUMNS,
  OWNER_COLUMNS,
  SIGNAL_COLUMNS,
  UNTRACKED_COMPANY_COLUMNS,
  UNTRACKED_CONTACT_COLUMNS,
  UNTRACKED_DEAL_COLUMNS,
  type ActivityRecord,
  type AiOutputRecord,
  type CompanyRecord,
  type ConnectionRecord,
  type ContactRecord,
  type DealRecord,
  type OwnerRecord,
  type SignalRecord,
  type Untracked,
} from './records.js';

/**
 * Everything the context packets of a batch of contacts read, in ONE statement: per asked-for
 * contact, the person's records (itself first, then its live same-email records), their
 * connections, companies, owners, open deals with roles, newest activities, scores and
 * newest signal per (source, key). Each part is a json_agg, so one round trip serves any
 * number of packets; that is what keeps contextPackets at a constant statement count and
 * near the cost of a hand-written query.
 */
export interface PacketKey {
  contactId: string;
  openDeals: number;
  activities: number;
  scores: number;
  signals: number;
}

export interface DealWithRole extends Untracked<DealRecord> {
  role: string | null;
}

/** Packets show no change-tracking columns, so they are not read (see Untracked). */
export type PacketContact = Untracked<ContactRecord>;
export type PacketCompanyRecord = Untracked<CompanyRecord>;

export interface PacketRows {
  records: PacketContact[];
  connections: ConnectionRecord[];
  /** In the order of records: the asked-for record's company first. */
  companies: PacketCompanyRecord[];
  owners: OwnerRecord[];
  deals: DealWithRole[];
  activities: ActivityRecord[];
  scores: AiOutputRecord[];
  signals: SignalRecord[];
}

export function packetKeyString(key: PacketKey): string {
  return `${key.contactId}|${key.openDeals}|${key.activities}|${key.scores}|${key.signals}`;
}

/** The asked-for keys: one row per packet, from five parallel arrays. */
const BATCH_KEYS = 'SELECT * FROM unnest($1::uuid[], $2::int[], $3::int[], $4::int[], $5::int[]) AS k(id, deals, acts, scores, signals)';
/** One packet's key as plain parameters (see loadPacketRows for why it differs). */
const SINGLE_KEY = 'SELECT $1::uuid AS id, $2::int AS deals, $3::int AS acts, $4::int AS scores, $5::int AS signals';

const packetSql = (keys: string) => `
WITH k AS (${keys}), person AS (
  SELECT k.id AS rid, (p.id = k.id) AS asked, ${UNTRACKED_CONTACT_COLUMNS('p')}
    FROM k
    JOIN "Contact" req ON req.id = k.id
    JOIN "Contact" p ON p.id = req.id OR (req.email IS NOT NULL AND p.email = req.email AND p."deletedAt" IS NULL)
)
SELECT k.id AS "contactId", k.deals AS "limDeals", k.acts AS "limActs", k.scores AS "limScores", k.signals AS "limSignals",
  (SELECT json_agg(r ORDER BY r.asked DESC, r.id) FROM person r WHERE r.rid = k.id) AS records,
  (SELECT json_agg(x) FROM (
     SELECT DISTINCT cn.id, cn.provider, cn.name,
            (SELECT min(ss."lastSuccessAt") FROM "SyncState" ss WHERE ss."connectionId" = cn.id) AS "confirmedAt"
       FROM person r JOIN "Connection" cn ON cn.id = r."connectionId" WHERE r.rid = k.id
   ) x) AS connections,
  (SELECT json_agg(x ORDER BY x.asked DESC, x.via) FROM (
     SELECT r.asked, r.id AS via, ${UNTRACKED_COMPANY_COLUMNS('co')} FROM person r
       JOIN "Company" co ON co."connectionId" = r."connectionId" AND co."remoteId" = r."companyRemoteId"
      WHERE r.rid = k.id AND co."deletedAt" IS NULL
   ) x) AS companies,
  (SELECT json_agg(x ORDER BY x.asked DESC, x.via) FROM (
     SELECT r.asked, r.id AS via, ${OWNER_COLUMNS('o')} FROM person r
       JOIN "Owner" o ON o."connectionId" = r."connectionId" AND o."remoteId" = r."ownerRemoteId"
      WHERE r.rid = k.id AND o."deletedAt" IS NULL
   ) x) AS owners,
  (SELECT json_agg(x) FROM (
     SELECT * FROM (
       SELECT DISTINCT ON (d.id) ${UNTRACKED_DEAL_COLUMNS('d')}, a.label AS role
         FROM person r
         JOIN "Association" a ON a."connectionId" = r."connectionId" AND a."toKind" = 'CONTACT'
                             AND a."toRemoteId" = r."remoteId" AND a."fromKind" = 'DEAL'
         JOIN "Deal" d ON d."connectionId" = a."connectionId" AND d."remoteId" = a."fromRemoteId"
        WHERE r.rid = k.id AND d."deletedAt" IS NULL AND d."isClosed" IS NOT TRUE
        ORDER BY d.id, r.asked DESC, a."isPrimary" DESC) deal
      ORDER BY deal."closeDate" ASC NULLS LAST, deal.id
      LIMIT k.deals
   ) x) AS deals,
  (SELECT json_agg(x) FROM (
     SELECT * FROM (
       SELECT DISTINCT ON (act.id) ${ACTIVITY_COLUMNS('act')}
         FROM person r
         JOIN "Association" a ON a."connectionId" = r."connectionId" AND a."toKind" = 'CONTACT'
                             AND a."toRemoteId" = r."remoteId" AND a."fromKind" = 'ACTIVITY'
         JOIN "Activity" act ON act."connectionId" = a."connectionId" AND act."remoteId" = a."fromRemoteId"
        WHERE r.rid = k.id AND act."deletedAt" IS NULL
        ORDER BY act.id) activity
      ORDER BY activity."occurredAt" DESC NULLS LAST, activity.id DESC
      LIMIT k.acts
   ) x) AS activities,
  (SELECT json_agg(x) FROM (
     SELECT ${AI_OUTPUT_COLUMNS('ao')} FROM "AiOutput" ao
      WHERE ao."contactId" IN (SELECT r.id FROM person r WHERE r.rid = k.id)
      ORDER BY ao."createdAt" DESC, ao.id DESC
      LIMIT k.scores
   ) x) AS scores,
  (SELECT json_agg(x) FROM (
     SELECT * FROM (
       SELECT DISTINCT ON (sig.source, sig.key) ${SIGNAL_COLUMNS('sig')} FROM "Signal" sig
        WHERE sig."contactId" IN (SELECT r.id FROM person r WHERE r.rid = k.id)
        ORDER BY sig.source, sig.key, sig."observedAt" DESC, sig.id DESC) latest
      ORDER BY latest."observedAt" DESC, latest.key, latest.source
      LIMIT k.signals
   ) x) AS signals
FROM k`;

const BATCH_STATEMENT = { name: 'context-layer:packet-rows', text: packetSql(BATCH_KEYS) };
const SINGLE_STATEMENT = { name: 'context-layer:packet-row', text: packetSql(SINGLE_KEY) };

/** json_agg turns timestamps into ISO strings; these are the columns to turn back into Dates. */
const DATE_KEYS = [
  'syncedAt', 'confirmedAt', 'deletedAt', 'closeDate', 'occurredAt', 'createdAt', 'observedAt',
];

function revive<T>(rows: unknown): T[] {
  if (!Array.isArray(rows)) return [];
  return rows.map((row: Record<string, unknown>) => {
    for (const key of DATE_KEYS) {
      const value = row[key];
      if (typeof value === 'string') row[key] = new Date(value);
    }
    return row as T;
  });
}

interface PacketRow {
  contactId: string;
  limDeals: number;
  limActs: number;
  limScores: number;
  limSignals: number;
  [part: string]: unknown;
}

/**
 * One statement for the whole batch; a key whose contact does not exist is absent from the map.
 *
 * Both statements are named, so each connection parses them once. A single packet (the
 * common case: contextPacket) uses plain parameters rather than one-element arrays: Postgres
 * then settles on a cached generic plan, where for arrays it estimates ten rows, finds its
 * custom plans cheaper and re-plans on every call. Planning this query costs about twice as
 * much as running it for one contact (bench/RESULTS.md).
 */
export async function loadPacketRows(pool: pg.Pool, keys: readonly PacketKey[]): Promise<Map<string, PacketRows>> {
  const single = keys.length === 1 ? keys[0]! : null;
  const { rows } = await pool.query<PacketRow>(
    single
      ? { ...SINGLE_STATEMENT, values: [single.contactId, single.openDeals, single.activities, single.scores, single.signals] }
      : {
          ...BATCH_STATEMENT,
          values: [
            keys.map((k) => k.contactId),
            keys.map((k) => k.openDeals),
            keys.map((k) => k.activities),
            keys.map((k) => k.scores),
            keys.map((k) => k.signals),
          ],
        },
  );
  const result = new Map<string, PacketRows>();
  for (const row of rows) {
    const key = packetKeyString({ contactId: row.contactId, openDeals: row.limDeals, activities: row.limActs, scores: row.limScores, signals: row.limSignals });
    result.set(key, {
      records: revive<PacketContact>(row['records']),
      connections: revive<ConnectionRecord>(row['connections']),
      companies: revive<PacketCompanyRecord>(row['companies']),
      owners: revive<OwnerRecord>(row['owners']),
      deals: revive<DealWithRole>(row['deals']),
      activities: revive<ActivityRecord>(row['activities']),
      scores: revive<AiOutputRecord>(row['scores']),
      signals: revive<SignalRecord>(row['signals']),
    });
  }
  return result;
}
