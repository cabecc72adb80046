/**
 * The canonical shape every CRM record is normalized into. Normalizers (pure functions in each
 * connector) produce these; the sync store writes them; GraphQL reads what the store wrote.
 * A consumer must not be able to tell which CRM a record came from, except by its source.
 */

export type CanonicalKind = 'CONTACT' | 'COMPANY' | 'DEAL' | 'ACTIVITY' | 'OWNER';
export type ActivityType = 'EMAIL' | 'CALL' | 'MEETING' | 'NOTE' | 'TASK';

/** A picklist value with the label the CRM shows for it. */
export interface Labeled {
  value: string;
  label: string;
}

/** A decimal amount as a string (no float rounding) with its ISO 4217 currency when known. */
export interface Money {
  amount: string;
  currency: string | null;
}

/** A custom field's value, typed by its FieldDef. */
export type CustomValue = string | number | boolean | null | Labeled | Labeled[];

interface RecordBase {
  remoteId: string;
  /** ISO 8601 UTC. */
  remoteCreatedAt: string | null;
  remoteUpdatedAt: string | null;
  /** Archived or deleted in the CRM: stored as a tombstone. */
  deleted: boolean;
}

export interface CanonicalContact extends RecordBase {
  kind: 'CONTACT';
  /** "contact" for HubSpot; "Lead" or "Contact" for Salesforce. */
  remoteType: string;
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  title: string | null;
  phone: string | null;
  companyRemoteId: string | null;
  ownerRemoteId: string | null;
  lifecycleStage: Labeled | null;
  leadStatus: Labeled | null;
  customFields: Record<string, CustomValue>;
  mergedIntoRemoteId: string | null;
}

export interface CanonicalCompany extends RecordBase {
  kind: 'COMPANY';
  name: string | null;
  domain: string | null;
  industry: Labeled | null;
  employeeCount: number | null;
  annualRevenue: Money | null;
  city: string | null;
  country: string | null;
  ownerRemoteId: string | null;
  customFields: Record<string, CustomValue>;
  mergedIntoRemoteId: string | null;
}

export interface CanonicalDeal extends RecordBase {
  kind: 'DEAL';
  name: string | null;
  amount: Money | null;
  stage: Labeled | null;
  pipeline: string | null;
  closeDate: string | null;
  isClosed: boolean | null;
  isWon: boolean | null;
  companyRemoteId: string | null;
  ownerRemoteId: string | null;
  customFields: Record<string, CustomValue>;
  mergedIntoRemoteId: string | null;
}

export interface CanonicalActivity extends RecordBase {
  kind: 'ACTIVITY';
  /** The CRM object: "emails", "calls", …, "Task", "Event". */
  remoteType: string;
  activityType: ActivityType;
  subject: string | null;
  bodyText: string | null;
  bodyHtml: string | null;
  occurredAt: string | null;
  ownerRemoteId: string | null;
  customFields: Record<string, CustomValue>;
}

export interface CanonicalOwner extends RecordBase {
  kind: 'OWNER';
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  active: boolean;
}

export type CanonicalRecord = CanonicalContact | CanonicalCompany | CanonicalDeal | CanonicalActivity | CanonicalOwner;

/** A link from a record to another record of the same connection, by remote ids. */
export interface CanonicalAssociation {
  toKind: CanonicalKind;
  toRemoteId: string;
  label: string | null;
  isPrimary: boolean;
}

/** What a normalizer returns for one raw record. */
export interface NormalizedRecord {
  record: CanonicalRecord;
  /**
   * The record's outgoing links, when the raw record carried them. For each kind listed in
   * `associationKinds`, the store replaces this record's links of that kind with these.
   */
  associations: CanonicalAssociation[];
  associationKinds: CanonicalKind[];
  /** Remote ids the CRM merged into this record: the store marks them merged into it. */
  absorbedRemoteIds: string[];
  raw: unknown;
}
