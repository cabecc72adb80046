/**
 * Paging an object by SystemModstamp, for FULL and INCREMENTAL alike.
 *
 * - Both phases use queryAll, so rows deleted in the last ~15 days (the recycle bin) come back
 *   with IsDeleted = true and become tombstones, and undeleted rows come back live again with a
 *   new SystemModstamp, which restores them. We chose this over getDeleted(): one query sees
 *   creates, updates, deletes and undeletes in one order, and getDeleted's window would need a
 *   second cursor. Rows purged from the recycle bin are not seen by either; fetchByIds (webhook
 *   hints, reconciliation) tombstones those.
 * - `WHERE SystemModstamp >= :last ORDER BY SystemModstamp, Id`, never `>`: many rows can share
 *   one timestamp (bulk updates), and a page boundary can fall between them. The overlap is
 *   deduplicated: rows before the cursor's instant are skipped, and at that instant the rows
 *   already handed over are skipped by id (the cursor keeps those ids), so a row stamped with the
 *   same instant but committed after our read (a longer transaction) is still picked up. When
 *   more than MAX_IDS_AT_LAST rows share the instant, the cursor keeps only the last pair and
 *   skips rows at or before it in query order.
 * - An INCREMENTAL run also re-reads an overlap before its cursor (see overlap.ts).
 *   SystemModstamp is stamped when a transaction writes, not when it commits, so a long
 *   transaction can commit rows stamped before rows already read; without the overlap they
 *   would wait for the next FULL pass. Rows in the overlap are handed over again (the store
 *   skips unchanged ones by content hash) and do not move the cursor.
 * - The cursor moves forward only, to the last row of each page, and is saved with that page,
 *   so a crash resumes right after the last page written.
 * - A query locator that expired (INVALID_QUERY_LOCATOR, after ~15 idle minutes) restarts the
 *   query from the cursor instead of failing the run.
 */
import { z } from 'zod';
import { CrmError, type RawRecord, type StreamPosition } from '../types.js';
import { overlapStart } from '../overlap.js';
import type { QueryPage, SalesforceClient } from './client.js';
import { datetimeLiteralAtOrBefore } from './soql.js';

const pairSchema = z.object({ systemModstamp: z.iso.datetime(), id: z.string().min(15) });
export type ModstampPair = z.infer<typeof pairSchema>;

/** Ids remembered at the cursor's instant; beyond this, (SystemModstamp, Id) order decides. */
export const MAX_IDS_AT_LAST = 1000;

/** The cursor of every Salesforce stream, in both phases. */
export const modstampCursorSchema = z.object({
  /** The last row handed to the engine: rows at or before it are done. */
  last: pairSchema.nullable(),
  /** Every id handed over at last.systemModstamp (absent once more than MAX_IDS_AT_LAST). */
  idsAtLast: z.array(z.string()).optional(),
  /** When the pull that saved this cursor began (CrmClock: ours, or the org's while ours is ahead): late commits are stamped after it, minus the overlap. */
  readAt: z.iso.datetime().optional(),
  /** When the current FULL pass began (FULL phase only), for operators. */
  fullStartedAt: z.iso.datetime().optional(),
});
export type ModstampCursor = z.infer<typeof modstampCursorSchema>;

export function readCursor(position: StreamPosition, stream: string): ModstampCursor {
  if (position.cursor === null || position.cursor === undefined) return { last: null };
  const parsed = modstampCursorSchema.safeParse(position.cursor);
  if (!parsed.success) {
    throw new CrmError('SALESFORCE', 'validation', `the saved ${stream} cursor is not readable (${parsed.error.issues[0]?.message ?? 'invalid'}); run a full sync of ${stream}`, { origin: 'us', crmCode: 'BAD_CURSOR' });
  }
  return parsed.data;
}

/** (SystemModstamp, Id) of a row, or null when the row lacks them. */
export function pairOf(row: RawRecord): ModstampPair | null {
  const stamp = typeof row.SystemModstamp === 'string' ? Date.parse(row.SystemModstamp.replace(/([+-]\d{2})(\d{2})$/, '$1:$2')) : Number.NaN;
  if (Number.isNaN(stamp) || typeof row.Id !== 'string') return null;
  return { systemModstamp: new Date(stamp).toISOString(), id: row.Id };
}

