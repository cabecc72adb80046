import { z } from 'zod';
import { normalizeDomain } from '../canonical/values.js';
import { badInput } from './errors.js';
import { DEFAULT_PACKET_OPTIONS, type PacketOptions } from './packet/types.js';
import { MAX_TEXT_TOKENS, MIN_TEXT_TOKENS } from './packet/text.js';

/**
 * zod schemas for what GraphQL types cannot express: ranges, sizes, id formats. Bounds here
 * are the ones documented in schema.graphql; change both together.
 */
export const MAX_PAGE_SIZE = 200;
export const MAX_BATCH = 100;
export const MAX_FILTER_VALUES = 100;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const id = z
  .string()
  .regex(UUID, 'is not a valid id')
  .transform((s) => s.toLowerCase());

const text = (min: number, max: number) => z.string().trim().min(min, `must not be empty`).max(max, `must be at most ${max} characters`);
const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max, `must be at most ${max} characters`)
    .nullish()
    .transform((v) => (v ? v : null));

export const email = z
  .string()
  .trim()
  .max(320, 'must be at most 320 characters')
  .regex(/^[^\s@]+@[^\s@]+$/, 'is not an email address')
  .transform((s) => s.toLowerCase());

const count = (max: number) => z.number().int().min(0, 'must be at least 0').max(max, `must be at most ${max}`);

export const packetOptions = z
  .object({
    recentActivities: count(50).nullish(),
    scoreHistory: count(20).nullish(),
    signals: count(100).nullish(),
    openDeals: count(50).nullish(),
  })
  .nullish()
  .transform(
    (o): PacketOptions => ({
      recentActivities: o?.recentActivities ?? DEFAULT_PACKET_OPTIONS.recentActivities,
      scoreHistory: o?.scoreHistory ?? DEFAULT_PACKET_OPTIONS.scoreHistory,
      signals: o?.signals ?? DEFAULT_PACKET_OPTIONS.signals,
      openDeals: o?.openDeals ?? DEFAULT_PACKET_OPTIONS.openDeals,
    }),
  );

export const contactIdList = z.array(id).max(MAX_BATCH, `at most ${MAX_BATCH} ids per request`);

export const maxTokens = z
  .number()
  .int()
  .min(MIN_TEXT_TOKENS, `must be at least ${MIN_TEXT_TOKENS}`)
  .max(MAX_TEXT_TOKENS, `must be at most ${MAX_TEXT_TOKENS}`);

export const pageSize = z.number().int().min(1, 'must be at least 1').max(MAX_PAGE_SIZE, `must be at most ${MAX_PAGE_SIZE}`);

const values = z.array(text(1, 200)).max(MAX_FILTER_VALUES, `at most ${MAX_FILTER_VALUES} values`).nullish();
const ids = z.array(id).max(MAX_FILTER_VALUES, `at most ${MAX_FILTER_VALUES} ids`).nullish();
const provider = z.enum(['HUBSPOT', 'SALESFORCE']);
const instant = z.date().nullish();
const score = z.number().int().min(0, 'must be at least 0').max(100, 'must be at most 100');

const commonFilter = {
  ownerIds: ids,
  ownerEmail: email.nullish(),
  updatedSince: instant,
  createdSince: instant,
  providers: z.array(provider).nullish(),
  connectionIds: ids,
  includeDeleted: z.boolean().nullish(),
};

export const contactFilter = z
  .object({
    ...commonFilter,
    lifecycleStages: values,
    leadStatuses: values,
    companyIds: ids,
    companyDomain: text(1, 253).nullish(),
    hasEmail: z.boolean().nullish(),
    scoreMin: score.nullish(),
    scoreMax: score.nullish(),
    scored: z.boolean().nullish(),
    scoredBefore: instant,
  })
  .refine((f) => f.scoreMin == null || f.scoreMax == null || f.scoreMin <= f.scoreMax, {
    message: 'must not exceed scoreMax',
    path: ['scoreMin'],
  })
  .nullish();

export const companyFilter = z
  .object({ ...commonFilter, domain: text(1, 253).nullish(), industries: values })
  .nullish();

export const dealFilter = z
  .object({ ...commonFilter, stages: values, open: z.boolean().nullish(), companyIds: ids, contactId: id.nullish() })
  .nullish();

export type ContactFilterInput = NonNullable<z.output<typeof contactFilter>>;
export type CompanyFilterInput = NonNullable<z.output<typeof companyFilter>>;
export type DealFilterInput = NonNullable<z.output<typeof dealFilter>>;

