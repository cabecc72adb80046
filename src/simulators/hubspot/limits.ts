/**
 * HubSpot's request limits: a rolling 10-second window plus a daily cap for the general API,
 * and a separate per-second limit for search. The window is a queue of arrival times, so
 * checking costs O(1) amortized even when a benchmark lifts the limit to millions.
 */
export interface RateLimitOptions {
  /** Requests per rolling window (HubSpot Professional private apps: 190 per 10 s). */
  perTenSeconds?: number;
  daily?: number;
  windowMs?: number;
}

class RollingWindow {
  private times: number[] = [];
  private head = 0;

  constructor(readonly max: number, readonly windowMs: number) {}

  /** Count of requests inside the window ending at `now`. */
  used(now: number): number {
    const cutoff = now - this.windowMs;
    while (this.head < this.times.length && (this.times[this.head] as number) <= cutoff) this.head++;
    // Compact now and then so the array does not grow without bound.
    if (this.head > 4096 && this.head * 2 > this.times.length) {
      this.times = this.times.slice(this.head);
      this.head = 0;
    }
    return this.times.length - this.head;
  }

  /** Records the request if there is room; false when the window is full. */
  take(now: number): boolean {
    if (this.used(now) >= this.max) return false;
    this.times.push(now);
    return true;
  }

  reset(): void {
    this.times = [];
    this.head = 0;
  }
}

export type LimitDecision =
  | { allowed: true; headers: Record<string, string> }
  | { allowed: false; policy: 'TEN_SECONDLY_ROLLING' | 'DAILY' | 'SECONDLY'; headers: Record<string, string> };

export class HubspotLimits {
  private general: RollingWindow;
  private search: RollingWindow;
  readonly daily: number;
  private dailyUsed = 0;
  private day: number;

  constructor(options: RateLimitOptions = {}, searchPerSecond = 5) {
    this.general = new RollingWindow(options.perTenSeconds ?? 190, options.windowMs ?? 10_000);
    this.search = new RollingWindow(searchPerSecond, 1000);
    this.daily = options.daily ?? 625_000;
    this.day = utcDay(Date.now());
  }

  get perWindow(): number {
    return this.general.max;
  }

  /** General API call: counts against the window and the daily cap, answers with headers. */
  checkGeneral(now = Date.now()): LimitDecision {
    this.rollDay(now);
    if (this.dailyUsed >= this.daily) {
      return { allowed: false, policy: 'DAILY', headers: this.headers(now) };
    }
    if (!this.general.take(now)) {
      return { allowed: false, policy: 'TEN_SECONDLY_ROLLING', headers: this.headers(now) };
    }
    this.dailyUsed++;
    return { allowed: true, headers: this.headers(now) };
  }

  /** Search has its own per-second limit and HubSpot sends no rate-limit headers with it. */
  checkSearch(now = Date.now()): LimitDecision {
    this.rollDay(now);
    if (this.dailyUsed >= this.daily) return { allowed: false, policy: 'DAILY', headers: {} };
    if (!this.search.take(now)) return { allowed: false, policy: 'SECONDLY', headers: {} };
    this.dailyUsed++;
    return { allowed: true, headers: {} };
  }

  reset(): void {
    this.general.reset();
    this.search.reset();
    this.dailyUsed = 0;
  }

  /** For tests: pretend the account already spent this many calls today. */
  setDailyUsed(used: number): void {
    this.dailyUsed = used;
  }

  private headers(now: number): Record<string, string> {
    return {
      'X-HubSpot-RateLimit-Max': String(this.general.max),
      'X-HubSpot-RateLimit-Remaining': String(Math.max(0, this.general.max - this.general.used(now))),
      'X-HubSpot-RateLimit-Interval-Milliseconds': String(this.general.windowMs),
      'X-HubSpot-RateLimit-Daily': String(this.daily),
      'X-HubSpot-RateLimit-Daily-Remaining': String(Math.max(0, this.daily - this.dailyUsed)),
    };
  }

  private rollDay(now: number): void {
    const today = utcDay(now);
    if (today !== this.day) {
      this.day = today;
      this.dailyUsed = 0;
    }
  }
}

function utcDay(ms: number): number {
  return Math.floor(ms / 86_400_000);
}

/** 429 bodies as HubSpot documents them; connectors read policyName to choose a back-off. */
export function rateLimitBody(policy: 'TEN_SECONDLY_ROLLING' | 'DAILY' | 'SECONDLY', correlationId: string): Record<string, string> {
  const message =
    policy === 'DAILY'
      ? 'You have reached your daily limit.'
      : policy === 'SECONDLY'
        ? 'You have reached your secondly limit.'
        : 'You have reached your ten_secondly_rolling limit.';
  return {
    status: 'error',
    message,
    errorType: 'RATE_LIMIT',
    correlationId,
    policyName: policy,
    category: 'RATE_LIMITS',
  };
}
