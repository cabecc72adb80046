/**
 * Reading a HubSpot object stream page by page, so memory stays at one page whatever the
 * account size. Every page's `next` is a position from which a crash-resume loses nothing.
 *
 * FULL: the list endpoint in id order (`after`), with properties and associations, then the
 * archived list, whose ids are reported deleted. The FULL start time is the watermark: the
 * INCREMENTAL phase begins there, so changes made while FULL ran are read again.
 *
 * INCREMENTAL, one run = two stages:
 * 1. changes: search on the last-modified property, ascending, from the cursor minus the
 *    overlap measured from the previous read (see overlap.ts): search indexes changes a few
 *    seconds late, so the last read may have missed records changed just before it.
 *    Paging is by key, never by offset: each page is a new query starting at the last
 *    timestamp seen, so the search API's 10,000-result cap is never reached and records
 *    modified while we page (which move to the end) cannot shift an offset past others.
 *    When one timestamp fills a whole page, that timestamp is read by hs_object_id
 *    (EQ timestamp AND hs_object_id GT last id) before moving past it.
 * 2. deletions: search cannot see archived records, so the archived list is swept and the
 *    records archived since the last sweep (archivedAt ≥ deletedSince − overlap) reported.
 *    HubSpot keeps archived records 90 days, which bounds the sweep.
 *
 * Cursors only move forward; a resumed run re-reads from (since − overlap), which also
 * restarts a one-timestamp scan in progress: re-reads are skipped by content hash in the store.
 */
import { z } from 'zod';
import type { PullPage, StreamPosition } from '../types.js';
import { completeAssociations } from './associations.js';
import { overlapStart } from '../overlap.js';
import type { HubspotClient } from './client.js';
import { objectPageSchema, searchPageSchema, type HubspotObject, type SearchPage } from './schemas.js';
import type { HubspotSettings } from './settings.js';
import { ASSOCIATIONS_READ, lastModifiedProperty, type ObjectStream } from './streams.js';

const iso = z.iso.datetime({ offset: true });

export const fullCursorSchema = z.object({
  stage: z.enum(['live', 'archived']),
  after: z.string().nullable(),
  /** When the FULL phase started: where INCREMENTAL will begin. */
  watermark: iso,
});
export type FullCursor = z.infer<typeof fullCursorSchema>;

export const incrementalCursorSchema = z.object({
  stage: z.enum(['changes', 'deletions']),
  /** Changes at or after this instant (minus the overlap) are still to be read. */
  since: iso,
  /** When the last complete changes read began (CrmClock: ours, or HubSpot's while ours is ahead); absent before the first. */
  readAt: iso.optional(),
  /** Archivals at or after this instant (minus the overlap) are still to be reported. */
  deletedSince: iso,
  /** Paging position inside a deletion sweep, and when that sweep started. */
  deletionsAfter: z.string().nullable(),
  sweepStartedAt: iso.nullable(),
});
export type IncrementalCursor = z.infer<typeof incrementalCursorSchema>;

interface SearchFilter {
  propertyName: string;
  operator: 'EQ' | 'GT' | 'GTE';
  value: string;
}

export interface PullContext {
  client: HubspotClient;
  settings: HubspotSettings;
  stream: ObjectStream;
  properties: readonly string[];
  /** Stamps cursors: the connector's CrmClock. */
  now: () => number;
}

/** How far ahead of HubSpot's now a cursor instant may be before it cannot be trusted. */
const FUTURE_TOLERANCE_MS = 60_000;

/**
 * A cursor stamped by a clock that ran ahead (before CrmClock) names instants HubSpot has not
 * reached: reading from there would skip every change and archival since the run that wrote
 * it, and when that run really was is unknown. Only a FULL pass is safe then.
 */
function stampedInFuture(cursor: IncrementalCursor, now: number): boolean {
  return [cursor.since, cursor.readAt, cursor.deletedSince, cursor.sweepStartedAt].some((instant) => instant != null && Date.parse(instant) > now + FUTURE_TOLERANCE_MS);
}

export async function* pullObjects(ctx: PullContext, from: StreamPosition): AsyncGenerator<PullPage> {
  const { now } = ctx;
  const incremental = from.phase === 'INCREMENTAL' ? incrementalCursorSchema.parse(from.cursor) : null;
  if (incremental && !stampedInFuture(incremental, now())) {
    yield* pullIncremental(ctx, incremental, now);
    return;
  }
  const cursor: FullCursor = from.phase === 'FULL' && from.cursor != null
    ? fullCursorSchema.parse(from.cursor)
    : { stage: 'live', after: null, watermark: new Date(now()).toISOString() };
  yield* pullFull(ctx, cursor);
}

