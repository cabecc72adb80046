import { badInput } from '../errors.js';
import { pageSize, parseInput } from '../inputs.js';
import type { TimePage } from '../store/admin-queries.js';

/**
 * Relay connections over newest-first keyset pages (instant DESC, id DESC). The cursor holds
 * both, tagged with its list and base64url-encoded: opaque to clients, and stable while rows
 * are inserted (new rows sort before the first page and never shift later ones).
 */
export type TimeList = 'syncRuns' | 'deadLetters';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function encodeTimeCursor(list: TimeList, at: Date, id: string): string {
  return Buffer.from(`${list}|${at.toISOString()}|${id}`, 'utf8').toString('base64url');
}

export function decodeTimeCursor(list: TimeList, cursor: string): { at: Date; id: string } {
  const [tag, instant, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const at = new Date(instant ?? '');
  if (tag !== list || !id || !UUID.test(id) || Number.isNaN(at.getTime())) throw badInput(`after is not a cursor of ${list}`, 'after');
  return { at, id };
}

export function timePage(list: TimeList, args: { first?: number | null; after?: string | null }): TimePage {
  return {
    first: parseInput(pageSize, args.first ?? 50, 'first'),
    after: args.after != null ? decodeTimeCursor(list, args.after) : null,
  };
}

/** `rows` holds one row more than the page when another page follows. */
export function timeConnection<R extends { id: string }>(list: TimeList, rows: R[], first: number, instantOf: (row: R) => Date) {
  const nodes = rows.slice(0, first);
  const edges = nodes.map((node) => ({ cursor: encodeTimeCursor(list, instantOf(node), node.id), node }));
  return {
    edges,
    nodes,
    pageInfo: {
      hasNextPage: rows.length > first,
      hasPreviousPage: false,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}
