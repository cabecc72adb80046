/**
 * The org's API allowances: a daily request count (reported in Sforce-Limit-Info on every
 * response) and a cap on concurrent requests. Salesforce counts only long-running (>20 s)
 * requests against the concurrency cap; the simulator counts every in-flight request, which is
 * what injected latency produces anyway.
 */
import { SalesforceApiError } from './errors.js';

export class ApiLimits {
  used = 0;
  inFlight = 0;

  constructor(
    public dailyLimit: number,
    public concurrencyLimit: number,
  ) {}

  /** Admits one request or throws the 403 Salesforce sends. Call release() when it finishes. */
  admit(): void {
    if (this.used >= this.dailyLimit) {
      throw new SalesforceApiError(403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.');
    }
    if (this.inFlight >= this.concurrencyLimit) {
      throw new SalesforceApiError(403, 'REQUEST_LIMIT_EXCEEDED', 'ConcurrentPerOrgLongTxn Limit exceeded.');
    }
    this.used += 1;
    this.inFlight += 1;
  }

  release(): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
  }

  /** A new day: the 24-hour window rolled over. */
  resetDaily(): void {
    this.used = 0;
  }

  header(): string {
    return `api-usage=${this.used}/${this.dailyLimit}`;
  }

  /** GET /limits, trimmed to the entries a connector reads. */
  describe(): Record<string, { Max: number; Remaining: number }> {
    return {
      DailyApiRequests: { Max: this.dailyLimit, Remaining: Math.max(0, this.dailyLimit - this.used) },
      ConcurrentPerOrgLongTxn: { Max: this.concurrencyLimit, Remaining: Math.max(0, this.concurrencyLimit - this.inFlight) },
    };
  }
}