/** Property names, split so each comma-joined group stays within `maxLength` characters. */
export function propertyGroups(properties: readonly string[], maxLength: number): string[][] {
  const groups: string[][] = [];
  let current: string[] = [];
  let length = 0;
  for (const name of properties) {
    if (current.length && length + 1 + name.length > maxLength) {
      groups.push(current);
      current = [];
      length = 0;
    }
    current.push(name);
    length += (current.length > 1 ? 1 : 0) + name.length;
  }
  if (current.length) groups.push(current);
  return groups;
}

/**
 * One list page. Real portals have hundreds of properties: joined into one URL they would pass
 * what servers accept, so beyond settings.maxPropertiesQueryLength the page is read once per
 * group of properties (same `after`, same limit, so the same records) and merged by id.
 */
async function listPage(ctx: PullContext, archived: boolean, after: string | null, properties: readonly string[]): Promise<{ records: HubspotObject[]; nextAfter: string | null }> {
  const [first = [], ...rest] = propertyGroups(properties, ctx.settings.maxPropertiesQueryLength);
  const page = await listCall(ctx, archived, after, first, !archived);
  if (rest.length) {
    const byId = new Map(page.results.map((r) => [r.id, r]));
    for (const group of rest) {
      const more = await listCall(ctx, archived, after, group, false);
      for (const record of more.results) {
        const target = byId.get(record.id);
        if (target) Object.assign(target.properties, record.properties);
      }
    }
  }
  return { records: page.results, nextAfter: page.paging?.next?.after ?? null };
}

async function listCall(ctx: PullContext, archived: boolean, after: string | null, properties: readonly string[], withAssociations: boolean) {
  const associations = withAssociations ? ASSOCIATIONS_READ[ctx.stream] : [];
  return ctx.client.request({
    method: 'GET',
    path: `/crm/v3/objects/${ctx.stream}`,
    query: {
      limit: String(ctx.settings.pageSize),
      after: after ?? undefined,
      properties: properties.join(','),
      associations: associations.length > 0 ? associations.join(',') : undefined,
      archived: String(archived),
    },
    schema: objectPageSchema,
    count: (p) => p.results.length,
  });
}

async function* pullFull(ctx: PullContext, start: FullCursor): AsyncGenerator<PullPage> {
  let cursor = start;
  while (cursor.stage === 'live') {
    const { records, nextAfter } = await listPage(ctx, false, cursor.after, ctx.properties);
    await completeAssociations(ctx.client, ctx.stream, records, true);
    cursor = nextAfter !== null ? { ...cursor, after: nextAfter } : { ...cursor, stage: 'archived', after: null };
    yield { records, deletedRemoteIds: [], next: { phase: 'FULL', cursor } };
  }
  for (;;) {
    const { records, nextAfter } = await listPage(ctx, true, cursor.after, ['hs_object_id']);
    const deletedRemoteIds = records.map((r) => r.id);
    if (nextAfter !== null) {
      cursor = { ...cursor, after: nextAfter };
      yield { records: [], deletedRemoteIds, next: { phase: 'FULL', cursor } };
      continue;
    }
    const incremental: IncrementalCursor = { stage: 'changes', since: cursor.watermark, deletedSince: cursor.watermark, deletionsAfter: null, sweepStartedAt: null };
    yield { records: [], deletedRemoteIds, next: { phase: 'INCREMENTAL', cursor: incremental } };
    return;
  }
}

async function* pullIncremental(ctx: PullContext, start: IncrementalCursor, now: () => number): AsyncGenerator<PullPage> {
  let cursor = start;
  if (cursor.stage === 'changes') {
    const readAt = new Date(now()).toISOString();
    for await (const page of readChanges(ctx, cursor)) {
      cursor = page.next.cursor as IncrementalCursor;
      yield page;
    }
    cursor = { ...cursor, stage: 'deletions', deletionsAfter: null, sweepStartedAt: new Date(now()).toISOString(), readAt };
  }
  yield* sweepDeletions(ctx, cursor, now);
}

