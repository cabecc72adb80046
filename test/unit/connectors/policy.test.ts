import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_POLICY, exponentialDelay, parseRetryAfter, retryDelay, withRetries, type RetryEvent } from '../../../src/connectors/policy.js';
import { CrmError, type CrmErrorKind } from '../../../src/connectors/types.js';

const fast = { rateLimitBaseMs: 1, rateLimitMaxMs: 8, rateLimitMaxAttempts: 5, transientRetries: 3, transientBaseMs: 1 };
const error = (kind: CrmErrorKind, retryAfterMs?: number): CrmError =>
  new CrmError('HUBSPOT', kind, kind, retryAfterMs === undefined ? {} : { retryAfterMs });

describe('parseRetryAfter', () => {
  it('reads delta-seconds and HTTP dates, and ignores garbage', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter('0.5')).toBe(500);
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:10 GMT', now)).toBe(10_000);
    expect(parseRetryAfter('Tue, 31 Dec 2024 23:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter(undefined)).toBeUndefined();
    expect(parseRetryAfter('')).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
  });
});

describe('retryDelay', () => {
  it('doubles from 1 s to the 60 s ceiling for 429s without Retry-After', () => {
    const delays = [1, 2, 3, 4, 5, 6, 7, 8].map((n) => retryDelay(error('rate_limited'), 'rate_limit', { rateLimited: n, transient: 0 }, DEFAULT_RETRY_POLICY));
    expect(delays).toEqual([1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000]);
  });

  it('honours Retry-After, capped at the ceiling, and gives up after the configured attempts', () => {
    expect(retryDelay(error('rate_limited', 2500), 'rate_limit', { rateLimited: 1, transient: 0 }, DEFAULT_RETRY_POLICY)).toBe(2500);
    expect(retryDelay(error('rate_limited', 3_600_000), 'rate_limit', { rateLimited: 1, transient: 0 }, DEFAULT_RETRY_POLICY)).toBe(60_000);
    expect(retryDelay(error('rate_limited'), 'rate_limit', { rateLimited: 30, transient: 0 }, DEFAULT_RETRY_POLICY)).toBeNull();
  });

  it('retries transient failures three times, and never retries the rest', () => {
    const transient = [1, 2, 3, 4].map((n) => retryDelay(error('server'), 'transient', { rateLimited: 0, transient: n }, DEFAULT_RETRY_POLICY));
    expect(transient).toEqual([1000, 2000, 4000, null]);
    expect(retryDelay(error('forbidden'), 'none', { rateLimited: 0, transient: 0 }, DEFAULT_RETRY_POLICY)).toBeNull();
    expect(exponentialDelay(1000, 100, 60_000)).toBe(60_000);
  });
});

describe('withRetries', () => {
  it('keeps retrying 429s past the transient budget and returns the eventual result', async () => {
    const events: RetryEvent[] = [];
    let calls = 0;
    const result = await withRetries(
      async () => {
        calls++;
        if (calls <= 4) throw error('rate_limited');
        return 'ok';
      },
      { policy: fast, onRetry: (e) => events.push(e) },
    );
    expect(result).toBe('ok');
    expect(calls).toBe(5);
    expect(events.map((e) => e.delayMs)).toEqual([1, 2, 4, 8]);
  });

  it('stops after 3 retries of a 5xx and rethrows the last error', async () => {
    let calls = 0;
    await expect(
      withRetries(async () => {
        calls++;
        throw error('server');
      }, { policy: fast }),
    ).rejects.toMatchObject({ kind: 'server' });
    expect(calls).toBe(4);
  });

  it('does not retry a 403 or a programming error', async () => {
    let calls = 0;
    await expect(withRetries(async () => {
      calls++;
      throw error('forbidden');
    }, { policy: fast })).rejects.toMatchObject({ kind: 'forbidden' });
    expect(calls).toBe(1);
    await expect(withRetries(async () => {
      calls++;
      throw new RangeError('bug');
    }, { policy: fast })).rejects.toThrow(RangeError);
    expect(calls).toBe(2);
  });

  it('gives a 429 storm up as rate_limited once the attempts run out', async () => {
    let calls = 0;
    await expect(withRetries(async () => {
      calls++;
      throw error('rate_limited');
    }, { policy: fast })).rejects.toMatchObject({ kind: 'rate_limited' });
    expect(calls).toBe(fast.rateLimitMaxAttempts);
  });

  it('lets a connector reclassify errors', async () => {
    let calls = 0;
    const result = await withRetries(async () => {
      calls++;
      if (calls === 1) throw error('protocol');
      return calls;
    }, { policy: fast, classify: (e) => (e.kind === 'protocol' ? 'transient' : 'none') });
    expect(result).toBe(2);
  });
});
