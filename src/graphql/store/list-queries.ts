import type pg from 'pg';
import type { CompanyFilterInput, ContactFilterInput, DealFilterInput } from '../inputs.js';
import {
  COMPANY_COLUMNS,
  CONTACT_COLUMNS,
  DEAL_COLUMNS,
  type CompanyRecord,
  type ContactRecord,
  type DealRecord,
} from './records.js';

/**
 * Keyset pages: WHERE id > after ORDER BY id LIMIT n. Ids are UUIDv7 (time-ordered), so new
 * rows land at the end and a cursor never skips or repeats a row that existed when it was
 * handed out, whatever is inserted meanwhile. One statement per page, filters included.
 */
class Where {
  readonly params: unknown[] = [];
  private readonly clauses: string[] = [];

  param(value: unknown): string {
    this.params.push(value);
    return `$${this.params.length}`;
  }

  add(clause: string): void {
    this.clauses.push(clause);
  }

  toString(): string {
    return this.clauses.length ? `WHERE ${this.clauses.join(' AND ')}` : '';
  }
}

export interface Page {
  first: number;
  afterId: string | null;
}

type CommonFilter = Pick<
  ContactFilterInput,
  'ownerIds' | 'ownerEmail' | 'updatedSince' | 'createdSince' | 'providers' | 'connectionIds' | 'includeDeleted'
>;

function addCommon(where: Where, f: CommonFilter, page: Page): void {
  if (!f.includeDeleted) where.add('t."deletedAt" IS NULL');
  if (page.afterId) where.add(`t.id > ${where.param(page.afterId)}::uuid`);
  if (f.connectionIds?.length) where.add(`t."connectionId" = ANY(${where.param(f.connectionIds)}::uuid[])`);
  if (f.providers?.length) {
    where.add(`t."connectionId" IN (SELECT id FROM "Connection" WHERE provider::text = ANY(${where.param(f.providers)}::text[]))`);
  }
  if (f.updatedSince) where.add(`t."updatedAt" >= ${where.param(f.updatedSince)}`);
  if (f.createdSince) where.add(`t."remoteCreatedAt" >= ${where.param(f.createdSince)}`);
  // Owners are per connection; a link is (connectionId, ownerRemoteId).
  if (f.ownerIds?.length) {
    where.add(`(t."connectionId", t."ownerRemoteId") IN (SELECT "connectionId", "remoteId" FROM "Owner" WHERE id = ANY(${where.param(f.ownerIds)}::uuid[]))`);
  }
  if (f.ownerEmail) {
    where.add(`(t."connectionId", t."ownerRemoteId") IN (SELECT "connectionId", "remoteId" FROM "Owner" WHERE email = ${where.param(f.ownerEmail)})`);
  }
}

async function run<R extends pg.QueryResultRow>(pool: pg.Pool, select: string, where: Where, page: Page): Promise<R[]> {
  const sql = `${select} ${where.toString()} ORDER BY t.id LIMIT ${where.param(page.first + 1)}`;
  return (await pool.query<R>(sql, where.params)).rows;
}

export function listContacts(pool: pg.Pool, f: ContactFilterInput, page: Page): Promise<ContactRecord[]> {
  const where = new Where();
  addCommon(where, f, page);
  if (f.lifecycleStages?.length) where.add(`t."lifecycleStage" = ANY(${where.param(f.lifecycleStages)}::text[])`);
  if (f.leadStatuses?.length) where.add(`t."leadStatus" = ANY(${where.param(f.leadStatuses)}::text[])`);
  if (f.hasEmail === true) where.add('t.email IS NOT NULL');
  if (f.hasEmail === false) where.add('t.email IS NULL');
  if (f.companyIds?.length) {
    where.add(`(t."connectionId", t."companyRemoteId") IN (SELECT "connectionId", "remoteId" FROM "Company" WHERE id = ANY(${where.param(f.companyIds)}::uuid[]))`);
  }
  if (f.companyDomain) {
    where.add(`(t."connectionId", t."companyRemoteId") IN (SELECT "connectionId", "remoteId" FROM "Company" WHERE domain = ${where.param(f.companyDomain.toLowerCase())})`);
  }
  // Score filters read the person's latest score (all their live records with this email).
  const scoreFilter = f.scoreMin != null || f.scoreMax != null || f.scored != null || f.scoredBefore != null;
  let from = `SELECT ${CONTACT_COLUMNS('t')} FROM "Contact" t`;
  if (scoreFilter) {
    from += ` LEFT JOIN LATERAL (
      SELECT ao.score, ao."createdAt" FROM "AiOutput" ao
       WHERE ao."contactId" IN (SELECT p.id FROM "Contact" p
                                 WHERE p.id = t.id OR (t.email IS NOT NULL AND p.email = t.email AND p."deletedAt" IS NULL))
       ORDER BY ao."createdAt" DESC, ao.id DESC LIMIT 1) latest ON true`;
    if (f.scoreMin != null) where.add(`latest.score >= ${where.param(f.scoreMin)}`);
    if (f.scoreMax != null) where.add(`latest.score <= ${where.param(f.scoreMax)}`);
    if (f.scored === true) where.add('latest.score IS NOT NULL');
    if (f.scored === false) where.add('latest.score IS NULL');
    if (f.scoredBefore) where.add(`latest."createdAt" < ${where.param(f.scoredBefore)}`);
  }
  return run<ContactRecord>(pool, from, where, page);
}

export function listCompanies(pool: pg.Pool, f: CompanyFilterInput, page: Page): Promise<CompanyRecord[]> {
  const where = new Where();
  addCommon(where, f, page);
  if (f.domain) where.add(`t.domain = ${where.param(f.domain.toLowerCase())}`);
  if (f.industries?.length) where.add(`t.industry = ANY(${where.param(f.industries)}::text[])`);
  return run<CompanyRecord>(pool, `SELECT ${COMPANY_COLUMNS('t')} FROM "Company" t`, where, page);
}

export function listDeals(pool: pg.Pool, f: DealFilterInput, page: Page): Promise<DealRecord[]> {
  const where = new Where();
  addCommon(where, f, page);
  if (f.stages?.length) where.add(`t.stage = ANY(${where.param(f.stages)}::text[])`);
  if (f.open === true) where.add('t."isClosed" IS NOT TRUE');
  if (f.open === false) where.add('t."isClosed" IS TRUE');
  if (f.companyIds?.length) {
    where.add(`(t."connectionId", t."companyRemoteId") IN (SELECT "connectionId", "remoteId" FROM "Company" WHERE id = ANY(${where.param(f.companyIds)}::uuid[]))`);
  }
  if (f.contactId) {
    where.add(`(t."connectionId", t."remoteId") IN (
      SELECT a."connectionId", a."fromRemoteId" FROM "Association" a JOIN "Contact" c
          ON c."connectionId" = a."connectionId" AND c."remoteId" = a."toRemoteId"
       WHERE c.id = ${where.param(f.contactId)}::uuid AND a."fromKind" = 'DEAL' AND a."toKind" = 'CONTACT')`);
  }
  return run<DealRecord>(pool, `SELECT ${DEAL_COLUMNS('t')} FROM "Deal" t`, where, page);
}
