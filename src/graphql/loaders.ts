import DataLoader from 'dataloader';
import type pg from 'pg';
import {
  ACTIVITY_COLUMNS,
  AI_OUTPUT_COLUMNS,
  COMPANY_COLUMNS,
  CONTACT_COLUMNS,
  DEAL_COLUMNS,
  OWNER_COLUMNS,
  SIGNAL_COLUMNS,
  remoteKeyString,
  type ActivityRecord,
  type AiOutputRecord,
  type CompanyRecord,
  type ConnectionRecord,
  type ContactRecord,
  type DealRecord,
  type OwnerRecord,
  type RemoteKey,
  type SignalRecord,
} from './store/records.js';

/**
 * Per-request DataLoaders over the one shared pool. Each loader is ONE hand-written SQL
 * statement per batch, whatever the number of keys, which is what keeps a 100-contact
 * contextPackets request at a constant statement count. They only read the store.
 */

/** The ids of one person's records: the record itself and its live same-email records. */
const PERSON_IDS = (req: string) => `
  SELECT p.id FROM "Contact" p
  WHERE p.id = ${req}.id OR (${req}.email IS NOT NULL AND p.email = ${req}.email AND p."deletedAt" IS NULL)`;

export interface LimitedRemoteKey extends RemoteKey {
  limit: number;
}

export interface LimitedContactKey {
  contactId: string;
  limit: number;
}

export interface DealWithRole extends DealRecord {
  role: string | null;
}

export interface DealContactLink {
  role: string | null;
  isPrimary: boolean;
  contact: ContactRecord | null;
}

export interface Loaders {
  contactById: DataLoader<string, ContactRecord | null>;
  /** The asked-for record first, then the person's other live records (same email). */
  personRecords: DataLoader<string, ContactRecord[]>;
  connectionById: DataLoader<string, ConnectionRecord | null>;
  companyByRemote: DataLoader<RemoteKey, CompanyRecord | null, string>;
  ownerByRemote: DataLoader<RemoteKey, OwnerRecord | null, string>;
  openDealsByContact: DataLoader<LimitedRemoteKey, DealWithRole[], string>;
  recentActivitiesByContact: DataLoader<LimitedRemoteKey, ActivityRecord[], string>;
  dealContacts: DataLoader<RemoteKey, DealContactLink[], string>;
  /** The person's AI outputs, newest first. */
  personScores: DataLoader<LimitedContactKey, AiOutputRecord[], string>;
  /** The person's newest signal per (source, key), newest first. */
  personSignals: DataLoader<LimitedContactKey, SignalRecord[], string>;
}

type Grouped<K, R> = (rows: R[], keys: readonly K[]) => R[][];

function groupBy<K, R>(keyOfRow: (row: R) => string, keyOf: (key: K) => string): Grouped<K, R> {
  return (rows, keys) => {
    const groups = new Map<string, R[]>();
    for (const row of rows) {
      const k = keyOfRow(row);
      const list = groups.get(k);
      if (list) list.push(row);
      else groups.set(k, [row]);
    }
    return keys.map((key) => groups.get(keyOf(key)) ?? []);
  };
}

const limitedRemoteKey = (k: LimitedRemoteKey) => `${remoteKeyString(k)}|${k.limit}`;
const limitedContactKey = (k: LimitedContactKey) => `${k.contactId}|${k.limit}`;

function remoteArrays(keys: readonly RemoteKey[]): [string[], string[]] {
  return [keys.map((k) => k.connectionId), keys.map((k) => k.remoteId)];
}

