import type { ApolloServerPlugin } from '@apollo/server';
import {
  GraphQLError,
  Kind,
  type ASTVisitor,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
} from 'graphql';
import { getComplexity, type ComplexityEstimator } from 'graphql-query-complexity';
import { isGraphQLError } from './errors.js';

/**
 * Query cost limits: a depth limit as a validation rule, and a complexity limit checked once
 * the operation and its variables are known. Both answer GRAPHQL_VALIDATION_FAILED (HTTP 400).
 */

function selectionDepth(
  set: SelectionSetNode | undefined,
  fragments: (name: string) => FragmentDefinitionNode | null | undefined,
  visiting: Set<string>,
): number {
  if (!set) return 0;
  let deepest = 0;
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD) {
      // Introspection is exempt: tools nest __type/ofType deeper than any real query.
      if (selection.name.value.startsWith('__')) continue;
      deepest = Math.max(deepest, 1 + selectionDepth(selection.selectionSet, fragments, visiting));
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      deepest = Math.max(deepest, selectionDepth(selection.selectionSet, fragments, visiting));
    } else {
      const name = selection.name.value;
      const fragment = fragments(name);
      // A fragment cycle is reported by graphql's own NoFragmentCycles rule.
      if (!fragment || visiting.has(name)) continue;
      visiting.add(name);
      deepest = Math.max(deepest, selectionDepth(fragment.selectionSet, fragments, visiting));
      visiting.delete(name);
    }
  }
  return deepest;
}

export function depthLimitRule(maxDepth: number) {
  return (context: ValidationContext): ASTVisitor => ({
    OperationDefinition(operation) {
      const depth = selectionDepth(operation.selectionSet, (name) => context.getFragment(name), new Set());
      if (depth > maxDepth) {
        context.reportError(
          new GraphQLError(`the query is ${depth} levels deep; the limit is ${maxDepth}`, { nodes: [operation] }),
        );
      }
    },
  });
}

/** What one context packet costs beyond its selected fields: about ten store reads. */
export const PACKET_COST = 10;
const WRITE_COST = 10;

/**
 * Scalars and enums can serialize; objects cannot. Duck-typed on purpose: graphql's isLeafType
 * throws when the schema was built by another copy of graphql (its CJS and ESM builds).
 */
function isLeaf(type: unknown): boolean {
  let named = type as { ofType?: unknown; serialize?: unknown };
  while (named.ofType) named = named.ofType as typeof named;
  return typeof named.serialize === 'function';
}

function listLength(value: unknown): number {
  return Array.isArray(value) ? value.length : 1;
}

/**
 * Scalars are free, objects cost 1, lists multiply their children by their page size, and
 * packets and writes carry their own weight times the number asked for.
 */
export const estimateComplexity: ComplexityEstimator = ({ field, args, childComplexity }) => {
  switch (field.name) {
    case 'contextPacket':
      return PACKET_COST + childComplexity;
    case 'contextPackets':
      return listLength(args['contactIds']) * (PACKET_COST + childComplexity);
    case 'writeBackScore':
    case 'upsertContact':
      return WRITE_COST + childComplexity;
    case 'writeBackScores':
      return listLength(args['inputs']) * (WRITE_COST + childComplexity);
  }
  const own = isLeaf(field.type) ? 0 : 1;
  const first = args['first'];
  return typeof first === 'number' && first > 0 ? own + first * childComplexity : own + childComplexity;
};

/**
 * What a complexity can depend on: the operation and its declared variables' numbers, booleans,
 * nulls and list lengths (page sizes, @include/@skip, how many ids or inputs). Strings are
 * blanked out: ids, emails and free text never change a query's cost. Undeclared variables are
 * ignored, as graphql ignores them.
 */
function variablesShape(operation: OperationDefinitionNode, variables: Record<string, unknown> | undefined): string {
  const declared = Object.fromEntries((operation.variableDefinitions ?? []).map((d) => [d.variable.name.value, variables?.[d.variable.name.value]]));
  return `${operation.name?.value ?? ''}|${JSON.stringify(declared, (_key, value: unknown) => (typeof value === 'string' ? '' : value))}`;
}

/** Prices remembered per process, oldest forgotten first; shapes longer than this are not kept. */
const MAX_REMEMBERED_PRICES = 1000;
const MAX_SHAPE_LENGTH = 1024;

export function complexityLimitPlugin(maxComplexity: number): ApolloServerPlugin {
  // Walking the document with type info costs about as much as executing a context packet, and
  // agents send the same few queries with different ids: remember each document's cost by shape.
  // Apollo reuses one DocumentNode per query text, so documents are told apart by identity.
  const documentIds = new WeakMap<DocumentNode, number>();
  let nextDocumentId = 0;
  const prices = new Map<string, number>();
  const complexityOf = (document: DocumentNode, operation: OperationDefinitionNode, schema: GraphQLSchema, variables: Record<string, unknown> | undefined) => {
    const shape = variablesShape(operation, variables);
    let documentId = documentIds.get(document);
    if (documentId === undefined) documentIds.set(document, (documentId = nextDocumentId++));
    const key = `${documentId}|${shape}`;
    const cached = prices.get(key);
    if (cached !== undefined) return cached;
    const complexity = getComplexity({
      schema,
      query: document,
      variables: variables ?? {},
      operationName: operation.name?.value,
      estimators: [estimateComplexity],
    });
    if (shape.length <= MAX_SHAPE_LENGTH) {
      if (prices.size >= MAX_REMEMBERED_PRICES) prices.delete(prices.keys().next().value!);
      prices.set(key, complexity);
    }
    return complexity;
  };
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document, operation, schema }) {
          if (!operation) return; // Apollo resolves one before this hook; graphql reports any problem
          let complexity: number;
          try {
            complexity = complexityOf(document, operation, schema, request.variables);
          } catch (error) {
            // Bad variables: execution reports them properly as BAD_USER_INPUT. Anything else is a bug.
            if (isGraphQLError(error)) return;
            throw error;
          }
          if (complexity > maxComplexity) {
            throw new GraphQLError(`the query's complexity is ${complexity}; the limit is ${maxComplexity}`, {
              extensions: { code: 'GRAPHQL_VALIDATION_FAILED', complexity, maxComplexity, http: { status: 400 } },
            });
          }
        },
      };
    },
  };
}
