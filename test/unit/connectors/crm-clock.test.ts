import { describe, expect, it } from 'vitest';
import { CrmClock, IMPLAUSIBLE_SKEW_MS, OFFSET_WINDOW_MS, SKEW_REPORT_MS } from '../../../src/connectors/crm-clock.js';

/** A Date header as an HTTP server writes it: whole seconds. */
const dateHeader = (ms: number) => new Date(ms).toUTCString();
const start = Date.parse('2026-03-01T12:00:00.400Z');

/** A CrmClock on a clock the test moves, with the skews it reported. */
function clockAt(local = start) {
  const state = { local, reported: [] as number[] };
  const clock = new CrmClock(() => state.local, (skew) => state.reported.push(skew));
  return { clock, state };
}

describe('CrmClock', () => {
  it('stamps with our clock until a response says otherwise, and ignores missing, malformed and implausible Date headers', () => {
    const { clock, state } = clockAt();
    clock.observe(undefined);
    clock.observe('not a date');
    clock.observe(dateHeader(0));
    clock.observe(dateHeader(start - IMPLAUSIBLE_SKEW_MS - 1000));
    expect(clock.now()).toBe(start);
    expect(state.reported).toEqual([]);
  });

  it("stamps with the CRM's time when its clock is behind ours, erring early by the header's rounding", () => {
    const { clock } = clockAt();
    clock.observe([dateHeader(start - 10 * 60_000)]);
    // The header drops the 400 ms: the estimate is that much earlier, the safe side.
    expect(clock.now()).toBe(start - 10 * 60_000 - 400);
  });

  it('keeps our clock when the CRM runs ahead: our earlier time only widens the re-read', () => {
    const { clock, state } = clockAt();
    clock.observe(dateHeader(start + 3_600_000));
    expect(clock.now()).toBe(start);
    expect(state.reported).toEqual([3_600_000 - 400]);
  });

  it('keeps the earliest estimate of the last OFFSET_WINDOW_MS, so one odd response does not undo the correction', () => {
    const { clock, state } = clockAt();
    clock.observe(dateHeader(start - 10 * 60_000));
    state.local += 60_000;
    clock.observe(dateHeader(state.local)); // a proxy's page with our own time
    expect(clock.now()).toBe(state.local - 10 * 60_000 - 400);
    // Once the window has passed, newer estimates count again.
    state.local += OFFSET_WINDOW_MS;
    clock.observe(dateHeader(state.local - 2 * 60_000));
    expect(clock.now()).toBe(state.local - 2 * 60_000 - 400);
  });

  it('reports a skew past SKEW_REPORT_MS once, again when it moves by more than that, and after it was gone', () => {
    const { clock, state } = clockAt();
    for (const skew of [-5_000, -10 * 60_000, -10 * 60_000 - 2_000, -11 * 60_000 - SKEW_REPORT_MS, -50_000, -70_000, -40_000, -70_000, 0, -10 * 60_000]) {
      clock.observe(dateHeader(start + skew));
    }
    // -50 s and -40 s are not "gone" (hysteresis): the flapping around a minute is reported once.
    expect(state.reported).toEqual([-600_400, -720_400, -70_400, -600_400]);
  });
});
