import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApiKey } from '../../src/auth/api-keys.js';
import type { Scope } from '../../src/auth/scopes.js';
import { loadConfig, type Config } from '../../src/config.js';
import type { Database } from '../../src/db/client.js';
import type { GraphqlDeps } from '../../src/graphql/context.js';
import { createGraphqlHandler } from '../../src/graphql/server.js';
import { createApp } from '../../src/http/app.js';
import { createLogger } from '../../src/log.js';

export interface GraphqlResponse<T = Record<string, unknown>> {
  status: number;
  data?: T | null;
  errors?: Array<{ message: string; path?: Array<string | number>; extensions?: Record<string, unknown> }>;
}

export interface GraphqlTestServer {
  url: string;
  config: Config;
  /** POSTs a GraphQL request with the given key (none when null). */
  request<T = Record<string, unknown>>(key: string | null, query: string, variables?: Record<string, unknown>, operationName?: string): Promise<GraphqlResponse<T>>;
  /** A fresh API key with these scopes. */
  key(...scopes: Scope[]): Promise<string>;
  close(): Promise<void>;
}

/** What main.ts passes besides db, config and logger: metrics and the sync scheduler. */
export type OptionalGraphqlDeps = Pick<GraphqlDeps, 'metrics' | 'scheduler'>;

/** The real app (createApp + the GraphQL handler) on 127.0.0.1 and a free port. */
export async function startGraphqlServer(db: Database, env: Record<string, string> = {}, extra: OptionalGraphqlDeps = {}): Promise<GraphqlTestServer> {
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', ...env });
  const logger = createLogger({ level: config.LOG_LEVEL });
  const graphql = await createGraphqlHandler({ db, config, logger, ...extra });
  const server: Server = createServer(createApp({ db, logger, graphql: graphql.handle }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  return {
    url,
    config,
    async request<T>(key: string | null, query: string, variables?: Record<string, unknown>, operationName?: string) {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
        body: JSON.stringify({ query, variables, operationName }),
      });
      const body = (await response.json()) as Omit<GraphqlResponse<T>, 'status'>;
      return { status: response.status, ...body };
    },
    async key(...scopes: Scope[]) {
      return (await createApiKey(db.prisma, { name: `test-${scopes.join('+')}`, scopes })).key;
    },
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await graphql.stop();
    },
  };
}
