import type { Prisma, PrismaClient } from '../../generated/prisma/client.js';
import type { Provider } from '../../connectors/types.js';
import {
  COMPANY_REMOTE_ID_KEY,
  SOURCE_KEY,
  contactObjectType,
  contactProperties,
  emailProperty,
  withRequiredContactFields,
  withoutLastNamePlaceholder,
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

interface QueuedRow {
  id: string;
  action: ContactUpsertTarget['action'];
  reusedPending: boolean;
  companyRemoteId: string | null;
}

/** This call's fields for one connection: contact properties, source, company. */
function fieldsFor(target: Target, input: UpsertContactInput, objectType: string, company: string | undefined): Record<string, unknown> {
  return {
    ...contactProperties(target.provider, input),
    [SOURCE_KEY]: input.source,
    // A Lead has no AccountId: no company instruction on Lead rows.
    ...(company && objectType !== 'Lead' ? { [COMPANY_REMOTE_ID_KEY]: company } : {}),
  };
}

/**
 * Updates the person's PENDING row in the connection (latest wins per field, earlier fields
 * kept), or queues a new row. A row the worker has claimed (SENDING) is sent as it was; the
 * new row then carries this call's values only.
 */
async function queueFor(tx: Tx, target: Target, input: UpsertContactInput, record: KnownRecord | undefined, company: string | undefined): Promise<QueuedRow> {
  const pending = await tx.writeBack.findFirst({
    where: { connectionId: target.id, operation: 'UPSERT_CONTACT', status: 'PENDING', fields: { path: [emailProperty(target.provider)], equals: input.email } },
    orderBy: { createdAt: 'asc' },
  });
  // A pending row may already know the record (queued after a sync); never forget it.
  const remoteId = record?.remoteId ?? pending?.remoteId ?? null;
  const objectType = record ? contactObjectType(target.provider, record.remoteType) : (pending?.objectType ?? contactObjectType(target.provider));
  const fresh = fieldsFor(target, input, objectType, company);
  // Only strings: CRM properties and the reserved keys.
  const finish = (fields: Record<string, unknown>) => withRequiredContactFields(target.provider, fields, remoteId === null) as Prisma.InputJsonObject;
  const companyOf = (fields: Prisma.InputJsonObject) => {
    const value = fields[COMPANY_REMOTE_ID_KEY];
    return typeof value === 'string' ? value : null;
  };
  const action = remoteId ? 'UPDATE' : 'CREATE';

  if (pending) {
    const earlier = pending.fields as Record<string, unknown>;
    const becameUpdate = pending.remoteId === null && remoteId !== null;
    const merged = { ...(becameUpdate ? withoutLastNamePlaceholder(target.provider, earlier) : earlier), ...fresh };
    if (objectType === 'Lead') delete merged[COMPANY_REMOTE_ID_KEY];
    const fields = finish(merged);
    // The status condition loses to a worker that claimed the row since it was read.
    const updated = await tx.writeBack.updateMany({ where: { id: pending.id, status: 'PENDING' }, data: { fields, remoteId, objectType } });
    if (updated.count === 1) return { id: pending.id, action, reusedPending: true, companyRemoteId: companyOf(fields) };
  }
  const fields = finish(fresh);
  const created = await tx.writeBack.create({
    data: { connectionId: target.id, objectType, remoteId, operation: 'UPSERT_CONTACT', fields, status: 'PENDING' },
    select: { id: true },
  });
  return { id: created.id, action, reusedPending: false, companyRemoteId: companyOf(fields) };
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

    const results: QueuedRow[] = [];
    for (const target of targets) results.push(await queueFor(tx, target, input, known.get(target.id), companies.get(target.id)));

    const rows = new Map((await tx.writeBack.findMany({ where: { id: { in: results.map((r) => r.id) } }, ...WRITE_BACK_VIEW })).map((r) => [r.id, r]));
    return {
      email: input.email,
      targets: results.map(({ id, ...rest }) => ({ writeBack: writeBackView(rows.get(id)!), ...rest })),
    };
  });
}
