import type { CrmConnector, RawRecord, RecordActions, RecordFailure, StreamSpec, WriteValues } from '../connectors/types.js';
import type { FieldDefs } from '../canonical/fields.js';
import { connectionBlockedReason } from './connection-status.js';
import { describeFailures, fieldDefsFor, normalizeAll, syncStream, type StreamRunOptions, type StreamRunOutcome, type SyncContext } from './engine.js';
import { markMerged, writePage } from './store.js';
import { inTransaction } from '../db/transaction.js';
import { syncLockKey, tryLock } from './lock.js';
import { MERGEABLE, TABLES } from './record-columns.js';

export interface ConnectionRunOptions extends StreamRunOptions {
  /** Only these streams (CRM object names); all by default. */
  streams?: string[];
  /**
   * Re-run a FULL pass when a stream's last successful one is older than this. Incremental
   * reads cannot see everything (HubSpot's search misses association-only changes), so the
   * scheduler sets it; manual runs leave it unset.
   */
  fullAfterMs?: number;
}

/** Runs every stream of a connection in the connector's order; stops early when the CRM blocks us. */
export async function syncConnection(
  ctx: SyncContext,
  connectionId: string,
  connector: CrmConnector,
  options: ConnectionRunOptions = {},
): Promise<StreamRunOutcome[]> {
  const all = connector.streams();
  const unknown = (options.streams ?? []).filter((s) => !all.some((x) => x.name === s));
  if (unknown.length) throw new Error(`unknown object(s) ${unknown.join(', ')}; this connection syncs ${all.map((s) => s.name).join(', ')}`);
  const streams = options.streams?.length ? all.filter((s) => options.streams!.includes(s.name)) : all;
  const outcomes: StreamRunOutcome[] = [];
  for (const stream of streams) {
    if (options.signal?.aborted) break;
    const connection = await ctx.db.prisma.connection.findUniqueOrThrow({ where: { id: connectionId } });
    const blocked = connectionBlockedReason(connection);
    if (blocked) {
      outcomes.push({ stream: stream.name, status: 'SKIPPED', error: blocked, progress: emptyProgress(stream.name) });
      continue;
    }
    const full = options.full || (options.fullAfterMs !== undefined && (await fullPassDue(ctx, connectionId, stream.name, options.fullAfterMs)));
    const outcome = await syncStream(ctx, connectionId, connector, stream, { ...options, full });
    outcomes.push(outcome);
  }
  return outcomes;
}

async function fullPassDue(ctx: SyncContext, connectionId: string, stream: string, fullAfterMs: number): Promise<boolean> {
  const state = await ctx.db.prisma.syncState.findUnique({ where: { connectionId_objectType: { connectionId, objectType: stream } } });
  if (!state || state.phase === 'FULL') return false; // a first or interrupted FULL pass continues anyway
  const lastFull = await ctx.db.prisma.syncRun.findFirst({
    where: { connectionId, objectType: stream, phase: 'FULL', status: 'SUCCEEDED' },
    orderBy: { startedAt: 'desc' },
  });
  return !lastFull || Date.now() - lastFull.startedAt.getTime() > fullAfterMs;
}

function emptyProgress(stream: string) {
  return { stream, pages: 0, recordsSeen: 0, recordsWritten: 0, recordsDeleted: 0, rateLimited: 0, waitedMs: 0 };
}

/**
 * Runs stuck in RUNNING past the timeout whose lock nobody holds died with their process:
 * mark them FAILED with a reason, so the next tick starts again from the saved cursor.
 */
