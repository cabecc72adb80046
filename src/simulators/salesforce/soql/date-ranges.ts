/**
 * SOQL date literals (TODAY, LAST_N_DAYS:n, …) as half-open UTC ranges [start, end). Salesforce
 * evaluates them in the running user's time zone; the simulator's users all live in UTC.
 */
import type { DateRangeName } from './ast.js';
import { DAY_MS, startOfUtcDay } from '../values.js';

export function dateRange(name: DateRangeName, n: number, nowMs: number): { start: number; end: number } {
  const today = startOfUtcDay(nowMs);
  const now = new Date(nowMs);
  switch (name) {
    case 'TODAY':
      return { start: today, end: today + DAY_MS };
    case 'YESTERDAY':
      return { start: today - DAY_MS, end: today };
    case 'TOMORROW':
      return { start: today + DAY_MS, end: today + 2 * DAY_MS };
    case 'LAST_N_DAYS':
      // Includes today and the n days before it.
      return { start: today - n * DAY_MS, end: today + DAY_MS };
    case 'NEXT_N_DAYS':
      return { start: today, end: today + (n + 1) * DAY_MS };
    case 'THIS_MONTH':
      return {
        start: Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1),
        end: Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1),
      };
    case 'LAST_MONTH':
      return {
        start: Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1),
        end: Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1),
      };
    case 'THIS_YEAR':
      return { start: Date.UTC(now.getUTCFullYear(), 0, 1), end: Date.UTC(now.getUTCFullYear() + 1, 0, 1) };
  }
}
