/**
 * Field writes through sObject Collections: up to 200 records per call, allOrNone false, one
 * SaveResult per record mapped to a WriteResult. UPSERT_CONTACT upserts by the connection's
 * external id field when it has one; otherwise it looks the contact up by email (oldest match
 * wins) and creates it when there is none.
 *
 * A failure of a whole call that concerns the connection (auth, permission, exhausted limit) is
 * thrown, so the caller can pause or flag the connection; any other call failure becomes the
 * result of every op in that call.
 */
import { z } from 'zod';
import { CrmError, type WriteOp, type WriteResult } from '../types.js';
import type { SalesforceClient } from './client.js';
import { kindForCode } from './errors.js';
import { chunk, stringLiteral } from './soql.js';

const COLLECTION_LIMIT = 200;
const EMAILS_PER_QUERY = 100;

const saveResultsSchema = z.array(
  z.looseObject({
    id: z.string().nullable().optional(),
    success: z.boolean(),
    created: z.boolean().optional(),
    errors: z.array(z.looseObject({ statusCode: z.string(), message: z.string(), fields: z.array(z.string()).optional() })).default([]),
  }),
);

type SalesforceRecordBody = Record<string, unknown> & { attributes: { type: string } };

/** sObject Collections' update of records named by Id. */
const UPDATE_BY_ID = '/composite/sobjects';

const CONNECTION_LEVEL = new Set(['auth', 'forbidden', 'limit_exhausted']);

export interface WriteSettings {
  contactExternalIdField: string | null;
}

function failed(op: WriteOp, error: CrmError): WriteResult {
  return { key: op.key, ok: false, error };
}

function invalid(op: WriteOp, message: string): WriteResult {
  return failed(op, new CrmError('SALESFORCE', 'validation', message, { origin: 'us' }));
}

function body(op: WriteOp, extra: Record<string, unknown> = {}): SalesforceRecordBody {
  return { attributes: { type: op.objectType }, ...op.properties, ...extra };
}

/** One collections call per chunk; results line up with the ops by position. */
async function saveInChunks(
  client: SalesforceClient,
  ops: WriteOp[],
  call: (records: SalesforceRecordBody[]) => { method: 'POST' | 'PATCH'; path: string },
  toBody: (op: WriteOp) => SalesforceRecordBody,
): Promise<WriteResult[]> {
  const results: WriteResult[] = [];
  for (const part of chunk(ops, COLLECTION_LIMIT)) {
    const records = part.map(toBody);
    const { method, path } = call(records);
    const updatesById = method === 'PATCH' && path === UPDATE_BY_ID;
    let saved: z.infer<typeof saveResultsSchema>;
    try {
      // Creates are not repeated after an ambiguous failure: that could create the records twice.
      saved = await client.request({ method, path, body: { allOrNone: false, records }, schema: saveResultsSchema, count: (r) => r.length, idempotent: method !== 'POST' });
    } catch (error) {
      if (!(error instanceof CrmError) || CONNECTION_LEVEL.has(error.kind)) throw error;
      results.push(...part.map((op) => failed(op, error)));
      continue;
    }
    part.forEach((op, index) => {
      const item = saved[index];
      if (!item) {
        results.push(failed(op, new CrmError('SALESFORCE', 'protocol', 'Salesforce returned fewer results than records sent', { origin: 'crm' })));
      } else if (item.success && item.id) {
        results.push({ key: op.key, ok: true, remoteId: item.id });
      } else {
        const first = item.errors[0];
        const code = first?.statusCode ?? 'UNKNOWN_EXCEPTION';
        const fields = first?.fields?.length ? ` (${first.fields.join(', ')})` : '';
        const error = new CrmError('SALESFORCE', kindForCode(code), `${first?.message ?? 'the record was not saved'}${fields}`, { crmCode: code, origin: 'crm', status: 200 });
        // Only an update by Id can find its record gone, and only when it sets no lookup: a
        // lookup (AccountId) to a deleted record gets the same codes, often without naming it.
        const gone = error.kind === 'not_found' && !fields && updatesById && !setsLookup(op);
        results.push({ ...failed(op, error), ...(ORG_LEVEL_CODES.has(code) ? {} : { recordFailure: gone ? 'gone' : 'refused' }) });
      }
    });
  }
  return results;
}

/** Codes about the org or the integration user, even when Salesforce reports them per record. */
const ORG_LEVEL_CODES = new Set(['API_DISABLED_FOR_ORG', 'API_CURRENTLY_DISABLED', 'FUNCTIONALITY_NOT_ENABLED']);

/** Lookups are named <Relation>Id (AccountId, OwnerId); Id itself names the record. */
function setsLookup(op: WriteOp): boolean {
  return Object.keys(op.properties).some((name) => name !== 'Id' && name.endsWith('Id'));
}

