/**
 * The SOQL our streams send. Select lists are built from describe, so an org without a field
 * (no multi-currency → no CurrencyIsoCode; no Lead conversion fields in a trimmed org) still
 * syncs, and every custom field (__c) is read without configuration.
 */
import type { ObjectShape } from './describe.js';

/** Standard fields each object's normalizer reads, selected when the org has them. */
const STANDARD_FIELDS: Record<string, string[]> = {
  User: ['Username', 'Email', 'FirstName', 'LastName', 'Title', 'IsActive'],
  Account: ['Name', 'Website', 'Industry', 'Type', 'NumberOfEmployees', 'AnnualRevenue', 'Phone', 'BillingCity', 'BillingCountry', 'OwnerId', 'MasterRecordId'],
  Lead: [
    'FirstName', 'LastName', 'Email', 'Title', 'Phone', 'MobilePhone', 'Company', 'Status', 'LeadSource', 'Industry', 'OwnerId',
    'IsConverted', 'ConvertedContactId', 'ConvertedAccountId', 'ConvertedDate', 'MasterRecordId',
  ],
  Contact: [
    'AccountId', 'FirstName', 'LastName', 'Email', 'Title', 'Phone', 'MobilePhone', 'Department', 'LeadSource', 'MailingCity',
    'MailingCountry', 'OwnerId', 'MasterRecordId',
  ],
  Opportunity: ['Name', 'AccountId', 'StageName', 'Amount', 'Probability', 'CloseDate', 'IsClosed', 'IsWon', 'LeadSource', 'Type', 'OwnerId'],
  OpportunityContactRole: ['OpportunityId', 'ContactId', 'Role', 'IsPrimary'],
  Task: ['Subject', 'Description', 'ActivityDate', 'CompletedDateTime', 'WhoId', 'WhatId', 'Status', 'Priority', 'TaskSubtype', 'IsClosed', 'OwnerId'],
  Event: ['Subject', 'Description', 'StartDateTime', 'EndDateTime', 'ActivityDateTime', 'DurationInMinutes', 'Location', 'WhoId', 'WhatId', 'OwnerId'],
};

/** Always read: identity, change tracking and tombstones. */
const SYSTEM_FIELDS = ['Id', 'IsDeleted', 'CreatedDate', 'LastModifiedDate', 'SystemModstamp', 'CurrencyIsoCode'];

/**
 * Parent fields read through relationships in the same query, so no per-record lookups are
 * needed (kept in raw for context: the contact's company name without a join).
 */
const PARENT_FIELDS: Record<string, { reference: string; fields: string[] }[]> = {
  Contact: [{ reference: 'AccountId', fields: ['Name', 'Industry'] }],
  Opportunity: [{ reference: 'AccountId', fields: ['Name', 'Industry', 'Website'] }],
};

export function selectList(shape: ObjectShape, extraFields: readonly string[] = []): string[] {
  const wanted = [...SYSTEM_FIELDS, ...(STANDARD_FIELDS[shape.name] ?? [])].filter((name) => shape.fieldNames.has(name));
  const custom = shape.fields.filter((f) => f.custom).map((f) => f.name);
  const parents = (PARENT_FIELDS[shape.name] ?? []).flatMap(({ reference, fields }) => {
    const relationship = shape.relationships.get(reference);
    return relationship ? fields.map((f) => `${relationship}.${f}`) : [];
  });
  return [...new Set([...wanted, ...custom, ...parents, ...extraFields])];
}

const ID = /^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/;

export function isSalesforceId(value: unknown): value is string {
  return typeof value === 'string' && ID.test(value);
}

/** An id list for IN (…); ids are checked, never interpolated unchecked. */
export function idList(ids: readonly string[]): string {
  return ids
    .map((id) => {
      if (!ID.test(id)) throw new Error(`not a Salesforce id: ${JSON.stringify(id)}`);
      return `'${id}'`;
    })
    .join(',');
}

export function stringLiteral(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/**
 * A datetime literal at or before `iso`, to whole seconds: Salesforce datetimes carry whole
 * seconds, and rounding down only widens a `>=` window (the overlap is deduplicated).
 */
export function datetimeLiteralAtOrBefore(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new Error(`not a datetime: ${iso}`);
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * Ids per IN list: the query travels in the URL, and Salesforce refuses URIs over 16 KB. 200
 * quoted 18-char ids are ~4.4 KB, leaving room for the select list.
 */
export const IDS_PER_QUERY = 200;

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
