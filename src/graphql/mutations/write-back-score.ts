import { Prisma, type PrismaClient } from '../../generated/prisma/client.js';
import { badInput, notFound } from '../errors.js';
import type { WriteBackScoreInput } from '../inputs.js';
import type { AiOutputRecord, ProviderName } from '../store/records.js';

export interface CrmWriteBackView {
  id: string;
  connectionId: string;
  connectionName: string;
  provider: ProviderName;
  objectType: string;
  remoteId: string | null;
  status: string;
  lastError: string | null;
}

export interface WriteBackScoreOutcome {
  output: AiOutputRecord;
  previousScore: number | null;
  delta: number | null;
  needsReview: boolean;
  replayed: boolean;
  writeBacks: CrmWriteBackView[];
}

export interface WriteBackScoreOptions {
  /** SCORE_REVIEW_THRESHOLD: |delta| at or above it asks a human to look. */
  reviewThreshold: number;
}

/** The outbox row with what CrmWriteBack shows of its connection; also used by upsertContact. */
export const WRITE_BACK_VIEW = { include: { connection: { select: { name: true, provider: true } } } } as const;

export type StoredWriteBack = Prisma.WriteBackGetPayload<typeof WRITE_BACK_VIEW>;

export function writeBackView(wb: StoredWriteBack): CrmWriteBackView {
  return {
    id: wb.id,
    connectionId: wb.connectionId,
    connectionName: wb.connection.name,
    provider: wb.connection.provider,
    objectType: wb.objectType,
    remoteId: wb.remoteId,
    status: wb.status,
    lastError: wb.lastError,
  };
}

function outcome(output: AiOutputRecord, writeBacks: StoredWriteBack[], replayed: boolean, options: WriteBackScoreOptions): WriteBackScoreOutcome {
  const delta = output.previousScore === null ? null : output.score - output.previousScore;
  return {
    output,
    previousScore: output.previousScore,
    delta,
    needsReview: delta !== null && Math.abs(delta) >= options.reviewThreshold,
    replayed,
    writeBacks: writeBacks.map(writeBackView).sort((a, b) => a.connectionName.localeCompare(b.connectionName) || a.id.localeCompare(b.id)),
  };
}

/** The stored result of an earlier call with this key, or null. */
async function replay(prisma: PrismaClient, input: WriteBackScoreInput, options: WriteBackScoreOptions) {
  if (!input.idempotencyKey) return null;
  const existing = await prisma.aiOutput.findUnique({
    where: { idempotencyKey: input.idempotencyKey },
    include: { writeBacks: WRITE_BACK_VIEW },
  });
  if (!existing) return null;
  if (existing.contactId !== input.contactId) {
    throw badInput('idempotencyKey was already used for another contact', 'input.idempotencyKey');
  }
  const { writeBacks, ...output } = existing;
  return outcome(output, writeBacks, true, options);
}

function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002';
}

/**
 * Stores the score with its provenance and queues one WriteBack per CRM record of the person,
 * in one transaction. A transaction-scoped advisory lock per person serializes concurrent
 * scores of the same person, so previousScore is always the score stored just before.
 */
export async function writeBackScore(
  prisma: PrismaClient,
  input: WriteBackScoreInput,
  options: WriteBackScoreOptions,
): Promise<WriteBackScoreOutcome> {
  const earlier = await replay(prisma, input, options);
  if (earlier) return earlier;
  try {
    return await prisma.$transaction(async (tx) => {
      const contact = await tx.contact.findUnique({
        where: { id: input.contactId },
        select: { id: true, email: true, deletedAt: true },
      });
      if (!contact) throw notFound(`no contact with id ${input.contactId}`);
      if (contact.deletedAt) throw notFound(`contact ${input.contactId} was deleted in its CRM`);

      await tx.$queryRaw`SELECT 1 AS locked FROM pg_advisory_xact_lock(hashtext(${`person:${contact.email ?? contact.id}`}))`;
      const targets = await tx.contact.findMany({
        where: contact.email ? { email: contact.email, deletedAt: null } : { id: contact.id },
        select: { id: true, connectionId: true, remoteId: true, remoteType: true },
        orderBy: { id: 'asc' },
      });
      const previous = await tx.aiOutput.findFirst({
        where: { contactId: { in: targets.map((t) => t.id) } },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        select: { score: true },
      });
      const { idempotencyKey: _key, ...output } = await tx.aiOutput.create({
        data: {
          contactId: contact.id,
          score: input.score,
          previousScore: previous?.score ?? null,
          rationale: input.rationale,
          playbook: input.playbook,
          source: input.source,
          model: input.model,
          idempotencyKey: input.idempotencyKey,
          leadStatus: input.leadStatus,
          lifecycleStage: input.lifecycleStage,
        },
      });
      // Canonical field names; the worker maps them to each CRM's fields when it sends.
      const fields = {
        score: input.score,
        rationale: input.rationale,
        playbook: input.playbook,
        source: input.source,
        model: input.model,
        scoredAt: output.createdAt.toISOString(),
        ...(input.leadStatus ? { leadStatus: input.leadStatus } : {}),
        ...(input.lifecycleStage ? { lifecycleStage: input.lifecycleStage } : {}),
      };
      await tx.writeBack.createMany({
        data: targets.map((t) => ({
          connectionId: t.connectionId,
          aiOutputId: output.id,
          objectType: t.remoteType,
          remoteId: t.remoteId,
          operation: 'UPDATE',
          fields,
          status: 'PENDING' as const,
        })),
      });
      const writeBacks = await tx.writeBack.findMany({ where: { aiOutputId: output.id }, ...WRITE_BACK_VIEW });
      return outcome(output, writeBacks, false, options);
    });
  } catch (error) {
    // Two calls with one key raced; the loser returns the winner's result.
    if (isUniqueViolation(error)) {
      const winner = await replay(prisma, input, options);
      if (winner) return winner;
    }
    throw error;
  }
}
