/**
 * What a Salesforce connection is configured with. The CLI (`connections add salesforce`) and the
 * connector validate with the same schemas, so a bad setting fails at the door.
 */
import { z } from 'zod';
import { retryPolicySchema } from '../policy.js';

/** A session obtained earlier (login or refresh), reused so a new process need not log in again. */
const storedSession = {
  accessToken: z.string().min(1).optional(),
  instanceUrl: z.url().optional(),
};

/** Server-to-server: an RS256 assertion signed with the connected app's certificate key. No refresh token. */
export const salesforceJwtCredentialsSchema = z.object({
  kind: z.literal('jwt'),
  clientId: z.string().min(1),
  username: z.string().min(1),
  /** PKCS#8 or PKCS#1 PEM. */
  privateKey: z.string().includes('PRIVATE KEY'),
  ...storedSession,
});

/** A user's OAuth grant (web server flow), refreshed on 401. */
export const salesforceRefreshTokenCredentialsSchema = z.object({
  kind: z.literal('refresh_token'),
  clientId: z.string().min(1),
  /** Optional for PKCE clients; confidential connected apps need it. */
  clientSecret: z.string().min(1).optional(),
  refreshToken: z.string().min(1),
  ...storedSession,
});

/** Username-password: for development orgs only (Salesforce discourages it in production). */
export const salesforcePasswordCredentialsSchema = z.object({
  kind: z.literal('password'),
  clientId: z.string().min(1),
  clientSecret: z.string().min(1),
  username: z.string().min(1),
  /** The password with the user's security token appended, when the org requires one. */
  password: z.string().min(1),
  ...storedSession,
});

export const salesforceCredentialsSchema = z.discriminatedUnion('kind', [
  salesforceJwtCredentialsSchema,
  salesforceRefreshTokenCredentialsSchema,
  salesforcePasswordCredentialsSchema,
]);
export type SalesforceCredentials = z.infer<typeof salesforceCredentialsSchema>;

const fieldName = z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'a Salesforce field API name');

export const salesforceSettingsSchema = z.object({
  /** https://login.salesforce.com (production), https://test.salesforce.com (sandboxes) or a My Domain. */
  loginUrl: z.url().default('https://login.salesforce.com').transform((u) => u.replace(/\/+$/, '')),
  /** Pinned so a Salesforce release cannot change response shapes under us. */
  apiVersion: z.string().regex(/^\d{2}\.0$/, 'like "61.0"').default('61.0'),
  /** Share of the org's daily API requests we allow ourselves; the rest stays for other integrations. */
  dailyBudgetFraction: z.number().gt(0).max(1).default(0.8),
  /**
   * How long to pause after the daily budget is spent. Salesforce counts requests over a rolling
   * 24 hours, so capacity comes back gradually; an hour is a cautious first retry.
   */
  limitResetEstimateMs: z.number().int().positive().default(60 * 60_000),
  /** Requests in flight at once; below the org's 25 concurrent long-running requests. */
  maxConcurrency: z.number().int().min(1).max(24).default(10),
  /** The org's corporate currency, for amounts in orgs without multi-currency (no CurrencyIsoCode). */
  defaultCurrency: z.string().regex(/^[A-Za-z]{3}$/).transform((c) => c.toUpperCase()).nullable().default(null),
  /**
   * How far an incremental run re-reads before its cursor. Salesforce stamps SystemModstamp when
   * a transaction writes, not when it commits, so a long transaction can commit rows stamped
   * before rows we have already read. Re-reads are cheap (unchanged rows are skipped by hash).
   */
  overlapMs: z.number().int().nonnegative().max(60 * 60_000).default(5 * 60_000),
  /** Rows per query page (Sforce-Query-Options batchSize; Salesforce honours 200..2000). */
  pageSize: z.number().int().min(200).max(2000).default(2000),
  /** A field holding the lifecycle stage (e.g. "Lifecycle_Stage__c"); Salesforce has no standard one. */
  lifecycleStageField: fieldName.nullable().default(null),
  /** An external id field on Contact to upsert by; without it UPSERT_CONTACT matches by email. */
  contactExternalIdField: fieldName.nullable().default(null),
  /**
   * Extra SOQL select items per object (e.g. {"Contact": ["Owner.Email"]}), kept in raw. They are
   * sent as written: a wrong one fails the stream's query with Salesforce's own error.
   */
  extraFields: z.record(z.string(), z.array(z.string().min(1))).default({}),
  requestTimeoutMs: z.number().int().positive().default(60_000),
  /** Retry back-off (the shared policy); tests shrink the bases so storms end quickly. */
  backoff: retryPolicySchema,
});

export type SalesforceSettings = z.infer<typeof salesforceSettingsSchema>;
export type SalesforceSettingsInput = z.input<typeof salesforceSettingsSchema>;
