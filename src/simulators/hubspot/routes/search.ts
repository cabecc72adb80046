/**
 * POST /crm/v3/objects/{type}/search with HubSpot's limits: at most 5 filter groups and 25
 * filters, 200 results a page, no paging past 10,000 results, its own per-second rate limit
 * (enforced upstream) and an optional indexing lag for freshly written records.
 */
import { z } from 'zod';
import { route, type RequestContext, type Route } from '../context.js';
import { validation } from '../errors.js';
import { QUERY_PROPERTIES } from '../schema.js';
import { compileFilter, matches, OPERATORS, sortComparator, type CompiledFilter } from '../search-filters.js';
import { propertySelection, serializeRecord } from '../serialize.js';
import type { HubspotRecord } from '../store.js';
import { objectTypeParam } from './objects.js';

const scalar = z.union([z.string(), z.number(), z.boolean()]).transform(String);

const searchSchema = z.object({
  filterGroups: z
    .array(z.object({
      filters: z.array(z.object({
        propertyName: z.string(),
        operator: z.enum(OPERATORS),
        value: scalar.optional(),
        highValue: scalar.optional(),
        values: z.array(scalar).optional(),
      })),
    }))
    .optional(),
  sorts: z
    .array(z.union([z.object({ propertyName: z.string(), direction: z.enum(['ASCENDING', 'DESCENDING']).optional() }), z.string()]))
    .optional(),
  properties: z.array(z.string()).optional(),
  limit: z.number().int().optional(),
  after: z.union([z.string(), z.number()]).optional(),
  query: z.string().optional(),
});

export const SEARCH_RESULT_CAP = 10_000;
const MAX_GROUPS = 5;
const MAX_FILTERS = 25;

async function search(ctx: RequestContext): Promise<void> {
  const type = objectTypeParam(ctx);
  if (!type) return;
  const body = await ctx.body(searchSchema);
  if (!body) return;
  const store = ctx.sim.store;
  const groups = body.filterGroups ?? [];
  const filterCount = groups.reduce((n, g) => n + g.filters.length, 0);
  if (groups.length > MAX_GROUPS || filterCount > MAX_FILTERS) {
    ctx.error(validation(`Too many filters: at most ${MAX_GROUPS} filterGroups and ${MAX_FILTERS} filters are allowed (got ${groups.length} groups, ${filterCount} filters).`));
    return;
  }
  const limit = body.limit ?? 10;
  if (limit < 1 || limit > 200) {
    ctx.error(validation(`limit must be between 1 and 200, got ${limit}`));
    return;
  }
  const offset = body.after === undefined || body.after === '' ? 0 : Number(body.after);
  if (!Number.isInteger(offset) || offset < 0) {
    ctx.error(validation(`Invalid after: ${String(body.after)}`));
    return;
  }
  if (offset + limit > SEARCH_RESULT_CAP) {
    ctx.error(validation(`Paging beyond ${SEARCH_RESULT_CAP} results is not supported: after (${offset}) + limit (${limit}) exceeds ${SEARCH_RESULT_CAP}.`));
    return;
  }

  const compiledGroups: CompiledFilter[][] = [];
  for (const group of groups) {
    const compiled: CompiledFilter[] = [];
    for (const filter of group.filters) {
      const def = store.property(type, filter.propertyName);
      if (!def) {
        ctx.error(validation(`Property "${filter.propertyName}" does not exist on ${type}`));
        return;
      }
      compiled.push(compileFilter(filter, def));
    }
    compiledGroups.push(compiled);
  }
  const queryTokens = body.query?.toLowerCase().split(/\s+/).filter((t) => t.length > 0) ?? [];

  // Records written within the lag have not reached the search index yet.
  const indexedBefore = ctx.sim.searchLagMs > 0 ? Date.now() - ctx.sim.searchLagMs : Number.POSITIVE_INFINITY;
  const hits: HubspotRecord[] = [];
  for (const record of store.live(type)) {
    if (record.writtenAt > indexedBefore) continue;
    if (compiledGroups.length > 0 && !compiledGroups.some((group) => group.every((f) => matches(record, f)))) continue;
    if (queryTokens.length > 0 && !matchesQuery(record, QUERY_PROPERTIES[type], queryTokens)) continue;
    hits.push(record);
  }
  const sort = body.sorts?.[0];
  if (sort) {
    const propertyName = typeof sort === 'string' ? sort.replace(/^-/, '') : sort.propertyName;
    const descending = typeof sort === 'string' ? sort.startsWith('-') : sort.direction === 'DESCENDING';
    hits.sort(sortComparator(propertyName, store.property(type, propertyName), descending));
  }
  const page = hits.slice(offset, offset + limit);
  const properties = propertySelection(store, type, body.properties ?? null);
  const response: { total: number; results: unknown[]; paging?: { next: { after: string } } } = {
    total: hits.length,
    results: page.map((r) => serializeRecord(store, r, properties)),
  };
  if (offset + limit < hits.length) response.paging = { next: { after: String(offset + limit) } };
  ctx.json(200, response);
}

/** Free-text query: every word must prefix some word of a default searchable property. */
function matchesQuery(record: HubspotRecord, properties: readonly string[], tokens: string[]): boolean {
  const words = properties.flatMap((p) => {
    const value = (record.properties[p] ?? '').toLowerCase();
    return [value, ...value.split(/[\s@.;,]+/)];
  });
  return tokens.every((token) => words.some((word) => word.startsWith(token)));
}

export const searchRoutes: Route[] = [route('POST', /^\/crm\/v3\/objects\/([^/]+)\/search$/, search, { limit: 'search' })];
