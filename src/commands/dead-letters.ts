import { findConnection } from '../connections/repository.js';
import { requeueDead } from '../writeback/outbox.js';
import { intOption, stringOption, UsageError, type Command } from './command.js';

export const deadLettersCommand: Command = {
  name: 'dead-letters',
  summary: 'List write-backs that could not be delivered, and queue them again',
  help: `Usage: context-layer dead-letters list [--connection NAME] [--limit N]
       context-layer dead-letters retry (--id ID ... | --all) [--connection NAME] [--error TEXT]

A dead letter is a write-back the CRM refused for good (validation, deleted record, missing
field) or that failed 3 times. Each shows its reason. Fix the cause (e.g. run
'context-layer fields ensure'), then retry: the rows go back to the queue as new.

Examples:
  context-layer dead-letters list --connection prod-hubspot
  context-layer dead-letters retry --all --error "do not exist"
  context-layer dead-letters retry --id 0192c7e4-...`,
  options: {
    connection: { type: 'string' },
    limit: { type: 'string' },
    id: { type: 'string', multiple: true },
    all: { type: 'boolean' },
    error: { type: 'string' },
  },
  async run(args, ctx) {
    const action = args.positionals[0];
    if (action !== 'list' && action !== 'retry') throw new UsageError('expected "list" or "retry"');
    const ids = (args.values.id as string[] | undefined) ?? [];
    if (action === 'retry' && !ids.length && !args.values.all) throw new UsageError('retry needs --id ID (repeatable) or --all');
    const badId = ids.find((id) => !/^[0-9a-f-]{36}$/i.test(id));
    if (badId) throw new UsageError(`--id expects a dead letter's id (a UUID), got "${badId}"`);
    const runtime = await ctx.openRuntime();
    try {
      const name = stringOption(args, 'connection');
      const connection = name ? await findConnection(runtime.db, name) : null;
      if (name && !connection) throw new UsageError(`no connection named "${name}"`);
      if (action === 'list') {
        const rows = await runtime.db.prisma.writeBack.findMany({
          where: { status: 'DEAD', ...(connection ? { connectionId: connection.id } : {}) },
          orderBy: { updatedAt: 'desc' },
          take: intOption(args, 'limit', 50),
          include: { connection: { select: { name: true } } },
        });
        if (!rows.length) ctx.print('No dead letters.');
        for (const r of rows) ctx.print(`${r.id}\t${r.connection.name}\t${r.objectType}/${r.remoteId ?? '(new)'}\t${r.attempts} attempt(s)\t${r.lastError ?? ''}`);
        return 0;
      }
      const { requeued, superseded } = await requeueDead(runtime.db, { ids: ids.length ? ids : undefined, connectionId: connection?.id, errorContains: stringOption(args, 'error') });
      ctx.print(`Queued ${requeued} dead letter(s) again.`);
      if (superseded) ctx.print(`${superseded} were superseded by newer writes already delivered to the same records: settled without sending.`);
      return 0;
    } finally {
      await runtime.close();
    }
  },
};
