import { HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import { BREAK, Kind, parse, print, visit, type ASTNode, type DocumentNode, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';
import type { Logger } from '../log.js';

/** Which executor answered a GraphQL operation. */
export type Executor = 'compiled' | 'graphql-js';

/** Compiled operations kept per process, least recently used forgotten first (~200 KB each). */
const MAX_COMPILED = 300;

/**
 * Executes queries with graphql-jit instead of graphql-js. A context packet selects about 200
 * fields, and graphql-js walks its generic machinery for each of them on every request (with
 * the garbage that leaves); graphql-jit compiles an operation once into plain JavaScript.
 *
 * Only successful queries are answered here, through Apollo's responseForOperation hook, which
 * runs after validation, the complexity limit and every other check. Everything else goes on
 * to Apollo's own execution, so errors are formatted, coded and counted in one place:
 * - mutations, and requests Apollo could not resolve to one operation;
 * - an operation's first use (compiling costs 3-9 ms, running a packet 0.3 ms: queries
 *   with their ids in the text instead of variables would pay it on every request);
 * - operations whose results graphql-jit 0.8 computes differently (variables inside object or
 *   list literals: an omitted one becomes null instead of absent);
 * - any query whose compiled run fails or reports an error. Such a query runs twice; the
 *   second run re-reads the store (the packet loader's cache helps only the first packets).
 * A failure inside a resolver's promise chain that graphql-jit does not catch can leave the
 * compiled run pending; resolvers here return plain objects, and the equivalence test covers
 * every query root. Apollo usage reporting (APOLLO_KEY) would see no field traces of compiled
 * queries; this project does not use it.
 */
export function compiledExecutionPlugin<TContext extends object>(options: {
  /** Off: every operation goes to graphql-js (GRAPHQL_COMPILED_EXECUTION=off). */
  enabled: boolean;
  logger: Logger;
  onExecuted?: (executor: Executor) => void;
}): ApolloServerPlugin<TContext> {
  const { enabled, logger, onExecuted } = options;
  // Apollo keeps one DocumentNode per query text in its document cache, and resolves the same
  // OperationDefinitionNode from it on every request: operations are known by identity.
  const seen = new WeakSet<OperationDefinitionNode>();
  const refused = new WeakSet<OperationDefinitionNode>();
  const compiled = new Map<OperationDefinitionNode, CompiledQuery>();

  const compiledFor = (schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode): CompiledQuery | null => {
    const hit = compiled.get(operation);
    if (hit) {
      compiled.delete(operation);
      compiled.set(operation, hit);
      return hit;
    }
    if (refused.has(operation)) return null;
    if (!seen.has(operation)) {
      seen.add(operation);
      return null;
    }
    // graphql-jit writes its @include/@skip bookkeeping onto the AST it compiles: it gets a
    // private copy, never Apollo's shared document.
    const result = hasVariableInLiteral(document)
      ? null
      : compileQuery(schema, parse(print(document), { noLocation: true }), operation.name?.value, {
          disablingCapturingStackErrors: true,
          useExperimentalPathBasedSkipInclude: true,
        });
    if (!result || !isCompiledQuery(result)) {
      refused.add(operation);
      return null;
    }
    if (compiled.size >= MAX_COMPILED) compiled.delete(compiled.keys().next().value!);
    compiled.set(operation, result);
    return result;
  };

  const answer = async (schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode, variables: Record<string, unknown>, contextValue: TContext) => {
    try {
      const query = compiledFor(schema, document, operation);
      const result = query ? await query.query(undefined, contextValue, variables) : null;
      return result && !result.errors?.length && result.data !== undefined ? result.data : null;
    } catch (error) {
      // Not tried again: graphql-js answers this operation from now on.
      compiled.delete(operation);
      refused.add(operation);
      logger.warn({ err: error, operation: operation.name?.value }, 'compiled execution failed; graphql-js answers this operation from now on');
      return null;
    }
  };

  return {
    async requestDidStart() {
      return {
        async responseForOperation({ schema, document, operation, request, contextValue }) {
          // Apollo calls this hook even when it could not pick an operation; it answers 400 itself.
          if (!operation) return null;
          const data = enabled && operation.operation === 'query' ? await answer(schema, document, operation, request.variables ?? {}, contextValue) : null;
          if (!data) {
            onExecuted?.('graphql-js');
            return null;
          }
          onExecuted?.('compiled');
          return { http: { status: undefined, headers: new HeaderMap() }, body: { kind: 'single', singleResult: { data } } };
        },
      };
    },
  };
}

/** Whether any argument in the document holds a variable inside an object or list literal. */
function hasVariableInLiteral(document: DocumentNode): boolean {
  let found = false;
  const inLiteral = (node: ASTNode) =>
    visit(node, {
      Variable() {
        found = true;
        return BREAK;
      },
    });
  visit(document, {
    Argument(argument) {
      if (argument.value.kind === Kind.OBJECT || argument.value.kind === Kind.LIST) inLiteral(argument.value);
      return found ? BREAK : undefined;
    },
  });
  return found;
}
