import type { PoolClient } from 'pg';
import { fieldDefsByName, type FieldDefs } from '../canonical/fields.js';
import type { NormalizedRecord } from '../canonical/types.js';
import type { Database } from '../db/client.js';
import { scrubSecrets, type Logger } from '../log.js';
import { CrmError, type CrmConnector, type RawRecord, type RecordFailure, type StreamPosition, type StreamSpec } from '../connectors/types.js';
import { loadFieldDefs, saveFieldDefs } from './field-defs.js';
import { syncLockKey, tryLock } from './lock.js';
import { writePage } from './store.js';
import { markConnectionFailure } from './connection-status.js';
import type { Metrics } from '../metrics.js';

/**
 * Runs one (connection, stream): describe → pull pages → for each page, upsert its records
 * and move the cursor in ONE transaction. A crash at any point resumes from the last
 * committed cursor: pages re-read after it are idempotent upserts, so nothing is lost or doubled.
 */

export interface SyncContext {
  db: Database;
  logger: Logger;
  metrics?: Metrics;
}

export interface SyncProgress {
  stream: string;
  pages: number;
  recordsSeen: number;
  recordsWritten: number;
  recordsDeleted: number;
  rateLimited: number;
  waitedMs: number;
}

export interface StreamRunOptions {
  /** Start over from the beginning (FULL phase, no cursor). */
  full?: boolean;
  onProgress?: (progress: SyncProgress) => void;
  /** Stops the run after the current page (shutdown); the saved cursor makes the next run resume. */
  signal?: AbortSignal;
}

export interface StreamRunOutcome {
  stream: string;
  status: 'SUCCEEDED' | 'FAILED' | 'SKIPPED';
  runId?: string;
  progress: SyncProgress;
  error?: string;
  /** The failure stops the connection's other streams (auth, permission, exhausted limit). */
  connectionBlocked?: boolean;
}

interface StateRow {
  id: string;
  phase: 'FULL' | 'INCREMENTAL';
  cursor: unknown;
  version: number;
}

async function loadState(client: PoolClient, connectionId: string, stream: string, full: boolean): Promise<StateRow> {
  const { rows } = await client.query<StateRow>(
    `INSERT INTO "SyncState" ("id", "connectionId", "objectType", "updatedAt") VALUES (gen_random_uuid(), $1::uuid, $2, now())
     ON CONFLICT ("connectionId", "objectType") DO UPDATE SET "updatedAt" = now()
     RETURNING "id", "phase", "cursor", "version"`,
    [connectionId, stream],
  );
  const state = rows[0]!;
  if (full) {
    const reset = await client.query<StateRow>(
      `UPDATE "SyncState" SET "phase" = 'FULL', "cursor" = NULL, "version" = "version" + 1, "updatedAt" = now()
       WHERE "id" = $1 RETURNING "id", "phase", "cursor", "version"`,
      [state.id],
    );
    return reset.rows[0]!;
  }
  return state;
}

/**
 * Normalizes raw CRM records. The records that fail are named with their reasons, so the
 * caller can write the good ones and then fail visibly (a sync run, a webhook event, a write).
 */
export function normalizeAll(connector: CrmConnector, stream: StreamSpec, raws: RawRecord[], defs: FieldDefs): { records: NormalizedRecord[]; failures: RecordFailure[] } {
  const records: NormalizedRecord[] = [];
  const failures: RecordFailure[] = [];
  for (const raw of raws) {
    try {
      records.push(connector.normalize(stream, raw, defs));
    } catch (error) {
      failures.push({ remoteId: String(raw.id ?? raw.Id ?? '?'), reason: (error as Error).message });
    }
  }
  return { records, failures };
}

/** "N record(s) could not be normalized: id: reason; …" (the first five), for errors people read. */
export function describeFailures(failures: RecordFailure[]): string {
  return `${failures.length} record(s) could not be normalized: ${failures.slice(0, 5).map((f) => `${f.remoteId}: ${f.reason}`).join('; ')}`;
}

export async function syncStream(
  ctx: SyncContext,
  connectionId: string,
  connector: CrmConnector,
  stream: StreamSpec,
  options: StreamRunOptions = {},
): Promise<StreamRunOutcome> {
  const progress: SyncProgress = { stream: stream.name, pages: 0, recordsSeen: 0, recordsWritten: 0, recordsDeleted: 0, rateLimited: 0, waitedMs: 0 };
  const lock = await tryLock(ctx.db, syncLockKey(connectionId, stream.name));
  if (!lock) return { stream: stream.name, status: 'SKIPPED', progress, error: 'a run of this stream is in progress elsewhere' };
  // Whatever fails from here on, the lock and its pooled connection go back.
  try {
    return await runLocked(ctx, lock.client, connectionId, connector, stream, options, progress);
  } finally {
    await lock.release();
  }
}

