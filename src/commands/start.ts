import { startServer } from '../main.js';
import type { Command } from './command.js';

export const startCommand: Command = {
  name: 'start',
  summary: 'Start the server (GraphQL, webhooks, health, metrics, scheduler, write-back worker)',
  help: `Usage: context-layer start

Starts the HTTP server on HOST:PORT. Without DATABASE_URL it runs an embedded PostgreSQL
whose data lives in DATA_DIR (default .data/). Migrations are applied first.
Stops gracefully on SIGINT/SIGTERM.

Examples:
  context-layer start
  PORT=8080 DATABASE_URL=postgres://user:pass@db:5432/context_layer context-layer start`,
  async run(_args, ctx) {
    const server = await startServer(ctx.config(), ctx.logger());
    await new Promise<void>((resolve) => {
      const shutdown = () => {
        process.off('SIGINT', shutdown);
        process.off('SIGTERM', shutdown);
        server.stop().then(resolve, (error: unknown) => {
          ctx.logger().error({ err: error }, 'shutdown failed');
          resolve();
        });
      };
      process.on('SIGINT', shutdown);
      process.on('SIGTERM', shutdown);
    });
    return 0;
  },
};
