import { z } from 'zod';
import type { GraphqlContext } from '../context.js';
import { requireScope } from '../context.js';
import { badInput } from '../errors.js';
import { email, id, parseInput } from '../inputs.js';
import type { CompanyRecord, ContactRecord, DealRecord, OwnerRecord } from '../store/records.js';
import { findByRemoteId, findById, findContactByEmail, type LookupTable } from '../store/lookups.js';
import { enumValue, fullName, money } from '../values.js';

interface LookupArgs {
  id?: string | null;
  email?: string | null;
  provider?: string | null;
  remoteId?: string | null;
}

const remoteId = z.string().trim().min(1, 'must not be empty').max(255, 'must be at most 255 characters');

/** Exactly one way of addressing a record: id, email (contacts only), or provider + remoteId. */
async function lookup<R extends { id: string }>(
  ctx: GraphqlContext,
  table: LookupTable,
  args: LookupArgs,
): Promise<R | null> {
  const ways = [args.id != null, args.email != null, args.provider != null || args.remoteId != null].filter(Boolean).length;
  const allowed = table === 'Contact' ? 'id, email, or provider + remoteId' : 'id, or provider + remoteId';
  if (ways !== 1) throw badInput(`give exactly one of: ${allowed}`, 'id');
  if (args.id != null) {
    const key = parseInput(id, args.id, 'id');
    if (table === 'Contact') return (await ctx.loaders.contactById.load(key)) as R | null;
    return findById<R>(ctx.db.pool, table, key);
  }
  if (args.email != null) return (await findContactByEmail(ctx.db.pool, parseInput(email, args.email, 'email'))) as R | null;
  if (args.provider == null) throw badInput('remoteId needs provider', 'provider');
  if (args.remoteId == null) throw badInput('provider needs remoteId', 'remoteId');
  return findByRemoteId<R>(ctx.db.pool, table, args.provider, parseInput(remoteId, args.remoteId, 'remoteId'));
}

function connection(record: { connectionId: string }, _: unknown, ctx: GraphqlContext) {
  return ctx.loaders.connectionById.load(record.connectionId);
}

async function provider(record: { connectionId: string }, _: unknown, ctx: GraphqlContext) {
  return (await ctx.loaders.connectionById.load(record.connectionId))?.provider ?? null;
}

function owner(record: { connectionId: string; ownerRemoteId: string | null }, _: unknown, ctx: GraphqlContext) {
  return record.ownerRemoteId ? ctx.loaders.ownerByRemote.load({ connectionId: record.connectionId, remoteId: record.ownerRemoteId }) : null;
}

function company(record: { connectionId: string; companyRemoteId: string | null }, _: unknown, ctx: GraphqlContext) {
  return record.companyRemoteId
    ? ctx.loaders.companyByRemote.load({ connectionId: record.connectionId, remoteId: record.companyRemoteId })
    : null;
}

const customFields = (record: { customFields: unknown }) => record.customFields ?? {};

export const recordResolvers = {
  Query: {
    contact(_: unknown, args: LookupArgs, ctx: GraphqlContext) {
      requireScope(ctx, 'contacts:read');
      return lookup<ContactRecord>(ctx, 'Contact', args);
    },
    company(_: unknown, args: LookupArgs, ctx: GraphqlContext) {
      requireScope(ctx, 'contacts:read');
      return lookup<CompanyRecord>(ctx, 'Company', args);
    },
    deal(_: unknown, args: LookupArgs, ctx: GraphqlContext) {
      requireScope(ctx, 'contacts:read');
      return lookup<DealRecord>(ctx, 'Deal', args);
    },
  },
  Contact: {
    connection,
    provider,
    owner,
    company,
    customFields,
    name: (c: ContactRecord) => fullName(c.firstName, c.lastName),
    lifecycleStage: (c: ContactRecord) => enumValue(c.lifecycleStage, c.lifecycleStageLabel),
    leadStatus: (c: ContactRecord) => enumValue(c.leadStatus, c.leadStatusLabel),
    async latestScore(c: ContactRecord, _: unknown, ctx: GraphqlContext) {
      const [latest] = await ctx.loaders.personScores.load({ contactId: c.id, limit: 1 });
      return latest ?? null;
    },
  },
  Company: {
    connection,
    provider,
    owner,
    customFields,
    industry: (c: CompanyRecord) => enumValue(c.industry, c.industryLabel),
    annualRevenue: (c: CompanyRecord) => money(c.annualRevenue, c.currency),
    location: (c: CompanyRecord) => (c.city || c.country ? { city: c.city, country: c.country } : null),
  },
  Deal: {
    connection,
    provider,
    owner,
    company,
    customFields,
    amount: (d: DealRecord) => money(d.amount, d.currency),
    stage: (d: DealRecord) => enumValue(d.stage, d.stageLabel),
    isOpen: (d: DealRecord) => d.isClosed !== true,
    contacts: (d: DealRecord, _: unknown, ctx: GraphqlContext) =>
      ctx.loaders.dealContacts.load({ connectionId: d.connectionId, remoteId: d.remoteId }),
  },
  Owner: {
    name: (o: OwnerRecord) => fullName(o.firstName, o.lastName),
  },
};
