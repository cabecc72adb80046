import cron, { type ScheduledTask } from 'node-cron';
import PQueue from 'p-queue';
import type { CrmConnector } from '../connectors/types.js';
import { processInbox, type InboxDeps } from '../webhooks/inbox.js';
import { recoverStuckRuns, syncConnection } from './connection-sync.js';
import type { SyncContext } from './engine.js';

/**
 * Ticks each connection's sync on its own cron (settings.syncCron, else SYNC_CRON), skipping a
 * tick while that connection's previous run is still going; recovers stuck runs; drains the
 * webhook inbox. Cross-replica safety comes from the advisory locks in the engine, not from here.
 */

export interface SchedulerDeps {
  ctx: SyncContext;
  connectorFor(connectionId: string): Promise<CrmConnector>;
  defaultCron: string;
  inbox: Omit<InboxDeps, 'ctx' | 'connectorFor'>;
  /** A RUNNING state older than this, whose lock is free, is recovered. */
  stuckAfterMs?: number;
  /** A stream's FULL pass is repeated when its last one is older than this. */
  fullResyncAfterMs: number;
  inboxIntervalMs?: number;
  /**
   * Connections syncing at once in this process (SYNC_CONCURRENCY). Each run holds a pooled
   * connection for its lock, so config keeps this below the pool size.
   */
  maxConcurrentSyncs?: number;
}

export interface Scheduler {
  /** Picks up new, changed and removed connections. */
  reconcile(): Promise<void>;
  /** Runs one connection now, unless it is already running here or the scheduler is stopping. */
  runNow(connectionId: string, options?: { full?: boolean; streams?: string[] }): Promise<RunStart>;
  /** Runs one connection now (or joins the run in progress) and resolves when it ends. */
  runAndWait(connectionId: string, options?: { full?: boolean; streams?: string[] }): Promise<void>;
  stop(): Promise<void>;
}

/** What asking for a run did. */
export type RunStart = 'started' | 'already-running' | 'stopping';

export function startScheduler(deps: SchedulerDeps): Scheduler {
  const { ctx } = deps;
  const tasks = new Map<string, { cron: string; task: ScheduledTask }>();
  const running = new Map<string, Promise<unknown>>();
  const slots = new PQueue({ concurrency: deps.maxConcurrentSyncs ?? 3 });
  let stopped = false;
  const shutdown = new AbortController();

  const runConnection = (connectionId: string, options: { full?: boolean; streams?: string[] } = {}): RunStart => {
    if (stopped) return 'stopping';
    if (running.has(connectionId)) return 'already-running';
    const run = slots
      .add(async () => {
        if (shutdown.signal.aborted) return;
        const connector = await deps.connectorFor(connectionId);
        await syncConnection(ctx, connectionId, connector, { fullAfterMs: deps.fullResyncAfterMs, ...options, signal: shutdown.signal });
      })
      .catch((error: unknown) => ctx.logger.error({ err: error, connectionId }, 'scheduled sync failed to start'))
      .finally(() => running.delete(connectionId));
    running.set(connectionId, run);
    return 'started';
  };

  const reconcile = async () => {
    const connections = await ctx.db.prisma.connection.findMany({ select: { id: true, settings: true } });
    const seen = new Set<string>();
    for (const c of connections) {
      seen.add(c.id);
      const settings = (c.settings ?? {}) as { syncCron?: string };
      const expression = settings.syncCron && cron.validate(settings.syncCron) ? settings.syncCron : deps.defaultCron;
      const existing = tasks.get(c.id);
      if (existing?.cron === expression) continue;
      await existing?.task.destroy();
      const task = cron.schedule(expression, () => void runConnection(c.id), { name: `sync:${c.id}`, noOverlap: true });
      tasks.set(c.id, { cron: expression, task });
    }
    for (const [id, entry] of tasks) {
      if (!seen.has(id)) {
        await entry.task.destroy();
        tasks.delete(id);
      }
    }
  };

  const housekeeping = cron.schedule(
    '* * * * *',
    async () => {
      await reconcile().catch((error: unknown) => ctx.logger.error({ err: error }, 'could not reconcile sync schedules'));
      await recoverStuckRuns(ctx, deps.stuckAfterMs ?? 30 * 60_000).catch((error: unknown) =>
        ctx.logger.error({ err: error }, 'could not recover stuck sync runs'),
      );
    },
    { name: 'sync:housekeeping', noOverlap: true },
  );

  let inboxBusy: Promise<unknown> | null = null;
  const inboxTimer = setInterval(() => {
    if (inboxBusy || stopped) return;
    inboxBusy = processInbox({ ...deps.inbox, ctx, connectorFor: deps.connectorFor })
      .then((r) => {
        ctx.metrics?.webhookEvents.inc({ provider: 'all', outcome: 'processed' }, r.processed);
        ctx.metrics?.webhookEvents.inc({ provider: 'all', outcome: 'failed' }, r.failed);
      })
      .catch((error: unknown) => ctx.logger.error({ err: error }, 'webhook inbox processing failed'))
      .finally(() => (inboxBusy = null));
  }, deps.inboxIntervalMs ?? 1000);
  inboxTimer.unref();

  return {
    reconcile,
    async runNow(connectionId, options) {
      return runConnection(connectionId, options);
    },
    async runAndWait(connectionId, options) {
      runConnection(connectionId, options);
      await running.get(connectionId);
    },
    async stop() {
      stopped = true;
      shutdown.abort();
      clearInterval(inboxTimer);
      await housekeeping.destroy();
      await Promise.all([...tasks.values()].map((t) => t.task.destroy()));
      tasks.clear();
      // Let in-flight runs finish their current page; their cursors are already safe.
      await Promise.allSettled([...running.values(), inboxBusy]);
    },
  };
}
