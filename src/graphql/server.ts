import { readFile } from 'node:fs/promises';
import { ApolloServer } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GraphQLFormattedError } from 'graphql';
import type { Logger } from '../log.js';
import { graphqlSchemaPath } from '../paths.js';
import { createContextFunction, type GraphqlContext, type GraphqlDeps } from './context.js';
import { isGraphQLError, PUBLIC_ERROR_CODES } from './errors.js';
import { compiledExecutionPlugin } from './compiled-execution.js';
import { complexityLimitPlugin, depthLimitRule } from './limits.js';
import { graphqlHttpHandler, sendGraphqlError } from './http-handler.js';
import { graphqlMetricsPlugin } from './metrics-plugin.js';
import { resolvers } from './resolvers/index.js';

/** Large enough for 100 scores with 4000-character rationales, small enough to refuse junk. */
export const GRAPHQL_BODY_LIMIT_BYTES = 1024 * 1024;

export interface GraphqlHandler {
  /** Serves /graphql on a plain Node request (see src/http/app.ts for why not through express). */
  handle(req: IncomingMessage, res: ServerResponse): void;
  stop(): Promise<void>;
}

/**
 * Known errors pass through with their code; anything else is logged with its details and
 * answered as INTERNAL_SERVER_ERROR without them, so no SQL or stack reaches a client.
 */
function createFormatError(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    const code = formatted.extensions?.['code'];
    if (isGraphQLError(original) && typeof code === 'string' && PUBLIC_ERROR_CODES.has(code)) {
      const { stacktrace: _stack, ...extensions } = formatted.extensions ?? {};
      // graphql's variable coercion names the field only in its message: 'at "input.score"'.
      const coercedField = /\bat "([^"]+)"/.exec(formatted.message)?.[1];
      if (code === 'BAD_USER_INPUT' && extensions['field'] === undefined && coercedField) extensions['field'] = coercedField;
      return { ...formatted, extensions };
    }
    logger.error({ err: original, path: formatted.path }, 'GraphQL request failed unexpectedly');
    return {
      message: 'Internal server error',
      ...(formatted.path ? { path: formatted.path } : {}),
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    };
  };
}

export async function createGraphqlHandler(deps: GraphqlDeps): Promise<GraphqlHandler> {
  const server = new ApolloServer<GraphqlContext>({
    typeDefs: await readFile(graphqlSchemaPath, 'utf8'),
    resolvers,
    validationRules: [depthLimitRule(deps.config.GRAPHQL_MAX_DEPTH)],
    plugins: [
      ...(deps.metrics ? [graphqlMetricsPlugin(deps.metrics)] : []),
      complexityLimitPlugin(deps.config.GRAPHQL_MAX_COMPLEXITY),
      compiledExecutionPlugin<GraphqlContext>({
        enabled: deps.config.GRAPHQL_COMPILED_EXECUTION === 'on',
        logger: deps.logger,
        onExecuted: (executor) => deps.metrics?.graphqlExecutions.inc({ executor }),
      }),
      ApolloServerPluginLandingPageDisabled(),
      // No type carries cache hints, and the plugin's per-field hook costs on every request
      // (handle sets Cache-Control: no-store itself).
      ApolloServerPluginCacheControlDisabled(),
    ],
    formatError: createFormatError(deps.logger),
    includeStacktraceInErrorResponses: false,
    introspection: true,
  });
  await server.start();
  const { metrics, logger } = deps;
  const serve = graphqlHttpHandler(server, createContextFunction(deps), GRAPHQL_BODY_LIMIT_BYTES);
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    // Answers carry CRM personal data: no shared or browser cache may keep them.
    res.setHeader('cache-control', 'no-store');
    // Counted at the HTTP layer: refused keys and bodies never reach Apollo's plugins.
    if (metrics) res.once('finish', () => metrics.graphqlRequests.inc({ status: String(res.statusCode) }));
    serve(req, res).catch((error: unknown) => {
      // Apollo answers its own failures; this is the HTTP layer failing (a write to a broken socket).
      logger.error({ err: error }, 'GraphQL HTTP request failed');
      if (res.headersSent) res.destroy();
      else sendGraphqlError(res, 500, 'Internal server error', 'INTERNAL_SERVER_ERROR');
    });
  };
  return { handle, stop: () => server.stop() };
}
