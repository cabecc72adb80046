import type { GraphqlContext } from '../context.js';
import { requireScope } from '../context.js';
import { badInput, errorCode, isGraphQLError, PUBLIC_ERROR_CODES } from '../errors.js';
import { MAX_BATCH, parseInput, recordSignalsInput, upsertContactInput, writeBackScoreInput } from '../inputs.js';
import { recordSignals } from '../mutations/record-signals.js';
import { upsertContact } from '../mutations/upsert-contact.js';
import { writeBackScore, type WriteBackScoreOutcome } from '../mutations/write-back-score.js';

/** Batch items run a few at a time: enough to overlap round trips, few enough to share the pool. */
const BATCH_CONCURRENCY = 4;

interface ItemResult {
  index: number;
  result: WriteBackScoreOutcome | null;
  error: { code: string; message: string; field: string | null } | null;
}

function scoreOne(ctx: GraphqlContext, raw: unknown, field: string): Promise<WriteBackScoreOutcome> {
  const input = parseInput(writeBackScoreInput, raw, field);
  return writeBackScore(ctx.db.prisma, input, { reviewThreshold: ctx.config.SCORE_REVIEW_THRESHOLD });
}

/** A batch item's failure as data; unexpected errors are logged and masked like formatError does. */
function itemError(ctx: GraphqlContext, error: unknown, index: number): ItemResult['error'] {
  const code = errorCode(error);
  if (isGraphQLError(error) && code && PUBLIC_ERROR_CODES.has(code)) {
    const field = error.extensions['field'];
    // Single-call paths say "input.x"; in a batch the item's own path is inputs.N.x.
    return { code, message: error.message.replace(/^input\./, `inputs.${index}.`), field: typeof field === 'string' ? field.replace(/^input\./, `inputs.${index}.`) : null };
  }
  ctx.logger.error({ err: error, index }, 'writeBackScores item failed');
  return { code: 'INTERNAL_SERVER_ERROR', message: 'Internal server error', field: null };
}

export const mutationResolvers = {
  Mutation: {
    writeBackScore(_: unknown, args: { input: unknown }, ctx: GraphqlContext) {
      requireScope(ctx, 'scores:write');
      return scoreOne(ctx, args.input, 'input');
    },
    async writeBackScores(_: unknown, args: { inputs: unknown[] }, ctx: GraphqlContext): Promise<ItemResult[]> {
      requireScope(ctx, 'scores:write');
      if (args.inputs.length > MAX_BATCH) throw badInput(`inputs: at most ${MAX_BATCH} per call`, 'inputs');
      const results: ItemResult[] = [];
      for (let start = 0; start < args.inputs.length; start += BATCH_CONCURRENCY) {
        const chunk = args.inputs.slice(start, start + BATCH_CONCURRENCY);
        results.push(
          ...(await Promise.all(
            chunk.map(async (raw, offset): Promise<ItemResult> => {
              const index = start + offset;
              try {
                return { index, result: await scoreOne(ctx, raw, `inputs.${index}`), error: null };
              } catch (error) {
                return { index, result: null, error: itemError(ctx, error, index) };
              }
            }),
          )),
        );
      }
      return results;
    },
    recordSignals(_: unknown, args: { input: unknown }, ctx: GraphqlContext) {
      requireScope(ctx, 'scores:write');
      const input = parseInput(recordSignalsInput, args.input, 'input');
      return recordSignals({ prisma: ctx.db.prisma, pool: ctx.db.pool, loaders: ctx.loaders }, input);
    },
    upsertContact(_: unknown, args: { input: unknown }, ctx: GraphqlContext) {
      requireScope(ctx, 'scores:write');
      return upsertContact(ctx.db.prisma, parseInput(upsertContactInput, args.input, 'input'));
    },
  },
};
