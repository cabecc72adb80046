import type { Logger } from '../log.js';

/**
 * The clock that stamps sync cursors (readAt, sweep starts, watermarks), shared by both
 * connectors. Those instants are compared with the CRM's own stamps (lastmodifieddate,
 * archivedAt, SystemModstamp) to place the next run's overlap. If our clock ran ahead of the
 * CRM's by more than the overlap (a VM or laptop clock that drifted), a change indexed or
 * committed late would fall before the next re-read and stay missing until a FULL pass.
 *
 * So every response's Date header is watched, and when the CRM's clock is behind ours, cursors
 * are stamped with the CRM's time. A CRM clock ahead of ours is not followed: stamping with our
 * earlier time only widens the re-read, while following a wrong Date into the future would
 * lose changes. Date headers carry whole seconds and are written before the response travels,
 * so the estimate errs early by up to a second plus the latency, the safe side too.
 *
 * One odd response (a proxy's error page, a stale cached answer) must not undo the correction:
 * the earliest estimate of the last OFFSET_WINDOW_MS is kept, and Dates more than a day off
 * are ignored.
 */
export class CrmClock {
  private offset: { ms: number; at: number } | null = null;
  /** The skew last reported to onSkew (0: none, or back within SKEW_CLEARED_MS since). */
  private reportedMs = 0;

  constructor(
    private readonly localNow: () => number = Date.now,
    /** Told when the skew first exceeds SKEW_REPORT_MS, and again when it has moved by more than that since. */
    private readonly onSkew?: (skewMs: number) => void,
  ) {}

  /** Takes the Date header of a response whose headers arrived just now. Missing or malformed ones are ignored. */
  observe(dateHeader: string | string[] | undefined): void {
    const date = Array.isArray(dateHeader) ? dateHeader[0] : dateHeader;
    const crmMs = date ? Date.parse(date) : Number.NaN;
    const at = this.localNow();
    const ms = crmMs - at;
    if (Number.isNaN(ms) || Math.abs(ms) > IMPLAUSIBLE_SKEW_MS) return;
    if (!this.offset || ms <= this.offset.ms || at - this.offset.at > OFFSET_WINDOW_MS) this.offset = { ms, at };
    if (Math.abs(ms) < SKEW_CLEARED_MS) this.reportedMs = 0;
    else if (Math.abs(ms) > SKEW_REPORT_MS && Math.abs(ms - this.reportedMs) > SKEW_REPORT_MS) {
      this.reportedMs = ms;
      this.onSkew?.(ms);
    }
  }

  /** The instant to stamp a cursor with: ours, or the CRM's when its clock is behind ours. */
  now(): number {
    const local = this.localNow();
    return this.offset === null ? local : local + Math.min(0, this.offset.ms);
  }
}

/** A skew worth a warning: well past a Date header's second of rounding and any latency. */
export const SKEW_REPORT_MS = 60_000;
/** Below this the skew counts as gone (hysteresis, so a skew near SKEW_REPORT_MS is not reported on every crossing). */
const SKEW_CLEARED_MS = 30_000;
/** How long the earliest estimate is kept over later, larger ones. */
export const OFFSET_WINDOW_MS = 15 * 60_000;
/** Farther off than this, a Date header is taken for a wrong one, not for the CRM's clock. */
export const IMPLAUSIBLE_SKEW_MS = 24 * 3_600_000;

/** The connectors' onSkew: one warning that says which way the clocks differ and what that does. */
export function warnOnSkew(logger: Logger, crm: string): (skewMs: number) => void {
  return (skewMs) =>
    skewMs < 0
      ? logger.warn({ skewMs }, `this server's clock is ${Math.round(-skewMs / 1000)} s ahead of ${crm}'s; sync cursors use ${crm}'s time: fix this server's clock`)
      : logger.warn({ skewMs }, `${crm}'s clock is ${Math.round(skewMs / 1000)} s ahead of this server's; incremental syncs re-read that much more: fix this server's clock`);
}