/** Orders pairs as the query does: by instant, then by Id (binary, as Salesforce ids compare). */
export function comparePairs(a: ModstampPair, b: ModstampPair): number {
  const byTime = Date.parse(a.systemModstamp) - Date.parse(b.systemModstamp);
  if (byTime !== 0) return byTime;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

export interface ModstampPage {
  /** Rows after the cursor, in query order. */
  rows: RawRecord[];
  next: StreamPosition;
}

export interface ModstampPullInput {
  client: SalesforceClient;
  object: string;
  select: string[];
  from: StreamPosition;
  pageSize: number;
  /** How far an INCREMENTAL run re-reads before its cursor (see the module comment). */
  overlapMs: number;
  now: () => number;
}

export function modstampQuery(object: string, select: string[], since: string | null): string {
  const where = since ? ` WHERE SystemModstamp >= ${datetimeLiteralAtOrBefore(since)}` : '';
  return `SELECT ${select.join(', ')} FROM ${object}${where} ORDER BY SystemModstamp ASC, Id ASC`;
}

/**
 * Pages of rows changed after the position. FULL ends with a page whose next phase is
 * INCREMENTAL (possibly empty, so the phase moves even for an empty object); INCREMENTAL yields
 * only when there is something to write or the cursor moved.
 */
export async function* pullByModstamp(input: ModstampPullInput): AsyncGenerator<ModstampPage> {
  const { client, object, select, from, pageSize } = input;
  const cursor = readCursor(from, object);
  const fullStartedAt = from.phase === 'FULL' ? (cursor.fullStartedAt ?? new Date(input.now()).toISOString()) : undefined;
  const readAt = new Date(input.now()).toISOString();
  const reReadFrom = reReadStart(from.phase, cursor, input.overlapMs);
  const boundary = new Boundary(cursor, reReadFrom, readAt);
  const since = reReadFrom === null ? (cursor.last?.systemModstamp ?? null) : new Date(reReadFrom).toISOString();
  let page: QueryPage = await client.query(modstampQuery(object, select, since), { all: true, batchSize: pageSize });
  for (;;) {
    const rows: RawRecord[] = [];
    for (const row of page.records) {
      const pair = pairOf(row);
      if (!pair) throw new CrmError('SALESFORCE', 'protocol', `${object} row without Id or SystemModstamp`, { origin: 'crm' });
      if (boundary.accept(pair)) rows.push(row);
    }
    const done = page.done || !page.nextRecordsUrl;
    const next: StreamPosition = done
      ? { phase: 'INCREMENTAL', cursor: boundary.cursor() }
      : { phase: from.phase, cursor: boundary.cursor(fullStartedAt) };
    const moved = rows.length > 0;
    if (rows.length || moved || (done && from.phase === 'FULL')) yield { rows, next };
    if (done) return;
    try {
      page = await client.queryMore(page.nextRecordsUrl!);
    } catch (error) {
      if (!(error instanceof CrmError) || error.details.crmCode !== 'INVALID_QUERY_LOCATOR') throw error;
      // Still inside the overlap (the boundary has not moved), restart there, or its rows are lost.
      const restartFrom = boundary.last === cursor.last ? since : (boundary.last?.systemModstamp ?? null);
      page = await client.query(modstampQuery(object, select, restartFrom), { all: true, batchSize: pageSize });
    }
  }
}

/** Where an INCREMENTAL run's re-read begins (ms), or null when nothing before the cursor needs it. */
function reReadStart(phase: StreamPosition['phase'], cursor: ModstampCursor, overlapMs: number): number | null {
  if (phase !== 'INCREMENTAL' || !cursor.last || overlapMs <= 0) return null;
  const last = Date.parse(cursor.last.systemModstamp);
  const start = overlapStart(last, cursor.readAt, overlapMs);
  return start < last ? start : null;
}

/** Where a pull stands: the last pair handed over and the ids already handed over at its instant. */
class Boundary {
  last: ModstampPair | null;
  private idsAtLast: Set<string> | null;

  /** Rows stamped at or after this instant (ms) but before the cursor's are re-read, not skipped. */
  private readonly reReadFrom: number | null;

  constructor(
    cursor: ModstampCursor,
    reReadFrom: number | null,
    /** When this pull began, saved in every cursor it yields. */
    private readonly readAt: string,
  ) {
    this.last = cursor.last;
    this.reReadFrom = reReadFrom;
    // A cursor without ids (older, or overflowed) falls back to ordering by the last pair.
    this.idsAtLast = cursor.last && cursor.idsAtLast ? new Set(cursor.idsAtLast) : null;
  }

  /** True when the row is new to this stream; moves the boundary past it. */
  accept(pair: ModstampPair): boolean {
    const last = this.last;
    if (last) {
      const stamp = Date.parse(pair.systemModstamp);
      const byTime = stamp - Date.parse(last.systemModstamp);
      // The overlap: handed over again, without moving the boundary.
      if (byTime < 0) return this.reReadFrom !== null && stamp >= this.reReadFrom;
      if (byTime === 0) {
        if (this.idsAtLast ? this.idsAtLast.has(pair.id) : comparePairs(pair, last) <= 0) return false;
        if (this.idsAtLast) {
          this.idsAtLast.add(pair.id);
          if (this.idsAtLast.size > MAX_IDS_AT_LAST) this.idsAtLast = null;
        }
        if (comparePairs(pair, last) > 0) this.last = pair;
        return true;
      }
    }
    this.last = pair;
    this.idsAtLast = new Set([pair.id]);
    return true;
  }

  cursor(fullStartedAt?: string): ModstampCursor {
    return {
      last: this.last,
      ...(this.idsAtLast ? { idsAtLast: [...this.idsAtLast] } : {}),
      readAt: this.readAt,
      ...(fullStartedAt ? { fullStartedAt } : {}),
    };
  }
}
