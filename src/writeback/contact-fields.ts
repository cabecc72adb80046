import type { Provider, WriteOp } from '../connectors/types.js';

/**
 * The outbox format of an UPSERT_CONTACT row, shared by the GraphQL mutation that queues it
 * and the worker that sends it. Unlike UPDATE rows (canonical AI field names, mapped at send
 * time through mapping.ts), an UPSERT_CONTACT row holds the CRM's own contact property names,
 * because these are standard fields every portal and org has and no mapping applies:
 *
 *   HubSpot    (objectType "contacts"):      email, firstname, lastname, jobtitle
 *   Salesforce (objectType "Contact"/"Lead"): Email, FirstName, LastName, Title
 *
 * remoteId null: the connector finds the record by email or creates it. remoteId set: the
 * store already holds the person in that connection and the row updates that record.
 *
 * Keys starting with "__" are instructions for the worker and the connector, never CRM
 * properties; the worker must take them out (splitContactFields) before writing:
 *   __companyRemoteId  the CRM id of the company to associate the contact with: a HubSpot
 *                      company (v4 association contact→company) or a Salesforce Account
 *                      (the Contact's AccountId). Absent when no company was asked for, when
 *                      the connection holds no such company, and on Salesforce Lead rows (a
 *                      Lead has no AccountId).
 *   __source           who asked for the upsert (the mutation's `source`), for logs and audit.
 */

export const COMPANY_REMOTE_ID_KEY = '__companyRemoteId';
export const SOURCE_KEY = '__source';
const RESERVED_PREFIX = '__';

/** Salesforce refuses a Contact or Lead without LastName; a new record gets this instead. */
export const SALESFORCE_LAST_NAME_PLACEHOLDER = 'Unknown';

export interface ContactValues {
  /** Lower-cased. */
  email: string;
  firstName: string | null;
  lastName: string | null;
  title: string | null;
}

type ContactField = keyof ContactValues;

const PROPERTY_NAMES: Record<Provider, Record<ContactField, string>> = {
  HUBSPOT: { email: 'email', firstName: 'firstname', lastName: 'lastname', title: 'jobtitle' },
  SALESFORCE: { email: 'Email', firstName: 'FirstName', lastName: 'LastName', title: 'Title' },
};

/** The property holding the email, by which pending rows of one person are found. */
export function emailProperty(provider: Provider): string {
  return PROPERTY_NAMES[provider].email;
}

/**
 * The outbox objectType for a contact upsert: HubSpot "contacts"; Salesforce "Contact", or
 * "Lead" when the row updates a known Lead (a person who is a Lead there is updated in place
 * rather than duplicated as a Contact).
 */
export function contactObjectType(provider: Provider, existingRemoteType: string | null = null): string {
  if (provider === 'HUBSPOT') return 'contacts';
  return existingRemoteType === 'Lead' ? 'Lead' : 'Contact';
}

/**
 * CRM properties for the given values. Missing values are left out, never sent as null: an
 * upsert must not blank a field the caller did not mention.
 */
export function contactProperties(provider: Provider, values: ContactValues): Record<string, string> {
  const names = PROPERTY_NAMES[provider];
  const properties: Record<string, string> = {};
  for (const field of Object.keys(names) as ContactField[]) {
    const value = values[field];
    if (value !== null && value !== '') properties[names[field]] = value;
  }
  return properties;
}

/**
 * What a row must hold before it is sent: a Salesforce create needs LastName, so a row that
 * creates (no remoteId) and has none gets the placeholder. Updates never get it, so a known
 * record's real last name is not overwritten.
 */
export function withRequiredContactFields(provider: Provider, fields: Record<string, unknown>, creating: boolean): Record<string, unknown> {
  if (provider !== 'SALESFORCE' || !creating) return fields;
  const lastName = fields[PROPERTY_NAMES.SALESFORCE.lastName];
  return typeof lastName === 'string' && lastName !== '' ? fields : { ...fields, [PROPERTY_NAMES.SALESFORCE.lastName]: SALESFORCE_LAST_NAME_PLACEHOLDER };
}

/**
 * A pending create that turns into an update (the record arrived by sync meanwhile) must
 * not carry the placeholder it got as a create: it would overwrite the real last name.
 */
export function withoutLastNamePlaceholder(provider: Provider, fields: Record<string, unknown>): Record<string, unknown> {
  const key = PROPERTY_NAMES.SALESFORCE.lastName;
  if (provider !== 'SALESFORCE' || fields[key] !== SALESFORCE_LAST_NAME_PLACEHOLDER) return fields;
  const { [key]: _placeholder, ...rest } = fields;
  return rest;
}

export interface SplitContactFields {
  /** What to send to the CRM as the contact's properties. */
  properties: WriteOp['properties'];
  /** The company to associate, from __companyRemoteId. */
  companyRemoteId: string | null;
}

/** For the worker: a row's fields split into CRM properties and the reserved instructions. */
export function splitContactFields(fields: Record<string, unknown>): SplitContactFields {
  const properties: WriteOp['properties'] = {};
  for (const [key, value] of Object.entries(fields)) {
    if (key.startsWith(RESERVED_PREFIX)) continue;
    if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') properties[key] = value;
  }
  const company = fields[COMPANY_REMOTE_ID_KEY];
  return { properties, companyRemoteId: typeof company === 'string' && company !== '' ? company : null };
}
