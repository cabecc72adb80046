import type { ApolloServerPlugin } from '@apollo/server';
import type { OperationDefinitionNode } from 'graphql';
import type { Metrics } from '../metrics.js';

/**
 * GraphQL latency by operation, into Metrics.graphqlSeconds. Operation names come from
 * clients, so the label is kept bounded: names are cut to 64 characters, and once
 * `maxOperations` distinct names have been seen, further new names count as "other".
 * Requests that never resolve to an operation (unparsable, invalid, unknown operationName)
 * count as "invalid"; operations without a name as "anonymous". The clock starts after the
 * API key check (Apollo builds the context first) and stops when the response is ready.
 */

export const MAX_OPERATION_LABEL = 64;
export const DEFAULT_MAX_OPERATIONS = 500;

export function operationLabeler(maxOperations = DEFAULT_MAX_OPERATIONS) {
  const seen = new Set<string>();
  return (operation: OperationDefinitionNode | undefined): string => {
    if (!operation) return 'invalid';
    const name = operation.name?.value;
    if (!name) return 'anonymous';
    const label = name.slice(0, MAX_OPERATION_LABEL);
    if (seen.has(label)) return label;
    if (seen.size >= maxOperations) return 'other';
    seen.add(label);
    return label;
  };
}

export function graphqlMetricsPlugin(metrics: Metrics, maxOperations = DEFAULT_MAX_OPERATIONS): ApolloServerPlugin {
  const labelOf = operationLabeler(maxOperations);
  return {
    async requestDidStart() {
      const started = process.hrtime.bigint();
      return {
        async willSendResponse({ operation }) {
          const seconds = Number(process.hrtime.bigint() - started) / 1e9;
          metrics.graphqlSeconds.observe({ operation: labelOf(operation) }, seconds);
        },
      };
    },
  };
}
