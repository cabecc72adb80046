import type {
  CanonicalActivity,
  CanonicalCompany,
  CanonicalContact,
  CanonicalDeal,
  CanonicalKind,
  CanonicalOwner,
  CanonicalRecord,
} from '../canonical/types.js';

/**
 * How each canonical kind maps to its table: column name, Postgres type (for
 * jsonb_to_recordset) and the value taken from the canonical record. One table drives every
 * bulk upsert, so adding a column is one line here plus the migration.
 */
export interface ColumnSpec<R> {
  column: string;
  sqlType: 'text' | 'integer' | 'numeric' | 'boolean' | 'timestamptz' | 'jsonb';
  value(record: R): unknown;
}

export interface TableSpec<R> {
  table: string;
  columns: ColumnSpec<R>[];
}

const col = <R>(column: string, sqlType: ColumnSpec<R>['sqlType'], value: (r: R) => unknown): ColumnSpec<R> => ({
  column,
  sqlType,
  value,
});

const common = <R extends CanonicalRecord>(): ColumnSpec<R>[] => [
  col('remoteCreatedAt', 'timestamptz', (r) => r.remoteCreatedAt),
  col('remoteUpdatedAt', 'timestamptz', (r) => r.remoteUpdatedAt),
];

const contact: TableSpec<CanonicalContact> = {
  table: 'Contact',
  columns: [
    col('remoteType', 'text', (r) => r.remoteType),
    col('email', 'text', (r) => r.email),
    col('firstName', 'text', (r) => r.firstName),
    col('lastName', 'text', (r) => r.lastName),
    col('title', 'text', (r) => r.title),
    col('phone', 'text', (r) => r.phone),
    col('companyRemoteId', 'text', (r) => r.companyRemoteId),
    col('ownerRemoteId', 'text', (r) => r.ownerRemoteId),
    col('lifecycleStage', 'text', (r) => r.lifecycleStage?.value ?? null),
    col('lifecycleStageLabel', 'text', (r) => r.lifecycleStage?.label ?? null),
    col('leadStatus', 'text', (r) => r.leadStatus?.value ?? null),
    col('leadStatusLabel', 'text', (r) => r.leadStatus?.label ?? null),
    col('customFields', 'jsonb', (r) => r.customFields),
    col('mergedIntoRemoteId', 'text', (r) => r.mergedIntoRemoteId),
    ...common<CanonicalContact>(),
  ],
};

const company: TableSpec<CanonicalCompany> = {
  table: 'Company',
  columns: [
    col('name', 'text', (r) => r.name),
    col('domain', 'text', (r) => r.domain),
    col('industry', 'text', (r) => r.industry?.value ?? null),
    col('industryLabel', 'text', (r) => r.industry?.label ?? null),
    col('employeeCount', 'integer', (r) => r.employeeCount),
    col('annualRevenue', 'numeric', (r) => r.annualRevenue?.amount ?? null),
    col('currency', 'text', (r) => r.annualRevenue?.currency ?? null),
    col('city', 'text', (r) => r.city),
    col('country', 'text', (r) => r.country),
    col('ownerRemoteId', 'text', (r) => r.ownerRemoteId),
    col('customFields', 'jsonb', (r) => r.customFields),
    col('mergedIntoRemoteId', 'text', (r) => r.mergedIntoRemoteId),
    ...common<CanonicalCompany>(),
  ],
};

const deal: TableSpec<CanonicalDeal> = {
  table: 'Deal',
  columns: [
    col('name', 'text', (r) => r.name),
    col('amount', 'numeric', (r) => r.amount?.amount ?? null),
    col('currency', 'text', (r) => r.amount?.currency ?? null),
    col('stage', 'text', (r) => r.stage?.value ?? null),
    col('stageLabel', 'text', (r) => r.stage?.label ?? null),
    col('pipeline', 'text', (r) => r.pipeline),
    col('closeDate', 'timestamptz', (r) => r.closeDate),
    col('isClosed', 'boolean', (r) => r.isClosed),
    col('isWon', 'boolean', (r) => r.isWon),
    col('companyRemoteId', 'text', (r) => r.companyRemoteId),
    col('ownerRemoteId', 'text', (r) => r.ownerRemoteId),
    col('customFields', 'jsonb', (r) => r.customFields),
    col('mergedIntoRemoteId', 'text', (r) => r.mergedIntoRemoteId),
    ...common<CanonicalDeal>(),
  ],
};

const activity: TableSpec<CanonicalActivity> = {
  table: 'Activity',
  columns: [
    col('remoteType', 'text', (r) => r.remoteType),
    col('kind', 'text', (r) => r.activityType),
    col('subject', 'text', (r) => r.subject),
    col('bodyText', 'text', (r) => r.bodyText),
    col('bodyHtml', 'text', (r) => r.bodyHtml),
    col('occurredAt', 'timestamptz', (r) => r.occurredAt),
    col('ownerRemoteId', 'text', (r) => r.ownerRemoteId),
    col('customFields', 'jsonb', (r) => r.customFields),
    ...common<CanonicalActivity>(),
  ],
};

const owner: TableSpec<CanonicalOwner> = {
  table: 'Owner',
  columns: [
    col('email', 'text', (r) => r.email),
    col('firstName', 'text', (r) => r.firstName),
    col('lastName', 'text', (r) => r.lastName),
    col('active', 'boolean', (r) => r.active),
    col('remoteUpdatedAt', 'timestamptz', (r) => r.remoteUpdatedAt),
  ],
};

export const TABLES: { [K in CanonicalKind]: TableSpec<Extract<CanonicalRecord, { kind: K }>> } = {
  CONTACT: contact,
  COMPANY: company,
  DEAL: deal,
  ACTIVITY: activity,
  OWNER: owner,
};

/** Tables whose rows can be merged into another record of the same kind. */
export const MERGEABLE = new Set<CanonicalKind>(['CONTACT', 'COMPANY', 'DEAL']);
