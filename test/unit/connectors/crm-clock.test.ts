import { describe, expect, it } from 'vitest';
import { CrmClock, SKEW_REPORT_MS } from '../../../src/connectors/crm-clock.js';

/** A Date header as an HTTP server writes it: whole seconds. */
const dateHeader = (ms: number) => new Date(ms).toUTCString();

describe('CrmClock', () => {
  const local = Date.parse('2026-03-01T12:00:00.400Z');

  it('stamps with our clock until a response says otherwise, and ignores missing or malformed Date headers', () => {
    const clock = new CrmClock(() => local);
    expect(clock.now()).toBe(local);
    clock.observe(undefined);
    clock.observe('not a date');
    expect(clock.now()).toBe(local);
  });

  it("stamps with the CRM's time when its clock is behind ours, erring early by the header's rounding", () => {
    const clock = new CrmClock(() => local);
    clock.observe(dateHeader(local - 10 * 60_000));
    // The header drops the 400 ms: the estimate is that much earlier, the safe side.
    expect(clock.now()).toBe(local - 10 * 60_000 - 400);
    clock.observe([dateHeader(local - 30_000)]);
    expect(clock.now()).toBe(local - 30_400);
  });

  it('keeps our clock when the CRM runs ahead: our earlier time only widens the re-read', () => {
    const reported: number[] = [];
    const clock = new CrmClock(() => local, (skew) => reported.push(skew));
    clock.observe(dateHeader(local + 3_600_000));
    expect(clock.now()).toBe(local);
    expect(reported).toEqual([3_600_000 - 400]);
  });

  it('reports a skew past SKEW_REPORT_MS once, and again only when it moves by more than that', () => {
    const reported: number[] = [];
    const clock = new CrmClock(() => local, (skew) => reported.push(skew));
    clock.observe(dateHeader(local - 5_000));
    clock.observe(dateHeader(local - 10 * 60_000));
    clock.observe(dateHeader(local - 10 * 60_000 - 2_000));
    clock.observe(dateHeader(local - 10 * 60_000 - SKEW_REPORT_MS - 2_000));
    clock.observe(dateHeader(local));
    clock.observe(dateHeader(local - 10 * 60_000));
    expect(reported).toEqual([-10 * 60_000 - 400, -11 * 60_000 - 2_400, -10 * 60_000 - 400]);
  });
});
