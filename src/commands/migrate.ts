import { locateDatabase } from '../db/location.js';
import { migrate } from '../db/migrate.js';
import type { Command } from './command.js';

export const migrateCommand: Command = {
  name: 'migrate',
  summary: 'Apply pending database migrations and exit',
  help: `Usage: context-layer migrate

Applies prisma/migrations in order, each in a transaction, under Prisma Migrate's advisory
lock, recording them in _prisma_migrations exactly as 'prisma migrate deploy' does. Refuses
to run when an applied migration file changed or the database is ahead of the code.

Examples:
  context-layer migrate
  DATABASE_URL=postgres://user:pass@db:5432/context_layer context-layer migrate`,
  async run(_args, ctx) {
    const location = await locateDatabase(ctx.config(), ctx.logger());
    try {
      const result = await migrate(location.url);
      ctx.print(
        result.applied.length
          ? `Applied ${result.applied.length} migration(s): ${result.applied.join(', ')}`
          : `Database is up to date (${result.alreadyApplied} migration(s) applied).`,
      );
      return 0;
    } finally {
      await location.embedded?.stop();
    }
  },
};
