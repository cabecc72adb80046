/**
 * The retry policy every CRM connector follows (design.md, "Rules that keep it reliable"):
 *
 * - 429 (kind `rate_limited`): honour Retry-After when the CRM sends it, otherwise back off
 *   from 1 s doubling to 60 s, for a generous but finite number of attempts.
 * - 5xx, timeouts and resets (kinds `server`, `network`): 3 retries with the same doubling.
 * - everything else: no retry; the caller decides (401 refresh, 403 NEEDS_ATTENTION, …).
 *
 * The connectors classify their CRM's answers into CrmError kinds; this module only decides
 * "wait how long, or give up". p-retry runs the loop so attempt bookkeeping is not hand-rolled.
 */
import pRetry from 'p-retry';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { CrmError, type CrmErrorKind } from './types.js';

export interface RetryPolicy {
  /** First back-off after a 429 without Retry-After (HubSpot/Salesforce: 1 s). */
  rateLimitBaseMs: number;
  /** Back-off ceiling for 429s (60 s). */
  rateLimitMaxMs: number;
  /** Attempts in total before a 429 storm is given up as `rate_limited`. */
  rateLimitMaxAttempts: number;
  /** Retries after 5xx, timeouts and resets (3). */
  transientRetries: number;
  /** First back-off for transient failures; doubles per retry up to rateLimitMaxMs. */
  transientBaseMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  rateLimitBaseMs: 1000,
  rateLimitMaxMs: 60_000,
  rateLimitMaxAttempts: 30,
  transientRetries: 3,
  transientBaseMs: 1000,
};

/** The retry policy as a connection setting, with the defaults above; tests shrink the bases. */
export const retryPolicySchema = z
  .object({
    rateLimitBaseMs: z.number().int().nonnegative().default(DEFAULT_RETRY_POLICY.rateLimitBaseMs),
    rateLimitMaxMs: z.number().int().nonnegative().default(DEFAULT_RETRY_POLICY.rateLimitMaxMs),
    rateLimitMaxAttempts: z.number().int().min(1).default(DEFAULT_RETRY_POLICY.rateLimitMaxAttempts),
    transientRetries: z.number().int().nonnegative().default(DEFAULT_RETRY_POLICY.transientRetries),
    transientBaseMs: z.number().int().nonnegative().default(DEFAULT_RETRY_POLICY.transientBaseMs),
  })
  .prefault({});

/** An HTTP status in our terms, for answers the CRM did not classify more precisely. */
export function errorKindForStatus(status: number): CrmErrorKind {
  if (status === 401) return 'auth';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not_found';
  if (status === 409) return 'conflict';
  if (status === 429) return 'rate_limited';
  if (status >= 500) return 'server';
  return 'validation';
}

/** How a failure is retried: the default follows the error kind; connectors may refine it. */
export type RetryClass = 'rate_limit' | 'transient' | 'none';

export function defaultRetryClass(error: CrmError): RetryClass {
  if (error.kind === 'rate_limited') return 'rate_limit';
  if (error.kind === 'server' || error.kind === 'network') return 'transient';
  return 'none';
}

/**
 * Retry-After as delta-seconds ("3", "0.5") or an HTTP date; undefined when absent or
 * unparseable. Never negative.
 */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** base × 2^retryIndex, capped: 1 s, 2 s, 4 s, … 60 s. */
export function exponentialDelay(baseMs: number, retryIndex: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.min(retryIndex, 30));
}

export interface RetryCounts {
  rateLimited: number;
  transient: number;
}

/**
 * The wait before the next attempt, or null to give up. `counts` are the failures of each
 * class so far, including this one.
 */
export function retryDelay(error: CrmError, retryClass: RetryClass, counts: RetryCounts, policy: RetryPolicy): number | null {
  if (retryClass === 'rate_limit') {
    if (counts.rateLimited >= policy.rateLimitMaxAttempts) return null;
    const fallback = exponentialDelay(policy.rateLimitBaseMs, counts.rateLimited - 1, policy.rateLimitMaxMs);
    // A server-sent Retry-After wins, but a runaway value must not park a sync for hours.
    return error.details.retryAfterMs !== undefined ? Math.min(error.details.retryAfterMs, policy.rateLimitMaxMs) : fallback;
  }
  if (retryClass === 'transient') {
    if (counts.transient > policy.transientRetries) return null;
    return exponentialDelay(policy.transientBaseMs, counts.transient - 1, policy.rateLimitMaxMs);
  }
  return null;
}

export interface RetryEvent {
  error: CrmError;
  attempt: number;
  delayMs: number;
}

export interface WithRetriesOptions {
  policy: RetryPolicy;
  classify?: (error: CrmError) => RetryClass;
  /** Called before each wait, for logging and the waitedMs/rateLimited counters. */
  onRetry?: (event: RetryEvent) => void;
  signal?: AbortSignal;
}

/**
 * Runs `operation` until it succeeds or the policy gives up, then rethrows the last error.
 * Only CrmErrors are retried: anything else is a bug and surfaces at once.
 */
export async function withRetries<T>(operation: (attempt: number) => Promise<T>, options: WithRetriesOptions): Promise<T> {
  const counts: RetryCounts = { rateLimited: 0, transient: 0 };
  const classify = options.classify ?? defaultRetryClass;
  const maxAttempts = options.policy.rateLimitMaxAttempts + options.policy.transientRetries + 1;
  return pRetry(operation, {
    retries: maxAttempts,
    minTimeout: 0,
    maxTimeout: 0,
    signal: options.signal,
    // The wait happens here, so p-retry's own timer stays at 0; throwing ends the loop with that error.
    onFailedAttempt: async ({ error, attemptNumber }) => {
      if (!(error instanceof CrmError)) throw error;
      const retryClass = classify(error);
      if (retryClass === 'rate_limit') counts.rateLimited++;
      if (retryClass === 'transient') counts.transient++;
      const delayMs = retryDelay(error, retryClass, counts, options.policy);
      if (delayMs === null) throw error;
      options.onRetry?.({ error, attempt: attemptNumber, delayMs });
      if (delayMs > 0) await sleep(delayMs, undefined, { signal: options.signal });
    },
  });
}