export const writeBackScoreInput = z.object({
  contactId: id,
  score,
  rationale: text(1, 4000),
  playbook: optionalText(4000),
  source: text(1, 100),
  model: optionalText(200),
  idempotencyKey: optionalText(200),
  leadStatus: optionalText(100),
  lifecycleStage: optionalText(100),
});

export type WriteBackScoreInput = z.output<typeof writeBackScoreInput>;

export const MAX_SIGNALS = 50;
export const MAX_SIGNAL_VALUE_CHARS = 2000;
const FUTURE_TOLERANCE_MS = 5 * 60_000;

export const recordSignalsInput = z
  .object({
    contactId: id.nullish(),
    email: email.nullish(),
    source: text(1, 100),
    observedAt: z.date().refine((d) => d.getTime() <= Date.now() + FUTURE_TOLERANCE_MS, 'must not be in the future'),
    signals: z
      .array(
        z.object({
          key: z
            .string()
            .min(1, 'must not be empty')
            .max(100, 'must be at most 100 characters')
            .regex(/^[A-Za-z0-9_.:-]+$/, 'may only hold letters, digits and _.:-'),
          value: z.unknown().refine(
            (v) => v !== undefined && (JSON.stringify(v)?.length ?? 0) <= MAX_SIGNAL_VALUE_CHARS,
            `must be at most ${MAX_SIGNAL_VALUE_CHARS} characters as JSON`,
          ),
        }),
      )
      .min(1, 'must hold at least one signal')
      .max(MAX_SIGNALS, `at most ${MAX_SIGNALS} signals per call`),
  })
  .refine((i) => (i.contactId == null) !== (i.email == null), {
    message: 'give exactly one of contactId and email',
    path: ['contactId'],
  });

export type RecordSignalsInput = z.output<typeof recordSignalsInput>;

/** Text to find in a stored error (dead letters, webhook events). */
export const errorText = text(1, 200);

export const deadLetterFilter = z
  .object({ connectionId: id.nullish(), errorContains: errorText.nullish(), createdSince: instant })
  .nullish();

export type DeadLetterFilterInput = NonNullable<z.output<typeof deadLetterFilter>>;

export const syncRunFilter = z
  .object({
    connectionId: id.nullish(),
    status: z.enum(['RUNNING', 'SUCCEEDED', 'FAILED']).nullish(),
    objectType: text(1, 100).nullish(),
  })
  .nullish();

export type SyncRunFilterInput = NonNullable<z.output<typeof syncRunFilter>>;

/** triggerSync's objects: omitted means every object; an empty list is a mistake, not "all". */
export const syncObjects = z
  .array(text(1, 100))
  .min(1, 'must name at least one object; omit it to sync every object')
  .max(50, 'at most 50 objects')
  .nullish();

/** A domain as the store keeps it: lower-cased, without scheme, path or www. */
const domain = z
  .string()
  .max(253, 'must be at most 253 characters')
  .transform((s) => normalizeDomain(s) ?? '')
  .refine((d) => /^[^\s@/]+\.[^\s@/.]+$/.test(d), 'is not a domain (e.g. acme.com)');

/**
 * Lengths are Salesforce's (FirstName 40, LastName 80, Title 128), the stricter CRM, so a
 * value accepted here fits both. The email needs a dot in its domain: CRMs refuse "a@b".
 */
export const upsertContactInput = z.object({
  email: email.refine((e) => /^[^\s@]+@[^\s@]+\.[^\s@.]+$/.test(e), 'is not an email address'),
  firstName: optionalText(40),
  lastName: optionalText(80),
  title: optionalText(128),
  company: z
    .object({ id: id.nullish(), domain: domain.nullish() })
    .refine((c) => (c.id == null) !== (c.domain == null), { message: 'give exactly one of id and domain', path: ['id'] })
    .nullish(),
  source: text(1, 100),
  connectionIds: z
    .array(id)
    .min(1, 'must name at least one connection; omit it for every ACTIVE connection')
    .max(MAX_FILTER_VALUES, `at most ${MAX_FILTER_VALUES} ids`)
    .nullish(),
});

export type UpsertContactInput = z.output<typeof upsertContactInput>;

/** Parses with zod; the first problem becomes BAD_USER_INPUT naming the field's path. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, field: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw toBadInput(result.error, field);
}

export function toBadInput(error: z.ZodError, field: string) {
  const issue = error.issues[0];
  const path = [field, ...(issue?.path ?? []).map(String)].filter(Boolean).join('.');
  return badInput(`${path}: ${issue?.message ?? 'is invalid'}`, path);
}
