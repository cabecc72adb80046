/**
 * HubSpot's request budgets. The general API allows N calls per rolling 10 s; search allows
 * 5 per second on its own. We spend 80% of each so that other integrations of the same
 * account, and our own retries, still have room. p-queue's strict (sliding-window) mode
 * matches HubSpot's rolling window, which a fixed-window counter would overshoot at its edges.
 *
 * The budget adapts to what HubSpot says in its headers: a lower X-HubSpot-RateLimit-Max than
 * configured shrinks the window (the account's tier is lower than we were told), and a
 * Remaining close to zero (other apps spending the same budget) pauses new calls briefly.
 */
import PQueue from 'p-queue';

export const BUDGET_FRACTION = 0.8;

export interface RateLimitHeaders {
  max?: number;
  remaining?: number;
  intervalMs?: number;
}

function budgetFor(limit: number): number {
  return Math.max(1, Math.floor(limit * BUDGET_FRACTION));
}

/**
 * How long to hold new calls when the account is nearly spent (other apps share the budget),
 * so the 20% reserve stays for them: as many slots as we are below half the reserve. Never
 * longer than one interval, by which time every counted call has rolled out of the window
 * (a huge advertised maximum would otherwise ask for years).
 */
export function reservePauseMs(max: number, remaining: number, intervalMs: number): number {
  const halfReserve = Math.max(1, Math.floor((max - budgetFor(max)) / 2));
  if (remaining > halfReserve) return 0;
  const slotMs = Math.ceil(intervalMs / max);
  return Math.min(intervalMs, slotMs * (halfReserve - remaining + 1));
}

export class RequestBudget {
  private queue: PQueue;
  private limit: number;
  private intervalMs: number;
  private resumeAt = 0;

  constructor(
    limit: number,
    intervalMs: number,
    private readonly concurrency: number,
    /** Told how long a call waited for its slot (queue time plus header-driven pauses). */
    private readonly onWait: (ms: number) => void,
  ) {
    this.limit = limit;
    this.intervalMs = intervalMs;
    this.queue = this.createQueue();
  }

  /** The calls per interval we allow ourselves right now. */
  get allowance(): number {
    return budgetFor(this.limit);
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    const enqueuedAt = Date.now();
    // A queue replaced after a shrink keeps draining what it already holds; new calls use the new one.
    const result = await this.queue.add(async () => {
      const pause = this.resumeAt - Date.now();
      if (pause > 0) await new Promise((resolve) => setTimeout(resolve, pause));
      const waited = Date.now() - enqueuedAt;
      if (waited > 0) this.onWait(waited);
      return task();
    });
    return result as T;
  }

  /** Adapts to the rate-limit headers of a response. */
  observe(headers: RateLimitHeaders): void {
    const intervalMs = headers.intervalMs && headers.intervalMs > 0 ? headers.intervalMs : this.intervalMs;
    if (headers.max !== undefined && headers.max > 0 && (headers.max < this.limit || intervalMs !== this.intervalMs)) {
      this.limit = Math.min(this.limit, headers.max);
      this.intervalMs = intervalMs;
      this.queue = this.createQueue();
    }
    if (headers.remaining !== undefined && headers.max !== undefined && headers.max > 0) {
      const pause = reservePauseMs(headers.max, headers.remaining, this.intervalMs);
      if (pause > 0) this.resumeAt = Math.max(this.resumeAt, Date.now() + pause);
    }
  }

  /** After a 429 every queued call would hit the wall too: hold them all for the back-off. */
  holdFor(ms: number): void {
    this.resumeAt = Math.max(this.resumeAt, Date.now() + ms);
  }

  async idle(): Promise<void> {
    await this.queue.onIdle();
  }

  clear(): void {
    this.queue.clear();
  }

  private createQueue(): PQueue {
    return new PQueue({ concurrency: this.concurrency, interval: this.intervalMs, intervalCap: this.allowance, strict: true });
  }
}
