/**
 * What a HubSpot connection is configured with. The CLI (`connections add hubspot`) and the
 * connector validate with the same schemas, so a bad setting fails at the door.
 */
import { z } from 'zod';
import { retryPolicySchema } from '../policy.js';

const instant = z
  .union([z.number().int().nonnegative(), z.iso.datetime({ offset: true })])
  .transform((v) => new Date(v).toISOString());

export const hubspotPrivateAppCredentialsSchema = z.object({
  kind: z.literal('private_app'),
  token: z.string().min(1),
});

export const hubspotOAuthCredentialsSchema = z.object({
  kind: z.literal('oauth'),
  clientId: z.string().min(1),
  clientSecret: z.string().min(1),
  refreshToken: z.string().min(1),
  /** Absent on a fresh install: the first call refreshes. */
  accessToken: z.string().min(1).optional(),
  /** ISO 8601 (epoch ms accepted) when accessToken expires. */
  expiresAt: instant.optional(),
});

export const hubspotCredentialsSchema = z.discriminatedUnion('kind', [hubspotPrivateAppCredentialsSchema, hubspotOAuthCredentialsSchema]);
export type HubspotCredentials = z.infer<typeof hubspotCredentialsSchema>;
export type HubspotOAuthCredentials = z.infer<typeof hubspotOAuthCredentialsSchema>;

export const hubspotSettingsSchema = z.object({
  baseUrl: z.url().default('https://api.hubapi.com').transform((u) => u.replace(/\/+$/, '')),
  /** The account's published limit; we budget 80% of it (Professional private apps: 190 per 10 s). */
  rateLimitPerTenSeconds: z.number().int().positive().default(190),
  /** Search has its own limit (5/s per account); budgeted at 80% too. */
  searchPerSecond: z.number().positive().default(5),
  /** Calls in flight at once, within the budget. */
  concurrency: z.number().int().min(1).max(16).default(4),
  /** Longest comma-joined property list sent in one list URL; more properties take more calls per page. */
  maxPropertiesQueryLength: z.number().int().min(100).default(6000),
  /** List page size (HubSpot max 100). */
  pageSize: z.number().int().min(1).max(100).default(100),
  /** Search page size (HubSpot max 200). */
  searchPageSize: z.number().int().min(1).max(200).default(200),
  /**
   * How far an incremental run re-reads before its cursor: search indexes changes a few
   * seconds late and clocks differ. Re-reads are cheap (unchanged rows are skipped by hash).
   */
  overlapMs: z.number().int().nonnegative().default(5 * 60_000),
  /** The portal's company currency, for amounts that carry no currency code (annualrevenue). */
  defaultCurrency: z.string().regex(/^[A-Za-z]{3}$/).transform((c) => c.toUpperCase()).nullable().default(null),
  /** Property group for fields created by ensureFields, per object type (else HubSpot's standard group). */
  propertyGroups: z.record(z.string(), z.string()).default({}),
  /** Retry back-off; tests shrink the bases so storms end quickly. */
  backoff: retryPolicySchema,
  timeouts: z
    .object({
      connectMs: z.number().int().positive().default(10_000),
      headersMs: z.number().int().positive().default(30_000),
      bodyMs: z.number().int().positive().default(60_000),
    })
    .prefault({}),
});

export type HubspotSettings = z.infer<typeof hubspotSettingsSchema>;
export type HubspotSettingsInput = z.input<typeof hubspotSettingsSchema>;
