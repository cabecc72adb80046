import type pg from 'pg';
import { badInput } from '../errors.js';
import { COMPANY_COLUMNS, CONTACT_COLUMNS, DEAL_COLUMNS, type ContactRecord } from './records.js';

/** Single-record lookups for the root fields contact, company and deal. */

const TABLES = {
  Contact: CONTACT_COLUMNS,
  Company: COMPANY_COLUMNS,
  Deal: DEAL_COLUMNS,
} as const;

export type LookupTable = keyof typeof TABLES;

export async function findById<R extends pg.QueryResultRow>(pool: pg.Pool, table: LookupTable, id: string): Promise<R | null> {
  const { rows } = await pool.query<R>(`SELECT ${TABLES[table]('t')} FROM "${table}" t WHERE t.id = $1`, [id]);
  return rows[0] ?? null;
}

/**
 * By the CRM's id. Two connections of the same CRM could in principle both hold the id; then
 * the caller must use our id instead of guessing.
 */
export async function findByRemoteId<R extends pg.QueryResultRow>(
  pool: pg.Pool,
  table: LookupTable,
  provider: string,
  remoteId: string,
): Promise<R | null> {
  const { rows } = await pool.query<R>(
    `SELECT ${TABLES[table]('t')} FROM "${table}" t JOIN "Connection" k ON k.id = t."connectionId"
      WHERE k.provider = $1::"Provider" AND t."remoteId" = $2 LIMIT 2`,
    [provider, remoteId],
  );
  if (rows.length > 1) throw badInput(`several ${provider} connections hold remote id ${remoteId}; look it up by id`, 'remoteId');
  return rows[0] ?? null;
}

/** The person's preferred record: live before deleted, then the most recently changed in its CRM. */
export async function findContactByEmail(pool: pg.Pool, email: string): Promise<ContactRecord | null> {
  const { rows } = await pool.query<ContactRecord>(
    `SELECT ${CONTACT_COLUMNS('t')} FROM "Contact" t WHERE t.email = $1
      ORDER BY (t."deletedAt" IS NULL) DESC, t."remoteUpdatedAt" DESC NULLS LAST, t.id DESC LIMIT 1`,
    [email],
  );
  return rows[0] ?? null;
}
