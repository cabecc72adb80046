/**
 * Opportunity contact roles are how Salesforce links deals to contacts. They are their own
 * object, so a page of Opportunities is followed by one role query per 200 opportunities (not one
 * per record), and the roles are attached to the raw records before the page is yielded.
 *
 * Roles can change without their Opportunity changing (SystemModstamp of the Opportunity stays),
 * so the OpportunityContactRole stream follows the roles' own SystemModstamp and re-reads the
 * affected Opportunities, with their current roles, as DEAL records.
 */
import type { RawRecord } from '../types.js';
import type { SalesforceClient } from './client.js';
import { CONTACT_ROLES_KEY } from './normalize.js';
import { chunk, idList, IDS_PER_QUERY, isSalesforceId } from './soql.js';

const ROLE_FIELDS = ['Id', 'OpportunityId', 'ContactId', 'Role', 'IsPrimary'];

/** Attaches each opportunity's live contact roles, shaped like a SOQL sub-query result. */
export async function attachContactRoles(client: SalesforceClient, opportunities: RawRecord[]): Promise<RawRecord[]> {
  const ids = [...new Set(opportunities.map((o) => o.Id).filter(isSalesforceId))];
  const roles = new Map<string, RawRecord[]>();
  const parts = await Promise.all(
    chunk(ids, IDS_PER_QUERY).map((part) =>
      client.queryEverything(`SELECT ${ROLE_FIELDS.join(', ')} FROM OpportunityContactRole WHERE OpportunityId IN (${idList(part)}) ORDER BY Id ASC`, { all: false }),
    ),
  );
  for (const role of parts.flat()) {
    const opportunityId = typeof role.OpportunityId === 'string' ? role.OpportunityId : null;
    if (opportunityId) roles.set(opportunityId, [...(roles.get(opportunityId) ?? []), role]);
  }
  return opportunities.map((o) => {
    const own = typeof o.Id === 'string' ? (roles.get(o.Id) ?? []) : [];
    return { ...o, [CONTACT_ROLES_KEY]: { totalSize: own.length, done: true, records: own } };
  });
}

/** Reads records by id with queryAll (deleted ones come back deleted), in IN-list chunks. */
export async function readByIds(client: SalesforceClient, object: string, select: string[], ids: string[]): Promise<RawRecord[]> {
  const valid = [...new Set(ids.filter(isSalesforceId))];
  const parts = await Promise.all(
    chunk(valid, IDS_PER_QUERY).map((part) => client.queryEverything(`SELECT ${select.join(', ')} FROM ${object} WHERE Id IN (${idList(part)})`, { all: true })),
  );
  return parts.flat();
}

/** The Opportunities these role rows belong to, re-read with all their current roles. */
export async function opportunitiesOfRoles(client: SalesforceClient, roles: RawRecord[], opportunitySelect: string[]): Promise<RawRecord[]> {
  const ids = roles.map((r) => r.OpportunityId).filter(isSalesforceId);
  if (!ids.length) return [];
  return attachContactRoles(client, await readByIds(client, 'Opportunity', opportunitySelect, ids));
}