function updateByType(client: SalesforceClient, ops: WriteOp[], idOf: (op: WriteOp) => string): Promise<WriteResult[]> {
  return saveInChunks(client, ops, () => ({ method: 'PATCH', path: UPDATE_BY_ID }), (op) => body(op, { Id: idOf(op) }));
}

function emailOf(op: WriteOp): string | null {
  const entry = Object.entries(op.properties).find(([name]) => name.toLowerCase() === 'email');
  const value = entry?.[1];
  return typeof value === 'string' && value.includes('@') ? value.trim().toLowerCase() : null;
}

/** Email → the oldest live record with it, per object type. */
async function findByEmail(client: SalesforceClient, objectType: string, emails: string[]): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  for (const part of chunk(emails, EMAILS_PER_QUERY)) {
    const soql = `SELECT Id, Email FROM ${objectType} WHERE Email IN (${part.map(stringLiteral).join(',')}) ORDER BY CreatedDate ASC, Id ASC`;
    for (const row of await client.queryEverything(soql, { all: false })) {
      const email = typeof row.Email === 'string' ? row.Email.toLowerCase() : null;
      if (email && typeof row.Id === 'string' && !found.has(email)) found.set(email, row.Id);
    }
  }
  return found;
}

async function upsertByEmail(client: SalesforceClient, objectType: string, ops: WriteOp[]): Promise<WriteResult[]> {
  const results: WriteResult[] = [];
  const withEmail: { op: WriteOp; email: string }[] = [];
  for (const op of ops) {
    const email = emailOf(op);
    if (email) withEmail.push({ op, email });
    else results.push(invalid(op, 'UPSERT_CONTACT needs an Email property to find the contact'));
  }
  const existing = await findByEmail(client, objectType, [...new Set(withEmail.map((x) => x.email))]);
  const updates: { op: WriteOp; id: string }[] = [];
  const creates: WriteOp[] = [];
  const waiting: { op: WriteOp; email: string }[] = [];
  const creating = new Set<string>();
  for (const { op, email } of withEmail) {
    const id = existing.get(email);
    if (id) updates.push({ op, id });
    else if (creating.has(email)) waiting.push({ op, email }); // same new contact twice: create once, then update
    else {
      creating.add(email);
      creates.push(op);
    }
  }
  const ids = new Map(updates.map((u) => [u.op.key, u.id]));
  results.push(...(await updateByType(client, updates.map((u) => u.op), (op) => ids.get(op.key)!)));
  const created = await saveInChunks(client, creates, () => ({ method: 'POST', path: '/composite/sobjects' }), (op) => body(op));
  results.push(...created);
  const createdIds = new Map<string, string>();
  creates.forEach((op, i) => {
    const r = created[i];
    const email = emailOf(op);
    if (r?.ok && r.remoteId && email) createdIds.set(email, r.remoteId);
  });
  const followUps = waiting.filter((w) => createdIds.has(w.email));
  results.push(...waiting.filter((w) => !createdIds.has(w.email)).map((w) => invalid(w.op, 'the contact this op upserts could not be created (see the other op with this email)')));
  results.push(...(await updateByType(client, followUps.map((w) => w.op), (op) => createdIds.get(emailOf(op)!)!)));
  return results;
}

async function upsertByExternalId(client: SalesforceClient, objectType: string, field: string, ops: WriteOp[]): Promise<WriteResult[]> {
  const ready = ops.filter((op) => op.properties[field] !== undefined && op.properties[field] !== null);
  const results = ops.filter((op) => !ready.includes(op)).map((op) => invalid(op, `UPSERT_CONTACT needs the external id property ${field}`));
  results.push(...(await saveInChunks(client, ready, () => ({ method: 'PATCH', path: `/composite/sobjects/${objectType}/${field}` }), (op) => body(op))));
  return results;
}

function groupBy<T>(items: T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(keyOf(item), [...(groups.get(keyOf(item)) ?? []), item]);
  return groups;
}

/** Results come back in the order of `ops`. */
export async function writeSalesforce(client: SalesforceClient, ops: WriteOp[], settings: WriteSettings): Promise<WriteResult[]> {
  const results: WriteResult[] = [];
  const updates = ops.filter((op) => op.remoteId !== null);
  const upserts = ops.filter((op) => op.remoteId === null && op.operation === 'UPSERT_CONTACT');
  results.push(...ops.filter((op) => op.remoteId === null && op.operation === 'UPDATE').map((op) => invalid(op, 'UPDATE needs a remoteId')));
  for (const group of groupBy(updates, (op) => op.objectType).values()) {
    results.push(...(await updateByType(client, group, (op) => op.remoteId!)));
  }
  for (const [objectType, group] of groupBy(upserts, (op) => op.objectType)) {
    const field = settings.contactExternalIdField;
    results.push(...(await (field ? upsertByExternalId(client, objectType, field, group) : upsertByEmail(client, objectType, group))));
  }
  const byKey = new Map(results.map((r) => [r.key, r]));
  return ops.map((op) => byKey.get(op.key) ?? invalid(op, 'no result'));
}