async function runLocked(
  ctx: SyncContext,
  client: PoolClient,
  connectionId: string,
  connector: CrmConnector,
  stream: StreamSpec,
  options: StreamRunOptions,
  progress: SyncProgress,
): Promise<StreamRunOutcome> {
  const log = ctx.logger.child({ connectionId, stream: stream.name });
  const started = Date.now();
  const statsBefore = connector.stats();
  let state = await loadState(client, connectionId, stream.name, Boolean(options.full));
  const { rows: runRows } = await client.query<{ id: string }>(
    `INSERT INTO "SyncRun" ("id", "connectionId", "objectType", "phase") VALUES (gen_random_uuid(), $1::uuid, $2, $3::"SyncPhase") RETURNING "id"`,
    [connectionId, stream.name, state.phase],
  );
  const runId = runRows[0]!.id;
  // We hold the lock, so a RUNNING status left here is from a run that died: we take over.
  await client.query(`UPDATE "SyncState" SET "status" = 'RUNNING', "stageStartedAt" = now(), "updatedAt" = now() WHERE "id" = $1`, [state.id]);
  const failures: RecordFailure[] = [];
  const stats = () => {
    const now = connector.stats();
    return { apiCalls: now.apiCalls - statsBefore.apiCalls, rateLimited: now.rateLimited - statsBefore.rateLimited, waitedMs: now.waitedMs - statsBefore.waitedMs };
  };
  try {
    const described = await connector.describe(stream);
    await client.query('BEGIN');
    await saveFieldDefs(client, connectionId, stream.name, described);
    await client.query('COMMIT');
    const defs = fieldDefsByName(described);
    let position: StreamPosition = { phase: state.phase, cursor: state.cursor };
    for await (const page of readAhead(connector.pull(stream, position))) {
      const normalized = normalizeAll(connector, stream, page.records, defs);
      failures.push(...normalized.failures);
      const counts = await inTransaction(client, async () => {
        const written = await writePage(client, {
          connectionId,
          kind: stream.kind,
          records: normalized.records,
          deletedRemoteIds: page.deletedRemoteIds,
          now: new Date(),
        });
        const moved = await client.query<{ version: number }>(
          `UPDATE "SyncState" SET "phase" = $2::"SyncPhase", "cursor" = $3::jsonb, "version" = "version" + 1, "updatedAt" = now()
           WHERE "id" = $1 AND "version" = $4 RETURNING "version"`,
          [state.id, page.next.phase, JSON.stringify(page.next.cursor ?? null), state.version],
        );
        if (!moved.rowCount) throw new Error('the sync cursor was moved by another run; this run stops without writing');
        state = { ...state, phase: page.next.phase, cursor: page.next.cursor, version: moved.rows[0]!.version };
        const s = stats();
        await client.query(
          `UPDATE "SyncRun" SET "pages" = "pages" + 1, "recordsSeen" = "recordsSeen" + $2, "recordsWritten" = "recordsWritten" + $3,
             "recordsDeleted" = "recordsDeleted" + $4, "apiCalls" = $5, "rateLimited" = $6, "errorCount" = $7 WHERE "id" = $1`,
          [runId, page.records.length, written.written, written.deleted, s.apiCalls, s.rateLimited, failures.length],
        );
        return written;
      });
      position = page.next;
      Object.assign(progress, {
        pages: progress.pages + 1,
        recordsSeen: progress.recordsSeen + page.records.length,
        recordsWritten: progress.recordsWritten + counts.written,
        recordsDeleted: progress.recordsDeleted + counts.deleted,
        rateLimited: stats().rateLimited,
        waitedMs: stats().waitedMs,
      });
      options.onProgress?.({ ...progress });
      if (options.signal?.aborted) throw new Error('interrupted by shutdown; the next run resumes from the saved cursor');
    }
    const s = stats();
    const error = failures.length ? describeFailures(failures) : null;
    await client.query(
      `UPDATE "SyncRun" SET "status" = 'SUCCEEDED', "finishedAt" = now(), "durationMs" = $2, "apiCalls" = $3, "rateLimited" = $4,
         "errorCount" = $5, "error" = $6 WHERE "id" = $1`,
      [runId, Date.now() - started, s.apiCalls, s.rateLimited, failures.length, error],
    );
    await client.query(
      `UPDATE "SyncState" SET "status" = 'IDLE', "lastSuccessAt" = now(), "lastError" = $2, "stageStartedAt" = NULL, "updatedAt" = now() WHERE "id" = $1`,
      [state.id, error],
    );
    const { stream: _stream, ...counts } = progress;
    log.info({ ...counts, apiCalls: s.apiCalls, durationMs: Date.now() - started }, 'sync run succeeded');
    recordRunMetrics(ctx, connector, progress, 'SUCCEEDED', Date.now() - started);
    return { stream: stream.name, status: 'SUCCEEDED', runId, progress };
  } catch (error) {
    const message = scrubSecrets(describeError(error));
    const s = stats();
    const blocked = error instanceof CrmError ? await markConnectionFailure(ctx.db, connectionId, error) : false;
    await client.query('ROLLBACK').catch(() => undefined);
    await client.query(
      `UPDATE "SyncRun" SET "status" = 'FAILED', "finishedAt" = now(), "durationMs" = $2, "apiCalls" = $3, "rateLimited" = $4,
         "errorCount" = $5, "error" = $6 WHERE "id" = $1`,
      [runId, Date.now() - started, s.apiCalls, s.rateLimited, failures.length + 1, message],
    );
    const paused = error instanceof CrmError && error.kind === 'limit_exhausted';
    await client.query(
      `UPDATE "SyncState" SET "status" = $2::"SyncStatus", "lastError" = $3, "stageStartedAt" = NULL, "updatedAt" = now() WHERE "id" = $1`,
      [state.id, paused ? 'PAUSED' : 'FAILED', message],
    );
    const { stream: _stream, ...counts } = progress;
    log.warn({ err: error, ...counts }, 'sync run failed');
    recordRunMetrics(ctx, connector, progress, 'FAILED', Date.now() - started);
    return { stream: stream.name, status: 'FAILED', runId, progress, error: message, connectionBlocked: blocked };
  }
}

