/**
 * Owners (sales reps): a few dozen per account, so every run lists them all, active then
 * archived (deactivated users still own records; they are stored inactive, not deleted).
 */
import { z } from 'zod';
import type { PullPage, StreamPosition } from '../types.js';
import type { HubspotClient } from './client.js';
import { ownerPageSchema, type HubspotOwner } from './schemas.js';

export const ownersCursorSchema = z.object({ archived: z.boolean(), after: z.string().nullable() });
export type OwnersCursor = z.infer<typeof ownersCursorSchema>;

const START: OwnersCursor = { archived: false, after: null };

async function ownersPage(client: HubspotClient, cursor: OwnersCursor): Promise<{ owners: HubspotOwner[]; nextAfter: string | null }> {
  const page = await client.request({
    method: 'GET',
    path: '/crm/v3/owners',
    query: { limit: '100', after: cursor.after ?? undefined, archived: String(cursor.archived) },
    schema: ownerPageSchema,
    count: (p) => p.results.length,
  });
  return { owners: page.results, nextAfter: page.paging?.next?.after ?? null };
}

export async function* pullOwners(client: HubspotClient, from: StreamPosition): AsyncGenerator<PullPage> {
  // A finished list leaves the START cursor, so the next run reads them all again.
  let cursor = from.cursor !== null && from.cursor !== undefined ? ownersCursorSchema.parse(from.cursor) : START;
  for (;;) {
    const { owners, nextAfter } = await ownersPage(client, cursor);
    const finished = nextAfter === null && cursor.archived;
    cursor = nextAfter !== null ? { ...cursor, after: nextAfter } : { archived: true, after: null };
    const next: StreamPosition = finished ? { phase: 'INCREMENTAL', cursor: START } : { phase: from.phase, cursor };
    yield { records: owners, deletedRemoteIds: [], next };
    if (finished) return;
  }
}

export async function allOwners(client: HubspotClient): Promise<HubspotOwner[]> {
  const owners: HubspotOwner[] = [];
  for await (const page of pullOwners(client, { phase: 'FULL', cursor: null })) owners.push(...(page.records as HubspotOwner[]));
  return owners;
}
