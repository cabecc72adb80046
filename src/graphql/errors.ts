import { GraphQLError } from 'graphql';
import type { Scope } from '../auth/scopes.js';

/**
 * The error codes clients can rely on. Anything else that escapes a resolver is masked as
 * INTERNAL_SERVER_ERROR by formatError (see server.ts).
 */
export const PUBLIC_ERROR_CODES = new Set([
  'BAD_USER_INPUT',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'UNAVAILABLE',
]);

/** Bad input; `field` is the path of the offending input, e.g. "input.score". */
export function badInput(message: string, field?: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', ...(field ? { field } : {}) } });
}

export function notFound(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'NOT_FOUND' } });
}

export function forbidden(scope: Scope): GraphQLError {
  return new GraphQLError(`this API key lacks the scope "${scope}"`, {
    // No HTTP status: other root fields of the same request may still succeed.
    extensions: { code: 'FORBIDDEN', scope },
  });
}

/** The operation needs something this process does not run (e.g. the sync scheduler). */
export function unavailable(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'UNAVAILABLE' } });
}

export function unauthenticated(message: string): GraphQLError {
  return new GraphQLError(message, {
    extensions: { code: 'UNAUTHENTICATED', http: { status: 401, headers: new Map([['www-authenticate', 'Bearer']]) } },
  });
}

/**
 * Tells a GraphQLError by its tag rather than instanceof: graphql 16 ships CJS and ESM builds
 * without an exports map, so Apollo and our code can hold two different GraphQLError classes
 * (it happens under vitest).
 */
export function isGraphQLError(error: unknown): error is GraphQLError {
  return Object.prototype.toString.call(error) === '[object GraphQLError]';
}

export function errorCode(error: unknown): string | undefined {
  if (!isGraphQLError(error)) return undefined;
  const code = error.extensions['code'];
  return typeof code === 'string' ? code : undefined;
}
