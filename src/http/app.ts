import express, { type Express, type RequestHandler, type Router } from 'express';
import type { Database } from '../db/client.js';
import { isMigrated } from '../db/migrate.js';
import type { Logger } from '../log.js';

export interface AppParts {
  db: Database;
  logger: Logger;
  /** Mounted at /graphql. */
  graphql?: RequestHandler | Router;
  /** Mounted at /webhooks; each router reads its own raw body (signatures cover raw bytes). */
  webhooks?: Router;
  /** Serves GET /metrics. */
  metrics?: RequestHandler;
}

export function createApp(parts: AppParts): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  // Every answer here is computed per request and not cacheable (GraphQL answers are sent
  // no-store): hashing each body for an ETag nobody revalidates against only costs.
  app.set('etag', false);

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  app.get('/readyz', async (_req, res) => {
    try {
      await parts.db.pool.query('SELECT 1');
      if (!(await isMigrated(parts.db.pool))) {
        res.status(503).json({ status: 'not ready', reason: 'database migrations are not applied' });
        return;
      }
      res.json({ status: 'ready' });
    } catch (error) {
      parts.logger.warn({ err: error }, 'readiness check failed');
      res.status(503).json({ status: 'not ready', reason: 'database unreachable' });
    }
  });

  if (parts.metrics) app.get('/metrics', parts.metrics);
  if (parts.webhooks) app.use('/webhooks', parts.webhooks);
  if (parts.graphql) app.use('/graphql', parts.graphql);

  app.use((_req, res) => {
    res.status(404).json({ error: 'not found' });
  });
  return app;
}
