/**
 * The org's daily API allowance, as Salesforce reports it in Sforce-Limit-Info
 * (`api-usage=18/15000`, which jsforce also keeps in conn.limitInfo). We allow ourselves a share
 * of it (80% by default): once our view of the usage crosses that line, calls stop with
 * `limit_exhausted` and a resume time, the engine pauses the connection, and the first call
 * after the pause probes again (its answer carries fresh usage).
 */
import { CrmError } from '../types.js';

const LIMIT_INFO = /api-usage=(\d+)\/(\d+)/;

export interface ApiUsage {
  used: number;
  limit: number;
}

export function parseLimitInfo(header: string | undefined): ApiUsage | undefined {
  const match = header ? LIMIT_INFO.exec(header) : null;
  return match ? { used: Number(match[1]), limit: Number(match[2]) } : undefined;
}

export class DailyBudget {
  private usage: ApiUsage | undefined;
  private blockedUntil = 0;

  constructor(
    private readonly fraction: number,
    private readonly resetEstimateMs: number,
    private readonly now: () => number,
  ) {}

  /** Latest usage Salesforce reported, if any call answered yet. */
  get lastUsage(): ApiUsage | undefined {
    return this.usage;
  }

  /** How many calls our share of the daily limit allows. */
  allowance(limit: number): number {
    return Math.floor(limit * this.fraction);
  }

  observe(usage: ApiUsage): void {
    this.usage = usage;
    if (usage.limit > 0 && usage.used >= this.allowance(usage.limit)) this.block();
  }

  /** Salesforce itself said the daily total is spent (REQUEST_LIMIT_EXCEEDED). */
  block(): void {
    this.blockedUntil = Math.max(this.blockedUntil, this.now() + this.resetEstimateMs);
  }

  resumeAt(): Date {
    return new Date(Math.max(this.blockedUntil, this.now() + this.resetEstimateMs));
  }

  /** Throws limit_exhausted while our share is spent. */
  check(): void {
    if (this.now() >= this.blockedUntil) return;
    const usage = this.usage ? ` (${this.usage.used}/${this.usage.limit} used, budget ${this.allowance(this.usage.limit)})` : '';
    throw new CrmError('SALESFORCE', 'limit_exhausted', `our share of the Salesforce daily API limit is spent${usage}`, {
      origin: 'us',
      crmCode: 'DAILY_BUDGET',
      resumeAt: new Date(this.blockedUntil),
    });
  }
}
