import { hubspotStreams } from '../../connectors/hubspot/streams.js';
import { SALESFORCE_STREAMS } from '../../connectors/salesforce/streams.js';
import type { Provider } from '../../connectors/types.js';
import { connectionBlockedReason } from '../../sync/connection-status.js';
import type { RunStart } from '../../sync/scheduler.js';
import type { GraphqlContext } from '../context.js';
import { requireScope } from '../context.js';
import { badInput, notFound, unavailable } from '../errors.js';
import { errorText, id, parseInput, syncObjects, syncRunFilter } from '../inputs.js';
import { requeueFailedEvents } from '../../webhooks/inbox.js';
import { connectionOverviews, listSyncRuns, webhookInboxCounts, type ConnectionOverview, type SyncRunRow } from '../store/admin-queries.js';
import { timeConnection, timePage } from './time-pages.js';

/** Operating the connections: their health, sync history, the webhook inbox, and controls. */

function streamNames(provider: Provider): string[] {
  return (provider === 'HUBSPOT' ? hubspotStreams() : SALESFORCE_STREAMS).map((s) => s.name);
}

async function overviewOf(ctx: GraphqlContext, connectionId: string): Promise<ConnectionOverview> {
  const [overview] = await connectionOverviews(ctx.db, [connectionId]);
  if (!overview) throw notFound(`no connection with id ${connectionId}`);
  return overview;
}

/** Sets the status, answering NOT_FOUND for an unknown id. */
async function setStatus(ctx: GraphqlContext, rawId: string, data: { status: 'ACTIVE' | 'PAUSED'; statusReason?: string | null; pausedUntil?: null }) {
  requireScope(ctx, 'admin');
  const connectionId = parseInput(id, rawId, 'id');
  const updated = await ctx.db.prisma.connection.updateMany({ where: { id: connectionId }, data });
  if (updated.count === 0) throw notFound(`no connection with id ${connectionId}`);
  ctx.logger.info({ connectionId, status: data.status, apiKey: ctx.principal.name }, 'connection status changed through the admin API');
  return overviewOf(ctx, connectionId);
}

const NOT_STARTED_REASONS: Record<RunStart, string | null> = {
  started: null,
  'already-running': 'already running',
  stopping: 'this server is shutting down; send the request to another replica or retry once it is back',
};

interface TriggerSyncArgs {
  connectionId: string;
  mode?: 'INCREMENTAL' | 'FULL' | null;
  objects?: string[] | null;
}

export const adminResolvers = {
  Query: {
    connections(_: unknown, __: unknown, ctx: GraphqlContext) {
      requireScope(ctx, 'admin');
      return connectionOverviews(ctx.db);
    },
    async syncRuns(_: unknown, args: { filter?: unknown; first?: number | null; after?: string | null }, ctx: GraphqlContext) {
      requireScope(ctx, 'admin');
      const page = timePage('syncRuns', args);
      const rows = await listSyncRuns(ctx.db, parseInput(syncRunFilter, args.filter, 'filter') ?? {}, page);
      return timeConnection('syncRuns', rows, page.first, (row) => row.startedAt);
    },
    async webhookInbox(_: unknown, __: unknown, ctx: GraphqlContext) {
      requireScope(ctx, 'admin');
      const providers = await webhookInboxCounts(ctx.db);
      const pendingSince = providers.map((p) => p.oldestPendingReceivedAt).filter((d): d is Date => d !== null);
      return {
        providers,
        pending: providers.reduce((n, p) => n + p.pending, 0),
        oldestPendingReceivedAt: pendingSince.length ? new Date(Math.min(...pendingSince.map((d) => d.getTime()))) : null,
      };
    },
  },
  Mutation: {
    async triggerSync(_: unknown, args: TriggerSyncArgs, ctx: GraphqlContext): Promise<{ started: boolean; reason: string | null }> {
      requireScope(ctx, 'admin');
      const connectionId = parseInput(id, args.connectionId, 'connectionId');
      const objects = parseInput(syncObjects, args.objects, 'objects');
      if (!ctx.scheduler) {
        throw unavailable('this server process runs no sync scheduler, so it cannot start a sync; send the request to one that does, or run: context-layer sync <connection>');
      }
      const connection = await ctx.db.prisma.connection.findUnique({ where: { id: connectionId } });
      if (!connection) throw notFound(`no connection with id ${connectionId}`);
      const known = streamNames(connection.provider);
      const unknown = (objects ?? []).filter((o) => !known.includes(o));
      // The scheduler would only log this from its background run; say it to the caller instead.
      if (unknown.length) throw badInput(`objects: unknown object(s) ${unknown.join(', ')}; ${connection.provider} syncs ${known.join(', ')}`, 'objects');
      const blocked = connectionBlockedReason(connection);
      if (blocked) return { started: false, reason: blocked };
      const start = await ctx.scheduler.runNow(connectionId, { full: args.mode === 'FULL', ...(objects ? { streams: objects } : {}) });
      ctx.logger.info({ connectionId, mode: args.mode, objects, start, apiKey: ctx.principal.name }, 'sync triggered through the admin API');
      return { started: start === 'started', reason: NOT_STARTED_REASONS[start] };
    },
    async pauseConnection(_: unknown, args: { id: string }, ctx: GraphqlContext) {
      requireScope(ctx, 'admin');
      // Pausing a connection that needed attention keeps why, for whoever resumes it.
      const current = await ctx.db.prisma.connection.findUnique({ where: { id: parseInput(id, args.id, 'id') }, select: { status: true, statusReason: true } });
      const was = current?.status === 'NEEDS_ATTENTION' ? ` (it needed attention: ${current.statusReason ?? 'unknown reason'})` : '';
      return setStatus(ctx, args.id, { status: 'PAUSED', statusReason: `paused through the admin API by key "${ctx.principal.name}"${was}`.slice(0, 1000) });
    },
    async retryWebhookEvents(_: unknown, args: { connectionId?: string | null; errorContains?: string | null }, ctx: GraphqlContext): Promise<number> {
      requireScope(ctx, 'admin');
      const connectionId = args.connectionId == null ? undefined : parseInput(id, args.connectionId, 'connectionId');
      const errorContains = args.errorContains == null ? undefined : parseInput(errorText, args.errorContains, 'errorContains');
      const count = await requeueFailedEvents(ctx.db, { ...(connectionId ? { connectionId } : {}), ...(errorContains ? { errorContains } : {}) });
      ctx.logger.info({ connectionId, count, apiKey: ctx.principal.name }, 'failed webhook events queued again through the admin API');
      return count;
    },
    /** Also the way back from NEEDS_ATTENTION once an operator fixed the credentials or permissions. */
    resumeConnection(_: unknown, args: { id: string }, ctx: GraphqlContext) {
      return setStatus(ctx, args.id, { status: 'ACTIVE', statusReason: null, pausedUntil: null });
    },
  },
  AdminConnection: {
    lastError: (c: ConnectionOverview) => c.lastFailedRun?.error ?? null,
    lastErrorAt: (c: ConnectionOverview) => c.lastFailedRun?.startedAt ?? null,
  },
  SyncRun: {
    connection: (run: SyncRunRow, _: unknown, ctx: GraphqlContext) => ctx.loaders.connectionById.load(run.connectionId),
  },
};
