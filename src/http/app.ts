import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import express, { type RequestHandler, type Router } from 'express';
import type { Database } from '../db/client.js';
import { isMigrated } from '../db/migrate.js';
import type { Logger } from '../log.js';

export interface AppParts {
  db: Database;
  logger: Logger;
  /** Serves /graphql, ahead of express (see createApp). */
  graphql?: (req: IncomingMessage, res: ServerResponse) => void;
  /** Mounted at /webhooks; each router reads its own raw body (signatures cover raw bytes). */
  webhooks?: Router;
  /** Serves GET /metrics. */
  metrics?: RequestHandler;
}

/**
 * /graphql and /graphql/, with any query string, case-insensitive as express's routes are;
 * also in absolute form ("http://host/graphql"), which HTTP/1.1 servers must accept.
 */
const GRAPHQL_PATH = /^(?:[a-z][a-z0-9+.-]*:\/\/[^/?#]*)?\/graphql\/?(?:\?|$)/i;

/**
 * The server's request listener: /graphql goes straight to its plain Node handler, every
 * other route through express.
 *
 * Why not mount /graphql in express: express re-prototypes every request and response
 * (Object.setPrototypeOf onto its own request/response objects), and V8 then promotes them,
 * and what they reach, to the old generation instead of collecting them young (measured with
 * --trace-gc-nvp; the exact V8 cause was not pinned down). Under load that was most of each
 * request's memory (~20 MB/s at 1,700 packets/s), and the
 * Mark-Compacts that followed every few seconds stalled every request in flight: they were
 * most of the p99 (bench/RESULTS.md). The other routes are light and rarely called.
 */
export function createApp(parts: AppParts): RequestListener {
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

  app.use((_req, res) => {
    res.status(404).json({ error: 'not found' });
  });
  const { graphql } = parts;
  if (!graphql) return app;
  return (req, res) => {
    if (GRAPHQL_PATH.test(req.url ?? '')) graphql(req, res);
    else app(req, res);
  };
}
