/**
 * Associations for records that arrived without them. Search and batch read return none,
 * so those records get theirs from the v4 batch endpoint, rewritten into the v3 payload the
 * list endpoint returns, so the normalizer reads a single shape.
 */
import type { HubspotClient } from './client.js';
import { v4AssociationBatchSchema, type HubspotObject, type V3AssociationSet } from './schemas.js';
import { ASSOCIATIONS_READ, PRIMARY_TYPE_IDS, SINGULAR, type ObjectStream } from './streams.js';

/** HubSpot reads up to 1,000 ids per v4 batch call. */
const V4_BATCH = 1000;

type Links = Map<string, V3AssociationSet['results']>;

/** Every association of `ids` to `toType`, as v3 rows ("contact_to_company" for the primary one). */
export async function readAssociationRows(client: HubspotClient, fromType: ObjectStream, toType: ObjectStream, ids: readonly string[]): Promise<Links> {
  const links: Links = new Map();
  const primaryTypeId = PRIMARY_TYPE_IDS[`${fromType}→${toType}`];
  const base = `${SINGULAR[fromType]}_to_${SINGULAR[toType]}`;
  let pending: { id: string; after?: string }[] = ids.map((id) => ({ id }));
  while (pending.length > 0) {
    const next: { id: string; after: string }[] = [];
    for (let i = 0; i < pending.length; i += V4_BATCH) {
      const inputs = pending.slice(i, i + V4_BATCH);
      // Ids without any association come back as 207 errors: "no associations", not failures.
      const page = await client.request({
        method: 'POST',
        path: `/crm/v4/associations/${fromType}/${toType}/batch/read`,
        body: { inputs },
        schema: v4AssociationBatchSchema,
        count: (p) => p.results.length,
      });
      for (const result of page.results) {
        const rows = links.get(result.from.id) ?? [];
        for (const target of result.to) {
          for (const type of target.associationTypes) {
            const name = primaryTypeId === undefined ? base : type.typeId === primaryTypeId ? base : `${base}_unlabeled`;
            rows.push({ id: target.toObjectId, type: name });
          }
        }
        links.set(result.from.id, rows);
        if (result.paging?.next?.after) next.push({ id: result.from.id, after: result.paging.next.after });
      }
    }
    pending = next;
  }
  return links;
}

/**
 * Gives every record a complete `associations` entry for each kind its stream reads.
 * `fromList`: the records came from a list call that asked for associations, where a missing
 * key means "none" and only paged (truncated) sets need the v4 read; otherwise all are read.
 */
export async function completeAssociations(client: HubspotClient, stream: ObjectStream, records: HubspotObject[], fromList: boolean): Promise<void> {
  for (const toType of ASSOCIATIONS_READ[stream]) {
    const toFetch = records.filter((r) => !fromList || r.associations?.[toType]?.paging !== undefined);
    const links = toFetch.length > 0 ? await readAssociationRows(client, stream, toType, toFetch.map((r) => r.id)) : new Map<string, V3AssociationSet['results']>();
    const fetched = new Set(toFetch);
    for (const record of records) {
      const rows = fetched.has(record) ? (links.get(record.id) ?? []) : (record.associations?.[toType]?.results ?? []);
      record.associations = { ...record.associations, [toType]: { results: rows } };
    }
  }
}
