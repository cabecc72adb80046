import { HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import type { DocumentNode, GraphQLSchema } from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';

/** Which executor answered a GraphQL operation. */
export type Executor = 'compiled' | 'graphql-js';

/**
 * Executes queries with graphql-jit instead of graphql-js. A context packet selects about 200
 * fields, and graphql-js walks its generic machinery for each of them on every request (with
 * the garbage that leaves); graphql-jit compiles each document once into plain JavaScript.
 *
 * Only successful queries are answered here, through Apollo's responseForOperation hook, which
 * runs after validation, the complexity limit and every other check. Mutations, documents
 * graphql-jit cannot compile, and any query whose result carries an error go on to Apollo's
 * own execution, so every error is formatted, coded and counted in one place. A failed query
 * therefore runs twice: reads have no side effects, and the request's DataLoaders already
 * hold what the first run read.
 */
export function compiledExecutionPlugin<TContext extends object>(options: {
  /** Off: every operation goes to graphql-js (GRAPHQL_COMPILED_EXECUTION=off). */
  enabled: boolean;
  onExecuted?: (executor: Executor) => void;
}): ApolloServerPlugin<TContext> {
  const { enabled, onExecuted } = options;
  // Apollo keeps one DocumentNode per query text in its document cache, so compiled queries
  // are kept per document identity and go when Apollo forgets the document.
  const compiled = new WeakMap<DocumentNode, Map<string, CompiledQuery | null>>();
  const compiledFor = (schema: GraphQLSchema, document: DocumentNode, operationName: string | undefined) => {
    let byOperation = compiled.get(document);
    if (!byOperation) compiled.set(document, (byOperation = new Map()));
    const key = operationName ?? '';
    let query = byOperation.get(key);
    if (query === undefined) {
      // No stack capture: results with errors are never sent from here (graphql-js reruns them).
      const result = compileQuery(schema, document, operationName, { disablingCapturingStackErrors: true });
      byOperation.set(key, (query = isCompiledQuery(result) ? result : null));
    }
    return query;
  };
  return {
    async requestDidStart() {
      return {
        async responseForOperation({ schema, document, operation, request, contextValue }) {
          const query = enabled && operation.operation === 'query' ? compiledFor(schema, document, request.operationName ?? undefined) : null;
          const result = query ? await query.query(undefined, contextValue, request.variables ?? {}) : null;
          if (!result || result.errors?.length || result.data === undefined) {
            onExecuted?.('graphql-js');
            return null;
          }
          onExecuted?.('compiled');
          return { http: { status: undefined, headers: new HeaderMap() }, body: { kind: 'single', singleResult: { data: result.data } } };
        },
      };
    },
  };
}
