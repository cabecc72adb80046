/**
 * Salesforce records → canonical records. Pure: the same raw record and field definitions always
 * give the same result, so it is tested on fixtures. Values go through the shared helpers in
 * canonical/values.ts so a Salesforce contact and a HubSpot contact look alike.
 *
 * Mapping decisions worth knowing:
 * - Lead and Contact are both CONTACT (remoteType tells them apart). A converted Lead is a
 *   tombstone merged into the Contact it became (ConvertedContactId).
 * - lifecycleStage: Salesforce has no standard lifecycle field, so it is null unless the
 *   connection names one (settings.lifecycleStageField, e.g. "Lifecycle_Stage__c").
 * - Records merged away in Salesforce come back deleted with MasterRecordId: merged into it.
 * - Opportunity contact roles are not fields: the connector attaches them to the raw record
 *   (as `OpportunityContactRoles`, the shape of a SOQL sub-query) and they become DEAL→CONTACT
 *   links. Without them, a deal's contact links are left as they are.
 */
import type { FieldDefs } from '../../canonical/fields.js';
import type {
  ActivityType,
  CanonicalActivity,
  CanonicalAssociation,
  CanonicalCompany,
  CanonicalContact,
  CanonicalDeal,
  CanonicalKind,
  CanonicalOwner,
  CustomValue,
  NormalizedRecord,
} from '../../canonical/types.js';
import {
  cleanString,
  htmlToText,
  looksLikeHtml,
  normalizeDomain,
  normalizeEmail,
  toBoolean,
  toCustomValue,
  toInteger,
  toIsoUtc,
  toLabeled,
  toMoney,
} from '../../canonical/values.js';
import type { RawRecord } from '../types.js';

export interface NormalizeOptions {
  /** Currency for amounts when the org has no CurrencyIsoCode (single-currency orgs). */
  defaultCurrency: string | null;
  /** The field that holds a lifecycle stage, when the org has one. */
  lifecycleStageField: string | null;
}

/** The key under which the connector attaches an Opportunity's contact roles. */
export const CONTACT_ROLES_KEY = 'OpportunityContactRoles';

/** Key prefixes of the objects activities link to (WhatId/WhoId are polymorphic). */
const KIND_BY_PREFIX: Record<string, CanonicalKind> = { '001': 'COMPANY', '006': 'DEAL', '003': 'CONTACT', '00Q': 'CONTACT' };

export function kindOfId(id: string): CanonicalKind | undefined {
  return KIND_BY_PREFIX[id.slice(0, 3)];
}

/** The sObject a raw record is: its attributes.type, else the stream's object. */
export function objectTypeOf(raw: RawRecord, fallback: string): string {
  const attributes = raw.attributes;
  if (attributes && typeof attributes === 'object' && 'type' in attributes && typeof attributes.type === 'string') return attributes.type;
  return fallback;
}

const str = (raw: RawRecord, field: string) => cleanString(raw[field]);

function base(raw: RawRecord) {
  const remoteId = str(raw, 'Id');
  if (!remoteId) throw new Error('record without Id');
  return {
    remoteId,
    remoteCreatedAt: toIsoUtc(raw.CreatedDate),
    remoteUpdatedAt: toIsoUtc(raw.LastModifiedDate ?? raw.SystemModstamp),
    deleted: raw.IsDeleted === true,
  };
}

/** Users own records; queues (00G…) can own Leads but are not owners we sync. */
function ownerOf(raw: RawRecord): string | null {
  const owner = str(raw, 'OwnerId');
  return owner?.startsWith('005') ? owner : null;
}

function customFieldsOf(raw: RawRecord, defs: FieldDefs): Record<string, CustomValue> {
  const out: Record<string, CustomValue> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (name.endsWith('__c')) out[name] = toCustomValue(value, defs.get(name));
  }
  return out;
}

function currencyOf(raw: RawRecord, options: NormalizeOptions): string | null {
  return str(raw, 'CurrencyIsoCode') ?? options.defaultCurrency;
}

/** Merged-away records are deleted and point at the survivor. */
function mergedInto(raw: RawRecord): string | null {
  return raw.IsDeleted === true ? str(raw, 'MasterRecordId') : null;
}

