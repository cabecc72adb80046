import DataLoader from 'dataloader';
import type pg from 'pg';
import {
  AI_OUTPUT_COLUMNS,
  COMPANY_COLUMNS,
  CONTACT_COLUMNS,
  OWNER_COLUMNS,
  remoteKeyString,
  type AiOutputRecord,
  type CompanyRecord,
  type ConnectionRecord,
  type ContactRecord,
  type OwnerRecord,
  type RemoteKey,
} from './store/records.js';
import { loadPacketRows, packetKeyString, type PacketKey, type PacketRows } from './store/packet-query.js';

/**
 * Per-request DataLoaders over the one shared pool. Each loader is ONE hand-written SQL
 * statement per batch, whatever the number of keys, which is what keeps a 100-contact
 * contextPackets request at a constant statement count. They only read the store.
 */

/** The ids of one person's records: the record itself and its live same-email records. */
const PERSON_IDS = (req: string) => `
  SELECT p.id FROM "Contact" p
  WHERE p.id = ${req}.id OR (${req}.email IS NOT NULL AND p.email = ${req}.email AND p."deletedAt" IS NULL)`;

export interface LimitedContactKey {
  contactId: string;
  limit: number;
}

export interface DealContactLink {
  role: string | null;
  isPrimary: boolean;
  contact: ContactRecord | null;
}

export interface Loaders {
  contactById: DataLoader<string, ContactRecord | null>;
  connectionById: DataLoader<string, ConnectionRecord | null>;
  companyByRemote: DataLoader<RemoteKey, CompanyRecord | null, string>;
  ownerByRemote: DataLoader<RemoteKey, OwnerRecord | null, string>;
  /** Everything one context packet reads, for a whole batch in one statement. */
  packetRows: DataLoader<PacketKey, PacketRows, string>;
  dealContacts: DataLoader<RemoteKey, DealContactLink[], string>;
  /** The person's AI outputs, newest first. */
  personScores: DataLoader<LimitedContactKey, AiOutputRecord[], string>;
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

const limitedContactKey = (k: LimitedContactKey) => `${k.contactId}|${k.limit}`;

// Built once: loaders are created per request.
const byRemoteSql = (table: string, cols: string) => `SELECT ${cols} FROM unnest($1::uuid[], $2::text[]) AS k(cid, rid)
           JOIN "${table}" t ON t."connectionId" = k.cid AND t."remoteId" = k.rid`;
const COMPANY_BY_REMOTE_SQL = byRemoteSql('Company', COMPANY_COLUMNS('t'));
const OWNER_BY_REMOTE_SQL = byRemoteSql('Owner', OWNER_COLUMNS('t'));
const CONTACT_BY_ID_SQL = `SELECT ${CONTACT_COLUMNS('c')} FROM "Contact" c WHERE c.id = ANY($1::uuid[])`;
const DEAL_CONTACTS_SQL = `SELECT k.cid || '|' || k.rid AS key, a.label AS role, a."isPrimary", c.id IS NOT NULL AS found, ${CONTACT_COLUMNS('c')}
           FROM unnest($1::uuid[], $2::text[]) AS k(cid, rid)
           JOIN "Association" a ON a."connectionId" = k.cid AND a."fromKind" = 'DEAL' AND a."fromRemoteId" = k.rid
                               AND a."toKind" = 'CONTACT'
           LEFT JOIN "Contact" c ON c."connectionId" = a."connectionId" AND c."remoteId" = a."toRemoteId"
          ORDER BY a."isPrimary" DESC, a."toRemoteId"`;
const PERSON_SCORES_SQL = `SELECT req.id || '|' || k.lim AS key, s.*
           FROM unnest($1::uuid[], $2::int[]) AS k(id, lim)
           JOIN "Contact" req ON req.id = k.id
           CROSS JOIN LATERAL (
             SELECT ${AI_OUTPUT_COLUMNS('ao')} FROM "AiOutput" ao
              WHERE ao."contactId" IN (${PERSON_IDS('req')})
              ORDER BY ao."createdAt" DESC, ao.id DESC
              LIMIT k.lim) s`;

function remoteArrays(keys: readonly RemoteKey[]): [string[], string[]] {
  return [keys.map((k) => k.connectionId), keys.map((k) => k.remoteId)];
}

export function createLoaders(pool: pg.Pool): Loaders {
  async function select<R extends pg.QueryResultRow>(sql: string, params: unknown[]): Promise<R[]> {
    return (await pool.query<R>(sql, params)).rows;
  }

  function byRemote<R extends RemoteKey>(sql: string) {
    return new DataLoader<RemoteKey, R | null, string>(
      async (keys) => {
        const rows = await select<R>(sql, remoteArrays(keys));
        const found = new Map(rows.map((r) => [remoteKeyString(r), r]));
        return keys.map((k) => found.get(remoteKeyString(k)) ?? null);
      },
      { cacheKeyFn: remoteKeyString },
    );
  }

  const contactById = new DataLoader<string, ContactRecord | null>(async (ids) => {
    const rows = await select<ContactRecord>(CONTACT_BY_ID_SQL, [ids]);
    const found = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => found.get(id) ?? null);
  });

  const connectionById = new DataLoader<string, ConnectionRecord | null>(async (ids) => {
    const rows = await select<ConnectionRecord>(`SELECT id, provider, name FROM "Connection" WHERE id = ANY($1::uuid[])`, [ids]);
    const found = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => found.get(id) ?? null);
  });

  const dealContacts = new DataLoader<RemoteKey, DealContactLink[], string>(
    async (keys) => {
      const rows = await select<ContactRecord & { key: string; role: string | null; isPrimary: boolean; found: boolean }>(
        DEAL_CONTACTS_SQL,
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
        PERSON_SCORES_SQL,
        [keys.map((k) => k.contactId), keys.map((k) => k.limit)],
      );
      return groupBy<LimitedContactKey, AiOutputRecord & { key: string }>((r) => r.key, limitedContactKey)(rows, keys);
    },
    { cacheKeyFn: limitedContactKey },
  );

  const packetRows = new DataLoader<PacketKey, PacketRows, string>(
    async (keys) => {
      const found = await loadPacketRows(pool, keys);
      return keys.map((k) => found.get(packetKeyString(k)) ?? EMPTY_PACKET_ROWS);
    },
    { cacheKeyFn: packetKeyString },
  );

  return {
    contactById,
    connectionById,
    packetRows,
    companyByRemote: byRemote<CompanyRecord>(COMPANY_BY_REMOTE_SQL),
    ownerByRemote: byRemote<OwnerRecord>(OWNER_BY_REMOTE_SQL),
    dealContacts,
    personScores,
  };
}

const EMPTY_PACKET_ROWS: PacketRows = {
  records: [],
  connections: [],
  companies: [],
  owners: [],
  deals: [],
  activities: [],
  scores: [],
  signals: [],
};
