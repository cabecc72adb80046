import { describe, expect, it } from 'vitest';
import { reservePauseMs } from '../../../src/connectors/hubspot/budget.js';

describe('reservePauseMs', () => {
  it('holds calls only once the account is below half of its 20% reserve, one slot per missing call', () => {
    // 190 per 10 s: reserve 38 calls, half 19; a slot is 53 ms.
    expect(reservePauseMs(190, 20, 10_000)).toBe(0);
    expect(reservePauseMs(190, 19, 10_000)).toBe(53);
    expect(reservePauseMs(190, 0, 10_000)).toBe(53 * 20);
  });

  it('never holds longer than one interval, whatever maximum is advertised', () => {
    expect(reservePauseMs(Number.MAX_SAFE_INTEGER, 0, 10_000)).toBe(10_000);
    expect(reservePauseMs(10, 0, 10_000)).toBeLessThanOrEqual(10_000);
  });
});
