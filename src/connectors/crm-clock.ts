/**
 * The clock that stamps sync cursors (readAt, sweep starts, watermarks), shared by both
 * connectors. Those instants are compared with the CRM's own stamps (lastmodifieddate,
 * archivedAt, SystemModstamp) to place the next run's overlap. If our clock ran ahead of the
 * CRM's by more than the overlap (a VM or laptop clock that drifted), a change indexed or
 * committed late would fall before the next re-read and stay missing until a FULL pass.
 *
 * So every response's Date header is watched, and when the CRM's clock is behind ours, cursors
 * are stamped with the CRM's time. A CRM clock ahead of ours is ignored: stamping with our
 * earlier time only widens the re-read. Date headers carry whole seconds and are written before
 * the response travels, so the estimate errs early by up to a second plus the latency, which
 * is the safe direction too.
 */
export class CrmClock {
  private offsetMs: number | null = null;
  /** The skew last reported to onSkew (0: none, or back within SKEW_REPORT_MS since). */
  private reportedMs = 0;

  constructor(
    private readonly localNow: () => number = Date.now,
    /** Told when the skew first exceeds SKEW_REPORT_MS, and again when it has moved by more than that since. */
    private readonly onSkew?: (skewMs: number) => void,
  ) {}

  /** Takes the Date header of a response that arrived just now. Missing or malformed ones are ignored. */
  observe(dateHeader: string | string[] | undefined): void {
    const date = Array.isArray(dateHeader) ? dateHeader[0] : dateHeader;
    const crmMs = date ? Date.parse(date) : Number.NaN;
    if (Number.isNaN(crmMs)) return;
    const offsetMs = crmMs - this.localNow();
    this.offsetMs = offsetMs;
    if (Math.abs(offsetMs) <= SKEW_REPORT_MS) this.reportedMs = 0;
    else if (Math.abs(offsetMs - this.reportedMs) > SKEW_REPORT_MS) {
      this.reportedMs = offsetMs;
      this.onSkew?.(offsetMs);
    }
  }

  /** The instant to stamp a cursor with: ours, or the CRM's when its clock is behind ours. */
  now(): number {
    const local = this.localNow();
    return this.offsetMs === null ? local : local + Math.min(0, this.offsetMs);
  }
}

/** A skew worth a warning: well past a Date header's second of rounding and any latency. */
export const SKEW_REPORT_MS = 60_000;