function link(toKind: CanonicalKind, toRemoteId: string | null, isPrimary: boolean, label: string | null = null): CanonicalAssociation[] {
  return toRemoteId ? [{ toKind, toRemoteId, label, isPrimary }] : [];
}

function result(record: NormalizedRecord['record'], raw: RawRecord, associations: CanonicalAssociation[], associationKinds: CanonicalKind[]): NormalizedRecord {
  return { record, associations, associationKinds, absorbedRemoteIds: [], raw };
}

function contact(objectType: 'Lead' | 'Contact', raw: RawRecord, defs: FieldDefs, options: NormalizeOptions): NormalizedRecord {
  const converted = objectType === 'Lead' && toBoolean(raw.IsConverted) === true;
  const companyRemoteId = objectType === 'Contact' ? str(raw, 'AccountId') : null;
  const lifecycleField = options.lifecycleStageField;
  const record: CanonicalContact = {
    kind: 'CONTACT',
    ...base(raw),
    remoteType: objectType,
    email: normalizeEmail(raw.Email),
    firstName: str(raw, 'FirstName'),
    lastName: str(raw, 'LastName'),
    title: str(raw, 'Title'),
    phone: str(raw, 'Phone') ?? str(raw, 'MobilePhone'),
    companyRemoteId,
    ownerRemoteId: ownerOf(raw),
    lifecycleStage: lifecycleField ? toLabeled(raw[lifecycleField], defs.get(lifecycleField)) : null,
    leadStatus: objectType === 'Lead' ? toLabeled(raw.Status, defs.get('Status')) : null,
    customFields: customFieldsOf(raw, defs),
    mergedIntoRemoteId: mergedInto(raw),
  };
  if (converted) {
    // The Lead lives on as a Contact: the lead itself is a tombstone pointing there.
    record.deleted = true;
    record.mergedIntoRemoteId = str(raw, 'ConvertedContactId') ?? record.mergedIntoRemoteId;
  }
  return result(record, raw, link('COMPANY', companyRemoteId, true), ['COMPANY']);
}

function company(raw: RawRecord, defs: FieldDefs, options: NormalizeOptions): NormalizedRecord {
  const record: CanonicalCompany = {
    kind: 'COMPANY',
    ...base(raw),
    name: str(raw, 'Name'),
    domain: normalizeDomain(raw.Website),
    industry: toLabeled(raw.Industry, defs.get('Industry')),
    employeeCount: toInteger(raw.NumberOfEmployees),
    annualRevenue: toMoney(raw.AnnualRevenue, currencyOf(raw, options)),
    city: str(raw, 'BillingCity'),
    country: str(raw, 'BillingCountry'),
    ownerRemoteId: ownerOf(raw),
    customFields: customFieldsOf(raw, defs),
    mergedIntoRemoteId: mergedInto(raw),
  };
  return result(record, raw, [], []);
}

type ContactRole = Record<'ContactId' | 'Role' | 'IsPrimary', unknown>;

/** The attached roles, or undefined when none were attached (links then stay untouched). */
function contactRolesOf(raw: RawRecord): ContactRole[] | undefined {
  const attached = raw[CONTACT_ROLES_KEY];
  if (attached === undefined) return undefined;
  if (attached === null) return [];
  const records = typeof attached === 'object' && 'records' in attached ? attached.records : undefined;
  return Array.isArray(records) ? records.filter((r): r is ContactRole => typeof r === 'object' && r !== null) : [];
}

