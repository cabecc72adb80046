/**
 * Query and queryMore. A query's full result is computed once and kept as a cursor; pages are
 * slices of it addressed by a locator (`01g…-2000`), so paging costs O(page), not O(result).
 * jsforce takes the last path segment of nextRecordsUrl as the locator, so the URL shape matters.
 *
 * The rendered first page is also cached per (SOQL, store version): a benchmark hammering one
 * query is served from memory until a write changes the store.
 */
import { SalesforceApiError } from './errors.js';
import { IdFactory } from './ids.js';
import { compileQuery, executeQuery, type CompiledQuery } from './soql/engine.js';
import type { RecordLookup } from './soql/fields.js';
import { parseSoql } from './soql/parser.js';
import { projectRecord } from './soql/projection.js';
import type { RecordValues } from './store.js';

interface Cursor {
  id: string;
  rows: RecordValues[];
  compiled: CompiledQuery;
  batchSize: number;
  lastUsedAt: number;
}

interface CachedFirstPage {
  storeVersion: number;
  schemaVersion: number;
  cursorId: string | null;
  body: string;
}

export interface QueryRequest {
  soql: string;
  includeDeleted: boolean;
  apiVersion: string;
  /** '/services/data/v61.0/query' or '…/tooling/query', used to build nextRecordsUrl. */
  basePath: string;
  batchSize: number;
}

const CURSOR_IDLE_MS = 15 * 60_000;
const MAX_CURSORS = 2000;
const MAX_CACHED_PAGES = 200;

export class QueryService {
  private readonly cursors = new Map<string, Cursor>();
  private readonly firstPages = new Map<string, CachedFirstPage>();
  private readonly locatorIds = new IdFactory('QS0');

  constructor(private readonly lookup: RecordLookup) {}

  /** Returns the JSON text of the first page. */
  query(request: QueryRequest): string {
    const cacheKey = `${request.includeDeleted ? 1 : 0}|${request.basePath}|${request.batchSize}|${request.soql}`;
    const cached = this.firstPages.get(cacheKey);
    if (
      cached &&
      cached.storeVersion === this.lookup.store.version &&
      cached.schemaVersion === this.lookup.schema.version &&
      (cached.cursorId === null || this.touchCursor(cached.cursorId))
    ) {
      return cached.body;
    }
    const compiled = compileQuery(this.lookup, parseSoql(request.soql), this.lookup.store.now());
    const rows = executeQuery(this.lookup, compiled, request.includeDeleted);
    let cursorId: string | null = null;
    let body: string;
    if (compiled.isCount) {
      body = JSON.stringify({ totalSize: rows.length, done: true, records: [] });
    } else {
      if (rows.length > request.batchSize) cursorId = this.openCursor(rows, compiled, request.batchSize);
      body = this.renderPage(rows, compiled, 0, request, cursorId);
    }
    if (this.firstPages.size >= MAX_CACHED_PAGES) this.firstPages.delete(this.firstPages.keys().next().value as string);
    this.firstPages.set(cacheKey, { storeVersion: this.lookup.store.version, schemaVersion: this.lookup.schema.version, cursorId, body });
    return body;
  }

  /** Returns the JSON text of the page a locator (`<cursorId>-<offset>`) points at. */
  queryMore(locator: string, request: Omit<QueryRequest, 'soql' | 'includeDeleted' | 'batchSize'>): string {
    const dash = locator.lastIndexOf('-');
    const cursorId = dash > 0 ? locator.slice(0, dash) : locator;
    const offset = dash > 0 ? Number(locator.slice(dash + 1)) : Number.NaN;
    const cursor = this.touchCursor(cursorId) ? this.cursors.get(cursorId) : undefined;
    if (!cursor || !Number.isInteger(offset) || offset < 0 || offset > cursor.rows.length) {
      throw new SalesforceApiError(400, 'INVALID_QUERY_LOCATOR', 'invalid query locator');
    }
    return this.renderPage(cursor.rows, cursor.compiled, offset, { ...request, batchSize: cursor.batchSize }, cursorId);
  }

  private renderPage(
    rows: RecordValues[],
    compiled: CompiledQuery,
    offset: number,
    request: Pick<QueryRequest, 'apiVersion' | 'basePath' | 'batchSize'>,
    cursorId: string | null,
  ): string {
    const end = Math.min(rows.length, offset + request.batchSize);
    const records = [];
    for (let i = offset; i < end; i++) {
      records.push(projectRecord(this.lookup, compiled.object.name, rows[i] as RecordValues, compiled.projection, request.apiVersion));
    }
    const done = end >= rows.length;
    const page: Record<string, unknown> = { totalSize: rows.length, done };
    if (!done && cursorId) page.nextRecordsUrl = `${request.basePath}/${cursorId}-${end}`;
    page.records = records;
    return JSON.stringify(page);
  }

  private openCursor(rows: RecordValues[], compiled: CompiledQuery, batchSize: number): string {
    this.expireCursors();
    const id = this.locatorIds.next('01g');
    this.cursors.set(id, { id, rows, compiled, batchSize, lastUsedAt: Date.now() });
    return id;
  }

  /** Marks a cursor as used (keeps it alive); false if it expired or never existed. */
  private touchCursor(id: string): boolean {
    const cursor = this.cursors.get(id);
    if (!cursor) return false;
    if (Date.now() - cursor.lastUsedAt > CURSOR_IDLE_MS) {
      this.cursors.delete(id);
      return false;
    }
    cursor.lastUsedAt = Date.now();
    this.cursors.delete(id);
    this.cursors.set(id, cursor);
    return true;
  }

  private expireCursors(): void {
    while (this.cursors.size >= MAX_CURSORS) this.cursors.delete(this.cursors.keys().next().value as string);
  }

  /** Forget every cursor, as when an org's query locators time out. */
  clear(): void {
    this.cursors.clear();
    this.firstPages.clear();
  }
}
