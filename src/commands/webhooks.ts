import { findConnection } from '../connections/repository.js';
import { requeueFailedEvents } from '../webhooks/inbox.js';
import { intOption, stringOption, UsageError, type Command } from './command.js';

export const webhooksCommand: Command = {
  name: 'webhooks',
  summary: 'List webhook events that could not be applied, and queue them again',
  help: `Usage: context-layer webhooks failed [--connection NAME] [--limit N]
       context-layer webhooks retry [--connection NAME] [--error TEXT]

An event is FAILED after 20 attempts (about 1.8 hours of backoff) or when no connection
matches it. Each shows its reason. Once the cause is gone (a CRM outage, a record fixed in
the CRM), retry: the events go back to the inbox as new. Events that matched no connection
stay FAILED; polling still brings their changes.

Examples:
  context-layer webhooks failed --connection prod-hubspot
  context-layer webhooks retry --connection prod-hubspot --error "HUBSPOT server"`,
  options: {
    connection: { type: 'string' },
    limit: { type: 'string' },
    error: { type: 'string' },
  },
  async run(args, ctx) {
    const action = args.positionals[0];
    if (action !== 'failed' && action !== 'retry') throw new UsageError('expected "failed" or "retry"');
    const runtime = await ctx.openRuntime();
    try {
      const name = stringOption(args, 'connection');
      const connection = name ? await findConnection(runtime.db, name) : null;
      if (name && !connection) throw new UsageError(`no connection named "${name}"`);
      if (action === 'failed') {
        const rows = await runtime.db.prisma.webhookEvent.findMany({
          where: { status: 'FAILED', ...(connection ? { connectionId: connection.id } : {}) },
          orderBy: { receivedAt: 'desc' },
          take: intOption(args, 'limit', 50),
          include: { connection: { select: { name: true } } },
        });
        if (!rows.length) ctx.print('No failed webhook events.');
        for (const r of rows) ctx.print(`${r.id}\t${r.provider}\t${r.connection?.name ?? '(no connection)'}\t${r.attempts} attempt(s)\t${r.error ?? ''}`);
        return 0;
      }
      const count = await requeueFailedEvents(runtime.db, { ...(connection ? { connectionId: connection.id } : {}), ...(stringOption(args, 'error') ? { errorContains: stringOption(args, 'error')! } : {}) });
      ctx.print(`Queued ${count} webhook event(s) again.`);
      return 0;
    } finally {
      await runtime.close();
    }
  },
};
