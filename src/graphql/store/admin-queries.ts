import type { Database } from '../../db/client.js';
import type { Prisma } from '../../generated/prisma/client.js';
import type { DeadLetterFilterInput, SyncRunFilterInput } from '../inputs.js';
import { likeLiteral } from '../../db/like.js';

/**
 * Reads for the admin API. Sync runs and dead letters are listed newest first by an immutable
 * instant (startedAt, createdAt) with the id as tie-breaker: SyncRun ids are random UUIDs
 * (the engine inserts them), so the id alone says nothing about time.
 */

export interface TimePage {
  first: number;
  after: { at: Date; id: string } | null;
}

/** Runs strictly after the cursor in (startedAt DESC, id DESC) order. */
function runsAfter(after: TimePage['after']): Prisma.SyncRunWhereInput[] {
  return after ? [{ OR: [{ startedAt: { lt: after.at } }, { startedAt: after.at, id: { lt: after.id } }] }] : [];
}

/** Rows strictly after the cursor in (createdAt DESC, id DESC) order. */
function writeBacksAfter(after: TimePage['after']): Prisma.WriteBackWhereInput[] {
  return after ? [{ OR: [{ createdAt: { lt: after.at } }, { createdAt: after.at, id: { lt: after.id } }] }] : [];
}

export type SyncRunRow = Prisma.SyncRunGetPayload<object>;
export type DeadLetterRow = Prisma.WriteBackGetPayload<object>;

export function listSyncRuns(db: Database, f: SyncRunFilterInput, page: TimePage): Promise<SyncRunRow[]> {
  return db.prisma.syncRun.findMany({
    where: {
      AND: [
        ...(f.connectionId ? [{ connectionId: f.connectionId }] : []),
        ...(f.status ? [{ status: f.status }] : []),
        ...(f.objectType ? [{ objectType: f.objectType }] : []),
        ...runsAfter(page.after),
      ],
    },
    orderBy: [{ startedAt: 'desc' }, { id: 'desc' }],
    take: page.first + 1,
  });
}

/** The WHERE of dead letters matching a filter; listing and retrying by filter share it. */
export function deadLetterWhere(f: DeadLetterFilterInput): Prisma.WriteBackWhereInput[] {
  return [
    { status: 'DEAD' },
    ...(f.connectionId ? [{ connectionId: f.connectionId }] : []),
    ...(f.errorContains ? [{ lastError: { contains: likeLiteral(f.errorContains), mode: 'insensitive' as const } }] : []),
    ...(f.createdSince ? [{ createdAt: { gte: f.createdSince } }] : []),
  ];
}

export function listDeadLetters(db: Database, f: DeadLetterFilterInput, page: TimePage): Promise<DeadLetterRow[]> {
  return db.prisma.writeBack.findMany({
    where: { AND: [...deadLetterWhere(f), ...writeBacksAfter(page.after)] },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: page.first + 1,
  });
}

export interface StreamStateRow {
  objectType: string;
  phase: string;
  status: string;
  stageStartedAt: Date | null;
  lastSuccessAt: Date | null;
  lastError: string | null;
}

export interface ConnectionOverview {
  id: string;
  name: string;
  provider: 'HUBSPOT' | 'SALESFORCE';
  status: 'ACTIVE' | 'NEEDS_ATTENTION' | 'PAUSED';
  statusReason: string | null;
  pausedUntil: Date | null;
  createdAt: Date;
  updatedAt: Date;
  lastSync: SyncRunRow | null;
  lastFailedRun: SyncRunRow | null;
  streams: StreamStateRow[];
}

/** The newest run per connection (optionally only FAILED ones): one statement for all. */
async function latestRuns(db: Database, ids: string[], failedOnly: boolean): Promise<Map<string, SyncRunRow>> {
  const { rows } = await db.pool.query<SyncRunRow>(
    `SELECT DISTINCT ON ("connectionId") * FROM "SyncRun"
      WHERE "connectionId" = ANY($1::uuid[]) ${failedOnly ? `AND "status" = 'FAILED'` : ''}
      ORDER BY "connectionId", "startedAt" DESC, "id" DESC`,
    [ids],
  );
  return new Map(rows.map((r) => [r.connectionId, r]));
}

/** Connections with their sync health, by name; `ids` narrows to those. Four statements whatever the count. */
export async function connectionOverviews(db: Database, ids?: string[]): Promise<ConnectionOverview[]> {
  const connections = await db.prisma.connection.findMany({
    where: ids ? { id: { in: ids } } : {},
    orderBy: { name: 'asc' },
    select: {
      id: true,
      name: true,
      provider: true,
      status: true,
      statusReason: true,
      pausedUntil: true,
      createdAt: true,
      updatedAt: true,
      syncStates: {
        select: { objectType: true, phase: true, status: true, stageStartedAt: true, lastSuccessAt: true, lastError: true },
        orderBy: { objectType: 'asc' },
      },
    },
  });
  if (!connections.length) return [];
  const connectionIds = connections.map((c) => c.id);
  const [latest, failed] = await Promise.all([latestRuns(db, connectionIds, false), latestRuns(db, connectionIds, true)]);
  return connections.map(({ syncStates, ...c }) => ({
    ...c,
    lastSync: latest.get(c.id) ?? null,
    lastFailedRun: failed.get(c.id) ?? null,
    streams: syncStates,
  }));
}

export interface InboxCounts {
  provider: 'HUBSPOT' | 'SALESFORCE';
  pending: number;
  processed: number;
  failed: number;
  oldestPendingReceivedAt: Date | null;
}

/** Webhook inbox counts per CRM, both CRMs always present, in one statement. */
export async function webhookInboxCounts(db: Database): Promise<InboxCounts[]> {
  const { rows } = await db.pool.query<{ provider: InboxCounts['provider']; status: string; n: number; oldest: Date | null }>(
    `SELECT "provider", "status", count(*)::int AS n, min("receivedAt") AS oldest FROM "WebhookEvent" GROUP BY "provider", "status"`,
  );
  return (['HUBSPOT', 'SALESFORCE'] as const).map((provider) => {
    const of = (status: string) => rows.find((r) => r.provider === provider && r.status === status);
    return {
      provider,
      pending: of('PENDING')?.n ?? 0,
      processed: of('PROCESSED')?.n ?? 0,
      failed: of('FAILED')?.n ?? 0,
      oldestPendingReceivedAt: of('PENDING')?.oldest ?? null,
    };
  });
}
