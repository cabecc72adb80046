import type { Prisma, PrismaClient } from '../../generated/prisma/client.js';
import type { Provider } from '../../connectors/types.js';
import {
  COMPANY_REMOTE_ID_KEY,
  SOURCE_KEY,
  contactObjectType,
  contactProperties,
  emailProperty,
  withRequiredContactFields,
} from '../../writeback/contact-fields.js';
import { badInput, notFound } from '../errors.js';
import type { UpsertContactInput } from '../inputs.js';
import { WRITE_BACK_VIEW, writeBackView, type CrmWriteBackView } from './write-back-score.js';

export interface ContactUpsertTarget {
  writeBack: CrmWriteBackView;
  action: 'CREATE' | 'UPDATE';
  reusedPending: boolean;
  companyRemoteId: string | null;
}

export interface UpsertContactOutcome {
  email: string;
  targets: ContactUpsertTarget[];
}

type Tx = Prisma.TransactionClient;

interface Target {
  id: string;
  name: string;
  provider: Provider;
}

interface KnownRecord {
  remoteId: string;
  remoteType: string;
}

async function targetConnections(tx: Tx, ids: string[] | null | undefined): Promise<Target[]> {
  const select = { id: true, name: true, provider: true } as const;
  if (!ids) {
    const active = await tx.connection.findMany({ where: { status: 'ACTIVE' }, select, orderBy: { name: 'asc' } });
    if (!active.length) throw badInput('there is no ACTIVE connection to write the contact to', 'input.connectionIds');
    return active;
  }
  const found = await tx.connection.findMany({ where: { id: { in: ids } }, select, orderBy: { name: 'asc' } });
  const missing = ids.find((id) => !found.some((c) => c.id === id));
  if (missing) throw notFound(`no connection with id ${missing}`);
  return found;
}

/**
 * The person's live record in each connection. On Salesforce a Contact wins over a Lead
 * with the same email (a Lead is updated only when there is no Contact); otherwise the
 * record the CRM changed last.
 */
async function knownRecords(tx: Tx, email: string, connectionIds: string[]): Promise<Map<string, KnownRecord>> {
  const rows = await tx.contact.findMany({
    where: { email, connectionId: { in: connectionIds }, deletedAt: null, mergedIntoRemoteId: null },
    select: { connectionId: true, remoteId: true, remoteType: true },
    orderBy: [{ remoteUpdatedAt: { sort: 'desc', nulls: 'last' } }, { id: 'asc' }],
  });
  const known = new Map<string, KnownRecord>();
  for (const row of rows) {
    const current = known.get(row.connectionId);
    if (!current || (current.remoteType === 'Lead' && row.remoteType === 'Contact')) known.set(row.connectionId, row);
  }
  return known;
}

/**
 * The company's remote id per connection. By id, the company's own connection gets its
 * remoteId and the other connections the company with the same domain; by domain, each
 * connection's live company with that domain (the one changed last, if several).
 */
async function companyRemoteIds(tx: Tx, company: UpsertContactInput['company'], connectionIds: string[]): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  if (!company) return ids;
  let domain = company.domain ?? null;
  if (company.id) {
    const anchor = await tx.company.findUnique({ where: { id: company.id }, select: { connectionId: true, remoteId: true, domain: true, deletedAt: true } });
    if (!anchor || anchor.deletedAt) throw notFound(`no company with id ${company.id}`);
    ids.set(anchor.connectionId, anchor.remoteId);
    domain = anchor.domain;
  }
  if (!domain) return ids;
  const rows = await tx.company.findMany({
    where: { domain, connectionId: { in: connectionIds }, deletedAt: null, mergedIntoRemoteId: null },
    select: { connectionId: true, remoteId: true },
    orderBy: [{ remoteUpdatedAt: { sort: 'desc', nulls: 'last' } }, { id: 'asc' }],
  });
  for (const row of rows) if (!ids.has(row.connectionId)) ids.set(row.connectionId, row.remoteId);
  return ids;
}

/**
 * Queues one UPSERT_CONTACT outbox row per target connection, in one transaction (format in
 * src/writeback/contact-fields.ts). A person's PENDING row in a connection is updated rather
 * than joined by a second one, so repeated calls before the worker runs send one write. The
 * per-person advisory lock (the one writeBackScore takes) makes concurrent calls take turns.
 */
export async function upsertContact(prisma: PrismaClient, input: UpsertContactInput): Promise<UpsertContactOutcome> {
  return prisma.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT 1 AS locked FROM pg_advisory_xact_lock(hashtext(${`person:${input.email}`}))`;
    const targets = await targetConnections(tx, input.connectionIds);
    const connectionIds = targets.map((t) => t.id);
    const known = await knownRecords(tx, input.email, connectionIds);
    const companies = await companyRemoteIds(tx, input.company, connectionIds);

    const results: { id: string; action: ContactUpsertTarget['action']; reusedPending: boolean; companyRemoteId: string | null }[] = [];
    for (const target of targets) {
      const pending = await tx.writeBack.findFirst({
        where: { connectionId: target.id, operation: 'UPSERT_CONTACT', status: 'PENDING', fields: { path: [emailProperty(target.provider)], equals: input.email } },
        orderBy: { createdAt: 'asc' },
      });
      const record = known.get(target.id);
      // A pending row may already know the record (queued after a sync); never forget it.
      const remoteId = record?.remoteId ?? pending?.remoteId ?? null;
      const objectType = record ? contactObjectType(target.provider, record.remoteType) : (pending?.objectType ?? contactObjectType(target.provider));
      const merged: Record<string, unknown> = {
        ...(pending ? (pending.fields as Record<string, unknown>) : {}),
        ...contactProperties(target.provider, input),
        [SOURCE_KEY]: input.source,
      };
      const company = companies.get(target.id);
      if (company) merged[COMPANY_REMOTE_ID_KEY] = company;
      if (objectType === 'Lead') delete merged[COMPANY_REMOTE_ID_KEY]; // a Lead has no AccountId
      const companyRemoteId = typeof merged[COMPANY_REMOTE_ID_KEY] === 'string' ? merged[COMPANY_REMOTE_ID_KEY] : null;
      // Only strings: CRM properties and the reserved keys.
      const fields = withRequiredContactFields(target.provider, merged, remoteId === null) as Prisma.InputJsonObject;
      let id: string | null = null;
      if (pending) {
        // The worker may have claimed the row since it was read; then it is sent as it was,
        // and this call queues a new row instead.
        const updated = await tx.writeBack.updateMany({ where: { id: pending.id, status: 'PENDING' }, data: { fields, remoteId, objectType } });
        if (updated.count === 1) id = pending.id;
      }
      const reusedPending = id !== null;
      if (id === null) {
        id = (
          await tx.writeBack.create({
            data: { connectionId: target.id, objectType, remoteId, operation: 'UPSERT_CONTACT', fields, status: 'PENDING' },
            select: { id: true },
          })
        ).id;
      }
      results.push({ id, action: remoteId ? 'UPDATE' : 'CREATE', reusedPending, companyRemoteId });
    }

    const rows = new Map((await tx.writeBack.findMany({ where: { id: { in: results.map((r) => r.id) } }, ...WRITE_BACK_VIEW })).map((r) => [r.id, r]));
    return {
      email: input.email,
      targets: results.map(({ id, ...rest }) => ({ writeBack: writeBackView(rows.get(id)!), ...rest })),
    };
  });
}