export function createLoaders(pool: pg.Pool): Loaders {
  async function select<R extends pg.QueryResultRow>(sql: string, params: unknown[]): Promise<R[]> {
    return (await pool.query<R>(sql, params)).rows;
  }

  function byRemote<R extends RemoteKey>(table: string, cols: string) {
    return new DataLoader<RemoteKey, R | null, string>(
      async (keys) => {
        const rows = await select<R>(
          `SELECT ${cols} FROM unnest($1::uuid[], $2::text[]) AS k(cid, rid)
           JOIN "${table}" t ON t."connectionId" = k.cid AND t."remoteId" = k.rid`,
          remoteArrays(keys),
        );
        const found = new Map(rows.map((r) => [remoteKeyString(r), r]));
        return keys.map((k) => found.get(remoteKeyString(k)) ?? null);
      },
      { cacheKeyFn: remoteKeyString },
    );
  }

  const contactById = new DataLoader<string, ContactRecord | null>(async (ids) => {
    const rows = await select<ContactRecord>(`SELECT ${CONTACT_COLUMNS('c')} FROM "Contact" c WHERE c.id = ANY($1::uuid[])`, [ids]);
    const found = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => found.get(id) ?? null);
  });

  const personRecords = new DataLoader<string, ContactRecord[]>(async (ids) => {
    const rows = await select<ContactRecord & { requestedId: string; rank: number }>(
      `SELECT req.id AS "requestedId", 0 AS rank, ${CONTACT_COLUMNS('req')}
         FROM "Contact" req WHERE req.id = ANY($1::uuid[])
       UNION ALL
       SELECT req.id, 1, ${CONTACT_COLUMNS('p')}
         FROM "Contact" req
         JOIN "Contact" p ON p.email = req.email AND p.id <> req.id AND p."deletedAt" IS NULL
        WHERE req.id = ANY($1::uuid[]) AND req.email IS NOT NULL
       ORDER BY "requestedId", rank, id`,
      [ids],
    );
    for (const row of rows) if (row.rank === 0) contactById.prime(row.id, stripPersonColumns(row));
    return groupBy<string, ContactRecord & { requestedId: string }>((r) => r.requestedId, (id) => id)(rows, ids).map(
      (group) => group.map(stripPersonColumns),
    );
  });

  const connectionById = new DataLoader<string, ConnectionRecord | null>(async (ids) => {
    const rows = await select<ConnectionRecord>(`SELECT id, provider, name FROM "Connection" WHERE id = ANY($1::uuid[])`, [ids]);
    const found = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => found.get(id) ?? null);
  });

  const openDealsByContact = new DataLoader<LimitedRemoteKey, DealWithRole[], string>(
    async (keys) => {
      const rows = await select<DealWithRole & { key: string }>(
        `SELECT k.cid || '|' || k.rid || '|' || k.lim AS key, d.*
           FROM unnest($1::uuid[], $2::text[], $3::int[]) AS k(cid, rid, lim)
           CROSS JOIN LATERAL (
             SELECT ${DEAL_COLUMNS('deal')}, a.label AS role
               FROM "Association" a
               JOIN "Deal" deal ON deal."connectionId" = a."connectionId" AND deal."remoteId" = a."fromRemoteId"
              WHERE a."connectionId" = k.cid AND a."toKind" = 'CONTACT' AND a."toRemoteId" = k.rid
                AND a."fromKind" = 'DEAL' AND deal."deletedAt" IS NULL AND deal."isClosed" IS NOT TRUE
              ORDER BY deal."closeDate" ASC NULLS LAST, deal.id
              LIMIT k.lim) d`,
        [...remoteArrays(keys), keys.map((k) => k.limit)],
      );
      return groupBy<LimitedRemoteKey, DealWithRole & { key: string }>((r) => r.key, limitedRemoteKey)(rows, keys);
    },
    { cacheKeyFn: limitedRemoteKey },
  );

  const recentActivitiesByContact = new DataLoader<LimitedRemoteKey, ActivityRecord[], string>(
    async (keys) => {
      const rows = await select<ActivityRecord & { key: string }>(
        `SELECT k.cid || '|' || k.rid || '|' || k.lim AS key, x.*
           FROM unnest($1::uuid[], $2::text[], $3::int[]) AS k(cid, rid, lim)
           CROSS JOIN LATERAL (
             SELECT ${ACTIVITY_COLUMNS('act')}
               FROM "Association" a
               JOIN "Activity" act ON act."connectionId" = a."connectionId" AND act."remoteId" = a."fromRemoteId"
              WHERE a."connectionId" = k.cid AND a."toKind" = 'CONTACT' AND a."toRemoteId" = k.rid
                AND a."fromKind" = 'ACTIVITY' AND act."deletedAt" IS NULL
              ORDER BY act."occurredAt" DESC NULLS LAST, act.id DESC
              LIMIT k.lim) x`,
        [...remoteArrays(keys), keys.map((k) => k.limit)],
      );
      return groupBy<LimitedRemoteKey, ActivityRecord & { key: string }>((r) => r.key, limitedRemoteKey)(rows, keys);
    },
    { cacheKeyFn: limitedRemoteKey },
  );

  const dealContacts = new DataLoader<RemoteKey, DealContactLink[], string>(
    async (keys) => {
      const rows = await select<ContactRecord & { key: string; role: string | null; isPrimary: boolean; found: boolean }>(
        `SELECT k.cid || '|' || k.rid AS key, a.label AS role, a."isPrimary", c.id IS NOT NULL AS found, ${CONTACT_COLUMNS('c')}
           FROM unnest($1::uuid[], $2::text[]) AS k(cid, rid)
           JOIN "Association" a ON a."connectionId" = k.cid AND a."fromKind" = 'DEAL' AND a."fromRemoteId" = k.rid
                               AND a."toKind" = 'CONTACT'
           LEFT JOIN "Contact" c ON c."connectionId" = a."connectionId" AND c."remoteId" = a."toRemoteId"
          ORDER BY a."isPrimary" DESC, a."toRemoteId"`,
        remoteArrays(keys),
      );
      return groupBy<RemoteKey, (typeof rows)[number]>((r) => r.key, remoteKeyString)(rows, keys).map((group) =>
        group.map(({ key: _key, role, isPrimary, found, ...contact }) => ({
          role,
          isPrimary,
          contact: found ? (contact as ContactRecord) : null,
        })),
      );
    },
    { cacheKeyFn: remoteKeyString },
  );

  const personScores = new DataLoader<LimitedContactKey, AiOutputRecord[], string>(
    async (keys) => {
      const rows = await select<AiOutputRecord & { key: string }>(
        `SELECT req.id || '|' || k.lim AS key, s.*
           FROM unnest($1::uuid[], $2::int[]) AS k(id, lim)
           JOIN "Contact" req ON req.id = k.id
           CROSS JOIN LATERAL (
             SELECT ${AI_OUTPUT_COLUMNS('ao')} FROM "AiOutput" ao
              WHERE ao."contactId" IN (${PERSON_IDS('req')})
              ORDER BY ao."createdAt" DESC, ao.id DESC
              LIMIT k.lim) s`,
        [keys.map((k) => k.contactId), keys.map((k) => k.limit)],
      );
      return groupBy<LimitedContactKey, AiOutputRecord & { key: string }>((r) => r.key, limitedContactKey)(rows, keys);
    },
    { cacheKeyFn: limitedContactKey },
  );

  const personSignals = new DataLoader<LimitedContactKey, SignalRecord[], string>(
    async (keys) => {
      const rows = await select<SignalRecord & { key_: string }>(
        `SELECT req.id || '|' || k.lim AS key_, s.*
           FROM unnest($1::uuid[], $2::int[]) AS k(id, lim)
           JOIN "Contact" req ON req.id = k.id
           CROSS JOIN LATERAL (
             SELECT * FROM (
               SELECT DISTINCT ON (sig.source, sig.key) ${SIGNAL_COLUMNS('sig')} FROM "Signal" sig
                WHERE sig."contactId" IN (${PERSON_IDS('req')})
                ORDER BY sig.source, sig.key, sig."observedAt" DESC, sig.id DESC) latest
              ORDER BY latest."observedAt" DESC, latest.key, latest.source
              LIMIT k.lim) s`,
        [keys.map((k) => k.contactId), keys.map((k) => k.limit)],
      );
      return groupBy<LimitedContactKey, SignalRecord & { key_: string }>((r) => r.key_, limitedContactKey)(rows, keys).map(
        (group) => group.map(({ key_: _k, ...signal }) => signal),
      );
    },
    { cacheKeyFn: limitedContactKey },
  );

  return {
    contactById,
    personRecords,
    connectionById,
    companyByRemote: byRemote<CompanyRecord>('Company', COMPANY_COLUMNS('t')),
    ownerByRemote: byRemote<OwnerRecord>('Owner', OWNER_COLUMNS('t')),
    openDealsByContact,
    recentActivitiesByContact,
    dealContacts,
    personScores,
    personSignals,
  };
}

function stripPersonColumns<T extends ContactRecord>(row: T & { requestedId?: string; rank?: number }): ContactRecord {
  const { requestedId: _r, rank: _k, ...contact } = row;
  return contact;
}