export async function recoverStuckRuns(ctx: SyncContext, timeoutMs: number): Promise<number> {
  const cutoff = new Date(Date.now() - timeoutMs);
  const stuck = await ctx.db.prisma.syncState.findMany({ where: { status: 'RUNNING', stageStartedAt: { lt: cutoff } } });
  let recovered = 0;
  for (const state of stuck) {
    const lock = await tryLock(ctx.db, syncLockKey(state.connectionId, state.objectType));
    if (!lock) continue; // still running somewhere: a long run, not a stuck one
    try {
      const reason = 'recovered: the run stopped without finishing (its process died); the next run resumes from the saved cursor';
      await ctx.db.prisma.$transaction([
        // Re-checked under the lock: the run may have finished since we looked.
        ctx.db.prisma.syncState.updateMany({ where: { id: state.id, status: 'RUNNING' }, data: { status: 'FAILED', lastError: reason, stageStartedAt: null } }),
        ctx.db.prisma.syncRun.updateMany({
          where: { connectionId: state.connectionId, objectType: state.objectType, status: 'RUNNING' },
          data: { status: 'FAILED', error: reason, finishedAt: new Date() },
        }),
      ]);
      recovered++;
      ctx.logger.warn({ connectionId: state.connectionId, stream: state.objectType }, 'recovered a sync run stuck in RUNNING');
    } finally {
      await lock.release();
    }
  }
  return recovered;
}

/** The store operations webhook and change-event handlers may ask for, bound to one connection. */
function throwIfFailed(stream: StreamSpec, failures: RecordFailure[]): void {
  if (failures.length) throw new Error(`${stream.name}: ${describeFailures(failures)}`);
}

/**
 * Shows delivered writes in the store at once, without waiting for the next poll: each
 * record's stored raw CRM record gets the written values (connector.applyWrite) and is
 * normalized and written as a sync would, so every column, lead status and lifecycle stage
 * included, already says what the next sync will read. Records not in the store are skipped.
 */
export async function reflectWrites(
  ctx: SyncContext,
  connectionId: string,
  connector: CrmConnector,
  streamName: string,
  writes: { remoteId: string; properties: WriteValues }[],
  /** The object's field definitions as just described (fields created since the last sync included). */
  defs: FieldDefs,
): Promise<void> {
  const stream = connector.streams().find((s) => s.name === streamName);
  if (!stream || !writes.length) return;
  const failures = await inTransaction(ctx.db.pool, async (client) => {
    // Locked, so a sync page or webhook refresh cannot land between this read and the write
    // (the older raw would win). Deleted and merged records stay as they are.
    const { rows } = await client.query<{ remoteId: string; raw: RawRecord }>(
      `SELECT "remoteId", raw FROM "${TABLES[stream.kind].table}"
        WHERE "connectionId" = $1::uuid AND "remoteId" = ANY($2::text[]) AND "deletedAt" IS NULL
          ${MERGEABLE.has(stream.kind) ? 'AND "mergedIntoRemoteId" IS NULL' : ''}
        ORDER BY "remoteId" FOR UPDATE`,
      [connectionId, writes.map((w) => w.remoteId)],
    );
    const stored = new Map(rows.map((r) => [r.remoteId, r.raw]));
    const patched = writes.flatMap((w) => {
      const raw = stored.get(w.remoteId);
      return raw ? [connector.applyWrite(stream, raw, w.properties)] : [];
    });
    const { records, failures } = normalizeAll(connector, stream, patched, defs);
    await writePage(client, { connectionId, kind: stream.kind, records, deletedRemoteIds: [], now: new Date() });
    return failures;
  });
  throwIfFailed(stream, failures);
}

export function recordActions(ctx: SyncContext, connectionId: string, connector: CrmConnector): RecordActions {
  const streamNamed = (name: string) => {
    const stream = connector.streams().find((s) => s.name === name);
    if (!stream) throw new Error(`unknown stream ${name}`);
    return stream;
  };
  return {
    async refresh(streamName, remoteIds) {
      const stream = streamNamed(streamName);
      const ids = [...new Set(remoteIds)];
      if (!ids.length) return [];
      const fetched = await connector.fetchByIds(stream, ids);
      const { records, failures } = normalizeAll(connector, stream, fetched.records, await fieldDefsFor(ctx, connectionId, connector, stream));
      // The good records land; the bad ones fail the events that named them, with the reason.
      await inTransaction(ctx.db.pool, (client) => writePage(client, { connectionId, kind: stream.kind, records, deletedRemoteIds: fetched.missingRemoteIds, now: new Date() }));
      return failures;
    },
    async markMerged(streamName, mergedRemoteIds, survivorRemoteId) {
      const stream = streamNamed(streamName);
      await inTransaction(ctx.db.pool, (client) => markMerged(client, connectionId, stream.kind, mergedRemoteIds, survivorRemoteId, new Date()));
    },
  };
}
