import { createConnectorCache } from '../connections/connectors.js';
import { findConnection } from '../connections/repository.js';
import { syncConnection } from '../sync/connection-sync.js';
import { createProgress } from './progress.js';
import { stringOption, UsageError, type Command } from './command.js';

export const syncCommand: Command = {
  name: 'sync',
  summary: 'Sync one connection now (all objects, or one), with progress',
  help: `Usage: context-layer sync <connection> [--full] [--object NAME]

Runs the connection's streams in order (owners, companies, contacts, deals, activities).
Each page's records and the cursor commit together, so an interrupted sync resumes where it
stopped. Without --full, a stream that finished its first full pass syncs incrementally.

Options:
  --full          start over with a full pass (re-reads everything; unchanged rows are not rewritten)
  --object NAME   only this CRM object (e.g. contacts, companies, Lead, Opportunity)

Examples:
  context-layer sync prod-hubspot
  context-layer sync prod-hubspot --object contacts --full`,
  options: { full: { type: 'boolean' }, object: { type: 'string' } },
  async run(args, ctx) {
    const name = args.positionals[0];
    if (!name) throw new UsageError('which connection? context-layer sync <connection>');
    const runtime = await ctx.openRuntime();
    const connectors = createConnectorCache({ db: runtime.db, secrets: runtime.secrets, logger: ctx.logger() });
    try {
      const connection = await findConnection(runtime.db, name);
      if (!connection) throw new UsageError(`no connection named "${name}" (see: context-layer connections list)`);
      const connector = await connectors.get(connection.id);
      const progress = createProgress(`sync ${connection.name}`, ctx.print);
      const object = stringOption(args, 'object');
      const seenPerStream = new Map<string, number>();
      const outcomes = await syncConnection({ db: runtime.db, logger: ctx.logger() }, connection.id, connector, {
        full: Boolean(args.values.full),
        streams: object ? [object] : undefined,
        onProgress: (p) => {
          seenPerStream.set(p.stream, p.recordsSeen);
          const total = [...seenPerStream.values()].reduce((a, b) => a + b, 0);
          progress.update(total, { object: p.stream, pages: p.pages, written: p.recordsWritten, '429s': p.rateLimited, 'waited s': Math.round(p.waitedMs / 1000) });
        },
      }).catch((error: unknown) => {
        if (error instanceof Error && /unknown object/.test(error.message)) throw new UsageError(error.message);
        throw error;
      });
      progress.stop();
      for (const o of outcomes) {
        const p = o.progress;
        ctx.print(`${o.stream.padEnd(12)} ${o.status.padEnd(9)} ${p.recordsSeen} seen, ${p.recordsWritten} written, ${p.recordsDeleted} deleted, ${p.pages} pages${o.error ? ` — ${o.error}` : ''}`);
      }
      return outcomes.some((o) => o.status === 'FAILED') ? 1 : 0;
    } finally {
      await connectors.closeAll();
      await runtime.close();
    }
  },
};