function instantOf(record: HubspotObject, property: string): number {
  const value = record.properties[property];
  const ms = typeof value === 'string' ? (/^\d+$/.test(value) ? Number(value) : Date.parse(value)) : Number.NaN;
  return Number.isNaN(ms) ? Date.parse(record.updatedAt ?? '') : ms;
}

async function* readChanges(ctx: PullContext, start: IncrementalCursor): AsyncGenerator<PullPage & { next: { cursor: IncrementalCursor } }> {
  const lastModified = lastModifiedProperty(ctx.stream);
  const limit = ctx.settings.searchPageSize;
  const storedSince = Date.parse(start.since);
  let since = Math.max(0, overlapStart(storedSince, start.readAt, ctx.settings.overlapMs));
  /** hs_object_id paging inside one timestamp; null outside it. */
  let tieAfterId: string | null = null;
  /** What the previous page returned at its last timestamp, to drop exact repeats. */
  let previous = new Map<string, number>();

  for (;;) {
    const inTie: boolean = tieAfterId !== null;
    const filters: SearchFilter[] = inTie
      ? [
          { propertyName: lastModified, operator: 'EQ', value: String(since) },
          { propertyName: 'hs_object_id', operator: 'GT', value: tieAfterId ?? '0' },
        ]
      : [{ propertyName: lastModified, operator: 'GTE', value: String(since) }];
    const page: SearchPage = await ctx.client.request({
      method: 'POST',
      path: `/crm/v3/objects/${ctx.stream}/search`,
      body: {
        filterGroups: [{ filters }],
        sorts: [{ propertyName: inTie ? 'hs_object_id' : lastModified, direction: 'ASCENDING' }],
        properties: ctx.properties,
        limit,
      },
      budget: 'search',
      schema: searchPageSchema,
      count: (p) => p.results.length,
    });
    const results: HubspotObject[] = page.results;
    if (results.length === 0 && !inTie) return;
    const first = results[0] ? instantOf(results[0], lastModified) : since;
    const last = results.at(-1) ? instantOf(results.at(-1) as HubspotObject, lastModified) : since;

    if (!inTie && results.length === limit && first === last) {
      // One timestamp fills the page: read it by id, then move past it.
      tieAfterId = '0';
      since = first;
      continue;
    }
    const fresh = results.filter((r) => previous.get(r.id) !== instantOf(r, lastModified));
    previous = new Map(results.map((r) => [r.id, instantOf(r, lastModified)]));
    const reached = inTie ? since : last;
    const next: IncrementalCursor = { ...start, stage: 'changes', since: new Date(Math.max(storedSince, reached)).toISOString() };
    if (fresh.length > 0) {
      await completeAssociations(ctx.client, ctx.stream, fresh, false);
      yield { records: fresh, deletedRemoteIds: [], next: { phase: 'INCREMENTAL', cursor: next } };
    }
    if (inTie) {
      if (results.length < limit) {
        tieAfterId = null;
        since += 1;
      } else {
        tieAfterId = (results.at(-1) as HubspotObject).id;
      }
      continue;
    }
    if (results.length < limit) return;
    since = last;
  }
}

async function* sweepDeletions(ctx: PullContext, start: IncrementalCursor, now: () => number): AsyncGenerator<PullPage> {
  const sweepStartedAt = start.sweepStartedAt ?? new Date(now()).toISOString();
  const threshold = Date.parse(start.deletedSince) - ctx.settings.overlapMs;
  let after = start.deletionsAfter;
  for (;;) {
    const { records, nextAfter } = await listPage(ctx, true, after, ['hs_object_id']);
    // A record without archivedAt cannot be placed in time: reporting it again is harmless.
    const deletedRemoteIds = records.filter((r) => r.archivedAt === undefined || Date.parse(r.archivedAt) >= threshold).map((r) => r.id);
    if (nextAfter === null) {
      const done: IncrementalCursor = { ...start, stage: 'changes', deletedSince: sweepStartedAt, deletionsAfter: null, sweepStartedAt: null };
      yield { records: [], deletedRemoteIds, next: { phase: 'INCREMENTAL', cursor: done } };
      return;
    }
    after = nextAfter;
    if (deletedRemoteIds.length > 0) {
      yield { records: [], deletedRemoteIds, next: { phase: 'INCREMENTAL', cursor: { ...start, stage: 'deletions', deletionsAfter: after, sweepStartedAt } } };
    }
  }
}
