/**
 * The store's rows as the API reads them, straight from node-postgres: numerics arrive as
 * strings (kept exact for Money), timestamps as Date, JSON parsed. The bulky `raw` payloads
 * are never selected.
 */
export type ProviderName = 'HUBSPOT' | 'SALESFORCE';

export interface ConnectionRecord {
  id: string;
  provider: ProviderName;
  name: string;
  /**
   * When every stream of the connection last completed a sync (the oldest stream's last
   * success): unchanged records are not rewritten, so this, not a record's own syncedAt, says
   * how recently our copy was confirmed. Absent where it is not loaded.
   */
  confirmedAt?: Date | null;
}

interface Synced {
  id: string;
  connectionId: string;
  remoteId: string;
  syncedAt: Date;
  deletedAt: Date | null;
}

interface Tracked extends Synced {
  customFields: unknown;
  remoteCreatedAt: Date | null;
  remoteUpdatedAt: Date | null;
  mergedIntoRemoteId: string | null;
  updatedAt: Date;
}

export interface ContactRecord extends Tracked {
  remoteType: string;
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  title: string | null;
  phone: string | null;
  companyRemoteId: string | null;
  ownerRemoteId: string | null;
  lifecycleStage: string | null;
  lifecycleStageLabel: string | null;
  leadStatus: string | null;
  leadStatusLabel: string | null;
}

export interface CompanyRecord extends Tracked {
  name: string | null;
  domain: string | null;
  industry: string | null;
  industryLabel: string | null;
  employeeCount: number | null;
  annualRevenue: string | null;
  currency: string | null;
  city: string | null;
  country: string | null;
  ownerRemoteId: string | null;
}

export interface DealRecord extends Tracked {
  name: string | null;
  amount: string | null;
  currency: string | null;
  stage: string | null;
  stageLabel: string | null;
  pipeline: string | null;
  closeDate: Date | null;
  isClosed: boolean | null;
  isWon: boolean | null;
  companyRemoteId: string | null;
  ownerRemoteId: string | null;
}

export interface ActivityRecord extends Synced {
  remoteType: string;
  kind: string;
  subject: string | null;
  bodyText: string | null;
  occurredAt: Date | null;
}

export interface OwnerRecord extends Synced {
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  active: boolean;
}

export interface AiOutputRecord {
  id: string;
  contactId: string;
  score: number;
  previousScore: number | null;
  rationale: string;
  playbook: string | null;
  source: string;
  model: string | null;
  leadStatus: string | null;
  lifecycleStage: string | null;
  createdAt: Date;
}

export interface SignalRecord {
  id: string;
  contactId: string;
  source: string;
  key: string;
  value: unknown;
  observedAt: Date;
}

/** Money columns travel as text: exact through node-postgres and through json_agg alike. */
const DECIMAL_COLUMNS = new Set(['annualRevenue', 'amount']);

/** `alias."col", ...` for a column list; quoting keeps Prisma's camelCase names. */
function columns(alias: string, names: readonly string[]): string {
  return names.map((n) => (DECIMAL_COLUMNS.has(n) ? `${alias}."${n}"::text AS "${n}"` : `${alias}."${n}"`)).join(', ');
}

const SYNCED = ['id', 'connectionId', 'remoteId', 'syncedAt', 'deletedAt'];
const TRACKED = [...SYNCED, 'customFields', 'remoteCreatedAt', 'remoteUpdatedAt', 'mergedIntoRemoteId', 'updatedAt'];
const CONTACT_FIELDS = [
  'remoteType', 'email', 'firstName', 'lastName', 'title', 'phone', 'companyRemoteId', 'ownerRemoteId',
  'lifecycleStage', 'lifecycleStageLabel', 'leadStatus', 'leadStatusLabel',
];
const COMPANY_FIELDS = [
  'name', 'domain', 'industry', 'industryLabel', 'employeeCount', 'annualRevenue', 'currency', 'city', 'country', 'ownerRemoteId',
];
const DEAL_FIELDS = [
  'name', 'amount', 'currency', 'stage', 'stageLabel', 'pipeline', 'closeDate', 'isClosed', 'isWon', 'companyRemoteId', 'ownerRemoteId',
];

export const CONTACT_COLUMNS = (alias: string) => columns(alias, [...TRACKED, ...CONTACT_FIELDS]);
export const COMPANY_COLUMNS = (alias: string) => columns(alias, [...TRACKED, ...COMPANY_FIELDS]);
export const DEAL_COLUMNS = (alias: string) => columns(alias, [...TRACKED, ...DEAL_FIELDS]);

/**
 * A record without its change-tracking columns (custom fields above all, which can run to
 * hundreds of CRM properties): what context packets read, since they show none of them.
 */
export type Untracked<T extends Tracked> = Omit<T, Exclude<keyof Tracked, keyof Synced>>;
export const UNTRACKED_CONTACT_COLUMNS = (alias: string) => columns(alias, [...SYNCED, ...CONTACT_FIELDS]);
export const UNTRACKED_COMPANY_COLUMNS = (alias: string) => columns(alias, [...SYNCED, ...COMPANY_FIELDS]);
export const UNTRACKED_DEAL_COLUMNS = (alias: string) => columns(alias, [...SYNCED, ...DEAL_FIELDS]);

export const ACTIVITY_COLUMNS = (alias: string) =>
  columns(alias, [...SYNCED, 'remoteType', 'kind', 'subject', 'bodyText', 'occurredAt']);

export const OWNER_COLUMNS = (alias: string) =>
  columns(alias, [...SYNCED, 'email', 'firstName', 'lastName', 'active']);

export const AI_OUTPUT_COLUMNS = (alias: string) =>
  columns(alias, [
    'id', 'contactId', 'score', 'previousScore', 'rationale', 'playbook', 'source', 'model', 'leadStatus',
    'lifecycleStage', 'createdAt',
  ]);

export const SIGNAL_COLUMNS = (alias: string) =>
  columns(alias, ['id', 'contactId', 'source', 'key', 'value', 'observedAt']);

/** A record addressed the way links are stored: by remote id within a connection. */
export interface RemoteKey {
  connectionId: string;
  remoteId: string;
}

export function remoteKeyString(key: RemoteKey): string {
  return `${key.connectionId}|${key.remoteId}`;
}
