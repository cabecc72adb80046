import type { z } from 'zod';
import type { GraphqlContext } from '../context.js';
import { requireScope } from '../context.js';
import { badInput } from '../errors.js';
import { companyFilter, contactFilter, dealFilter, pageSize, parseInput } from '../inputs.js';
import { listCompanies, listContacts, listDeals, type Page } from '../store/list-queries.js';

/**
 * Relay connections over keyset pages. A cursor is the row's id, tagged with the list it
 * belongs to and base64url-encoded: opaque to clients, stable while rows are inserted.
 */
type ListName = 'contacts' | 'companies' | 'deals';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function encodeCursor(list: ListName, id: string): string {
  return Buffer.from(`${list}:${id}`, 'utf8').toString('base64url');
}

export function decodeCursor(list: ListName, cursor: string): string {
  const [tag, id] = Buffer.from(cursor, 'base64url').toString('utf8').split(':');
  if (tag !== list || !id || !UUID.test(id)) throw badInput(`after is not a cursor of ${list}`, 'after');
  return id;
}

interface ListArgs {
  filter?: unknown;
  first?: number | null;
  after?: string | null;
}

function page(list: ListName, args: ListArgs): Page {
  return {
    first: parseInput(pageSize, args.first ?? 50, 'first'),
    afterId: args.after != null ? decodeCursor(list, args.after) : null,
  };
}

function connection<R extends { id: string }>(list: ListName, rows: R[], first: number) {
  const nodes = rows.slice(0, first);
  const edges = nodes.map((node) => ({ cursor: encodeCursor(list, node.id), node }));
  return {
    edges,
    nodes,
    pageInfo: {
      hasNextPage: rows.length > first,
      hasPreviousPage: false,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}

function filterOf<S extends z.ZodType>(schema: S, args: ListArgs): NonNullable<z.output<S>> {
  return (parseInput(schema, args.filter, 'filter') ?? {}) as NonNullable<z.output<S>>;
}

export const listResolvers = {
  Query: {
    async contacts(_: unknown, args: ListArgs, ctx: GraphqlContext) {
      requireScope(ctx, 'contacts:read');
      const p = page('contacts', args);
      const rows = await listContacts(ctx.db.pool, filterOf(contactFilter, args), p);
      for (const row of rows) ctx.loaders.contactById.prime(row.id, row);
      return connection('contacts', rows, p.first);
    },
    async companies(_: unknown, args: ListArgs, ctx: GraphqlContext) {
      requireScope(ctx, 'contacts:read');
      const p = page('companies', args);
      return connection('companies', await listCompanies(ctx.db.pool, filterOf(companyFilter, args), p), p.first);
    },
    async deals(_: unknown, args: ListArgs, ctx: GraphqlContext) {
      requireScope(ctx, 'contacts:read');
      const p = page('deals', args);
      return connection('deals', await listDeals(ctx.db.pool, filterOf(dealFilter, args), p), p.first);
    },
  },
};
