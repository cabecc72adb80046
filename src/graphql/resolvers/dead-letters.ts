import { requeueDead } from '../../writeback/outbox.js';
import type { GraphqlContext } from '../context.js';
import { requireScope } from '../context.js';
import { badInput, notFound } from '../errors.js';
import { deadLetterFilter, id, parseInput, type DeadLetterFilterInput } from '../inputs.js';
import { WRITE_BACK_VIEW, writeBackView } from '../mutations/write-back-score.js';
import { deadLetterWhere, listDeadLetters, type DeadLetterRow } from '../store/admin-queries.js';
import { timeConnection, timePage } from './time-pages.js';

/**
 * Dead letters: outbox rows that gave up. Retrying goes through requeueDead, the transition
 * the CLI uses too (back to PENDING with attempts 0, due now).
 */

/** Ids per requeue statement when retrying by filter: bounded parameters, any number of rows. */
const RETRY_CHUNK = 5000;

interface DeadLetterArgs {
  filter?: unknown;
  first?: number | null;
  after?: string | null;
}

function filterOf(raw: unknown): DeadLetterFilterInput {
  return parseInput(deadLetterFilter, raw, 'filter') ?? {};
}

/**
 * Requeues exactly the rows deadLetters(filter) lists: ids are selected with the listing's
 * WHERE (in id order, chunk by chunk) and handed to requeueDead, which re-checks DEAD.
 */
async function retryMatching(ctx: GraphqlContext, filter: DeadLetterFilterInput): Promise<number> {
  let requeued = 0;
  let afterId: string | null = null;
  for (;;) {
    const rows: { id: string }[] = await ctx.db.prisma.writeBack.findMany({
      where: { AND: [...deadLetterWhere(filter), ...(afterId ? [{ id: { gt: afterId } }] : [])] },
      select: { id: true },
      orderBy: { id: 'asc' },
      take: RETRY_CHUNK,
    });
    if (!rows.length) return requeued;
    requeued += (await requeueDead(ctx.db, { ids: rows.map((r) => r.id) })).requeued;
    afterId = rows.at(-1)!.id;
  }
}

export const deadLetterResolvers = {
  Query: {
    async deadLetters(_: unknown, args: DeadLetterArgs, ctx: GraphqlContext) {
      requireScope(ctx, 'admin');
      const page = timePage('deadLetters', args);
      const rows = await listDeadLetters(ctx.db, filterOf(args.filter), page);
      return timeConnection('deadLetters', rows, page.first, (row) => row.createdAt);
    },
  },
  Mutation: {
    async retryDeadLetter(_: unknown, args: { id: string }, ctx: GraphqlContext) {
      requireScope(ctx, 'admin');
      const rowId = parseInput(id, args.id, 'id');
      const row = await ctx.db.prisma.writeBack.findUnique({ where: { id: rowId }, select: { status: true } });
      if (!row) throw notFound(`no write-back with id ${rowId}`);
      if (row.status !== 'DEAD') throw badInput(`write-back ${rowId} is ${row.status}, not DEAD; only dead letters can be retried`, 'id');
      // Another operator (or the CLI) may have requeued it meanwhile: then it is not ours to report.
      const outcome = await requeueDead(ctx.db, { ids: [rowId] });
      if (outcome.requeued + outcome.superseded !== 1) throw badInput(`write-back ${rowId} is no longer DEAD`, 'id');
      return writeBackView(await ctx.db.prisma.writeBack.findUniqueOrThrow({ where: { id: rowId }, ...WRITE_BACK_VIEW }));
    },
    retryDeadLetters(_: unknown, args: { filter?: unknown }, ctx: GraphqlContext): Promise<number> {
      requireScope(ctx, 'admin');
      return retryMatching(ctx, filterOf(args.filter));
    },
  },
  DeadLetter: {
    connection: (row: DeadLetterRow, _: unknown, ctx: GraphqlContext) => ctx.loaders.connectionById.load(row.connectionId),
    fields: (row: DeadLetterRow) => row.fields ?? {},
  },
};