/**
 * Fetches the next page while the current one is written, so the CRM and Postgres work at the
 * same time. Safe for resumption: a page's cursor is still saved only with that page's rows.
 */
export async function* readAhead<T>(source: AsyncIterable<T>): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]();
  let next = iterator.next();
  try {
    for (;;) {
      const result = await next;
      if (result.done) return;
      next = iterator.next();
      // If the consumer stops early, the prefetch's failure must not go unhandled.
      next.catch(() => undefined);
      yield result.value;
    }
  } finally {
    await iterator.return?.();
  }
}

async function inTransaction<T>(client: PoolClient, work: () => Promise<T>): Promise<T> {
  await client.query('BEGIN');
  try {
    const result = await work();
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/** Where the error came from and what it was, for SyncRun.error: what an operator reads first. */
export function describeError(error: unknown): string {
  if (error instanceof CrmError) {
    const origin = error.details.origin === 'us' ? 'context-layer' : error.provider;
    const code = error.details.crmCode ? ` ${error.details.crmCode}` : '';
    const status = error.details.status ? ` (HTTP ${error.details.status})` : '';
    return `[${origin} ${error.kind}${code}${status}] ${error.message}`;
  }
  return error instanceof Error ? `[context-layer] ${error.message}` : String(error);
}

/** Loads FieldDefs saved by the last run (or describes now when none exist yet). */
export async function fieldDefsFor(ctx: SyncContext, connectionId: string, connector: CrmConnector, stream: StreamSpec): Promise<FieldDefs> {
  const saved = await loadFieldDefs(ctx.db, connectionId, stream.name);
  return fieldDefsByName(saved.length ? saved : await connector.describe(stream));
}

function recordRunMetrics(ctx: SyncContext, connector: CrmConnector, progress: SyncProgress, status: string, durationMs: number): void {
  if (!ctx.metrics) return;
  const labels = { provider: connector.provider, stream: progress.stream };
  ctx.metrics.syncRunSeconds.observe({ ...labels, status }, durationMs / 1000);
  ctx.metrics.syncRecords.inc({ ...labels, outcome: 'seen' }, progress.recordsSeen);
  ctx.metrics.syncRecords.inc({ ...labels, outcome: 'written' }, progress.recordsWritten);
  ctx.metrics.syncRecords.inc({ ...labels, outcome: 'deleted' }, progress.recordsDeleted);
  ctx.metrics.rateLimitWaitSeconds.inc({ provider: connector.provider }, progress.waitedMs / 1000);
}