function deal(raw: RawRecord, defs: FieldDefs, options: NormalizeOptions): NormalizedRecord {
  const companyRemoteId = str(raw, 'AccountId');
  const record: CanonicalDeal = {
    kind: 'DEAL',
    ...base(raw),
    name: str(raw, 'Name'),
    amount: toMoney(raw.Amount, currencyOf(raw, options)),
    stage: toLabeled(raw.StageName, defs.get('StageName')),
    // Salesforce has one sales process per record type, not HubSpot-style pipelines.
    pipeline: null,
    closeDate: toIsoUtc(raw.CloseDate),
    isClosed: toBoolean(raw.IsClosed),
    isWon: toBoolean(raw.IsWon),
    companyRemoteId,
    ownerRemoteId: ownerOf(raw),
    customFields: customFieldsOf(raw, defs),
    mergedIntoRemoteId: null,
  };
  const associations = link('COMPANY', companyRemoteId, true);
  const roles = contactRolesOf(raw);
  const kinds: CanonicalKind[] = ['COMPANY'];
  if (roles) {
    kinds.push('CONTACT');
    const byContact = new Map<string, CanonicalAssociation>();
    for (const role of roles) {
      const contactId = cleanString(role.ContactId);
      if (!contactId) continue;
      const previous = byContact.get(contactId);
      const isPrimary = toBoolean(role.IsPrimary) === true || previous?.isPrimary === true;
      // One link per contact: a contact with two roles keeps the primary one's label.
      const label = previous && !toBoolean(role.IsPrimary) ? previous.label : cleanString(role.Role);
      byContact.set(contactId, { toKind: 'CONTACT', toRemoteId: contactId, label, isPrimary });
    }
    associations.push(...[...byContact.values()].sort((a, b) => (a.toRemoteId < b.toRemoteId ? -1 : 1)));
  }
  return result(record, raw, associations, kinds);
}

const TASK_TYPES: Record<string, ActivityType> = { Email: 'EMAIL', ListEmail: 'EMAIL', Call: 'CALL', Task: 'TASK', Cadence: 'TASK', LinkedIn: 'TASK' };

function activity(objectType: 'Task' | 'Event', raw: RawRecord, defs: FieldDefs): NormalizedRecord {
  const description = raw.Description;
  const html = looksLikeHtml(description);
  const record: CanonicalActivity = {
    kind: 'ACTIVITY',
    ...base(raw),
    remoteType: objectType,
    activityType: objectType === 'Event' ? 'MEETING' : (TASK_TYPES[str(raw, 'TaskSubtype') ?? 'Task'] ?? 'TASK'),
    subject: str(raw, 'Subject'),
    bodyText: html ? htmlToText(description) : cleanString(description),
    bodyHtml: html ? cleanString(description) : null,
    occurredAt:
      objectType === 'Event'
        ? toIsoUtc(raw.StartDateTime ?? raw.ActivityDateTime)
        : toIsoUtc(raw.CompletedDateTime ?? raw.ActivityDate ?? raw.CreatedDate),
    ownerRemoteId: ownerOf(raw),
    customFields: customFieldsOf(raw, defs),
  };
  // Like HubSpot's engagement links: plain links, no primary flag.
  const associations: CanonicalAssociation[] = [];
  const who = str(raw, 'WhoId');
  if (who && kindOfId(who) === 'CONTACT') associations.push({ toKind: 'CONTACT', toRemoteId: who, label: null, isPrimary: false });
  const what = str(raw, 'WhatId');
  const whatKind = what ? kindOfId(what) : undefined;
  if (what && (whatKind === 'DEAL' || whatKind === 'COMPANY')) associations.push({ toKind: whatKind, toRemoteId: what, label: null, isPrimary: false });
  return result(record, raw, associations, ['CONTACT', 'COMPANY', 'DEAL']);
}

function owner(raw: RawRecord): NormalizedRecord {
  const record: CanonicalOwner = {
    kind: 'OWNER',
    ...base(raw),
    email: normalizeEmail(raw.Email),
    firstName: str(raw, 'FirstName'),
    lastName: str(raw, 'LastName'),
    // Users are deactivated, never deleted.
    active: toBoolean(raw.IsActive) !== false,
  };
  return result(record, raw, [], []);
}

/** Normalizes one raw record of a known sObject; throws for objects we do not map. */
export function normalizeSalesforceRecord(objectType: string, raw: RawRecord, defs: FieldDefs, options: NormalizeOptions): NormalizedRecord {
  switch (objectType) {
    case 'Lead':
    case 'Contact':
      return contact(objectType, raw, defs, options);
    case 'Account':
      return company(raw, defs, options);
    case 'Opportunity':
      return deal(raw, defs, options);
    case 'Task':
    case 'Event':
      return activity(objectType, raw, defs);
    case 'User':
      return owner(raw);
    default:
      throw new Error(`no canonical mapping for Salesforce ${objectType}`);
  }
}
