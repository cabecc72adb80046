import type { IncomingHttpHeaders } from 'node:http';
import { createApiKeyVerifier, type ApiKeyPrincipal } from '../auth/api-keys.js';
import { hasScope, type Scope } from '../auth/scopes.js';
import type { Config } from '../config.js';
import type { Database } from '../db/client.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import type { Scheduler } from '../sync/scheduler.js';
import { forbidden, unauthenticated } from './errors.js';
import { createLoaders, type Loaders } from './loaders.js';

export interface GraphqlDeps {
  db: Database;
  config: Config;
  logger: Logger;
  /** For GraphQL latency by operation name. */
  metrics?: Metrics;
  /** For the admin API's triggerSync; absent where no scheduler runs (tests of reads). */
  scheduler?: Scheduler;
}

/** Everything a resolver may use. Built once per HTTP request, so loaders never share caches. */
export interface GraphqlContext {
  principal: ApiKeyPrincipal;
  loaders: Loaders;
  db: Database;
  config: Config;
  logger: Logger;
  /** One clock reading per request, so every packet of a request agrees on staleness. */
  now: Date;
  /** This process's sync scheduler, when it runs one (triggerSync answers UNAVAILABLE otherwise). */
  scheduler?: Scheduler;
}

export function requireScope(ctx: GraphqlContext, scope: Scope): void {
  if (!hasScope(ctx.principal.scopes, scope)) throw forbidden(scope);
}

function bearerToken(headers: IncomingHttpHeaders): string | null {
  const header = headers.authorization;
  if (!header) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1] ?? null;
}

/**
 * The Apollo context function: authenticates the API key (one statement, or none while the
 * key is remembered; see API_KEY_CACHE_SECONDS) and creates the request's DataLoaders. Throwing here makes Apollo answer with the error's HTTP status (401).
 */
export function createContextFunction(deps: GraphqlDeps) {
  const verify = createApiKeyVerifier(deps.db.pool, deps.config.API_KEY_CACHE_SECONDS * 1000, {
    onRefreshError: (error) => deps.logger.warn({ err: error }, 'API key re-verification failed; the remembered answer expires on time'),
  });
  return async ({ req }: { req: { headers: IncomingHttpHeaders } }): Promise<GraphqlContext> => {
    const token = bearerToken(req.headers);
    if (!token) throw unauthenticated('send an API key as "Authorization: Bearer clk_..."');
    const principal = await verify(token);
    if (!principal) throw unauthenticated('the API key is invalid or revoked');
    return {
      principal,
      loaders: createLoaders(deps.db.pool),
      db: deps.db,
      config: deps.config,
      logger: deps.logger,
      now: new Date(),
      ...(deps.scheduler ? { scheduler: deps.scheduler } : {}),
    };
  };
}
