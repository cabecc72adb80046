// Prisma 7 reads the datasource URL from here. The app never uses this file: it builds its
// own client from config.ts (see src/db/client.ts). It serves users running the Prisma CLI.
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/context_layer' },
});
