import { createConnectorCache } from '../connections/connectors.js';
import { createWriteBackWorker } from '../writeback/worker.js';
import type { Command } from './command.js';

export const workerCommand: Command = {
  name: 'worker',
  summary: 'Run the write-back worker alone (the server runs one too)',
  help: `Usage: context-layer worker [--once]

Drains the write-back outbox to the CRMs: claims due rows with FOR UPDATE SKIP LOCKED (safe
beside any number of other workers and servers), collapses writes to one record, batches per
connection, retries with backoff and dead-letters what cannot be delivered.

Options:
  --once   drain what is due now, print the counts and exit

Examples:
  context-layer worker
  context-layer worker --once`,
  options: { once: { type: 'boolean' } },
  async run(args, ctx) {
    const runtime = await ctx.openRuntime();
    const connectors = createConnectorCache({ db: runtime.db, secrets: runtime.secrets, logger: ctx.logger() });
    const worker = createWriteBackWorker({ db: runtime.db, logger: ctx.logger(), connectorFor: (id) => connectors.get(id) });
    try {
      if (args.values.once) {
        const result = await worker.drainAll();
        ctx.print(`claimed ${result.claimed}, done ${result.done}, retried ${result.retried}, dead ${result.dead}, waiting ${result.waiting}`);
        return 0;
      }
      worker.start();
      ctx.logger().info('write-back worker running; Ctrl-C stops it');
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await worker.stop();
      return 0;
    } finally {
      await connectors.closeAll();
      await runtime.close();
    }
  },
};
