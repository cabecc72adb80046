import { describe, expect, it } from 'vitest';
import { FaultInjector } from '../../../src/simulators/shared/faults.js';
import { RequestLog } from '../../../src/simulators/shared/request-log.js';
import { SortedIds } from '../../../src/simulators/hubspot/sorted-ids.js';

describe('FaultInjector', () => {
  it('matches by regex on "METHOD /path" and honours count', () => {
    const faults = new FaultInjector();
    faults.add({ match: '^POST /crm/v3/objects/contacts/search$', kind: 'rateLimit', count: 2 });
    expect(faults.next('GET', '/crm/v3/objects/contacts')).toBeUndefined();
    expect(faults.next('POST', '/crm/v3/objects/contacts/search')?.kind).toBe('rateLimit');
    expect(faults.next('POST', '/crm/v3/objects/contacts/search')?.kind).toBe('rateLimit');
    expect(faults.next('POST', '/crm/v3/objects/contacts/search')).toBeUndefined();
    expect(faults.list()).toHaveLength(0);
  });

  it('starts after N matching calls', () => {
    const faults = new FaultInjector();
    faults.add({ kind: 'expireToken', afterCalls: 3, count: 1 });
    const hits = Array.from({ length: 6 }, () => faults.next('GET', '/x')?.kind ?? null);
    expect(hits).toEqual([null, null, null, 'expireToken', null, null]);
  });

  it('fires at roughly its rate, the same way for the same seed', () => {
    const run = (): boolean[] => {
      const faults = new FaultInjector(99);
      faults.add({ kind: 'status', status: 503, rate: 0.2 });
      return Array.from({ length: 2000 }, () => faults.next('GET', '/x') !== undefined);
    };
    const first = run();
    expect(run()).toEqual(first);
    const rate = first.filter(Boolean).length / 2000;
    expect(rate).toBeGreaterThan(0.17);
    expect(rate).toBeLessThan(0.23);
  });

  it('returns the first hitting rule and clear() disarms everything', () => {
    const faults = new FaultInjector();
    const latency = faults.add({ kind: 'latency', latencyMs: 5 });
    faults.add({ kind: 'status', status: 500 });
    expect(faults.next('GET', '/a')?.id).toBe(latency.id);
    expect(faults.remove(latency.id)).toBe(true);
    expect(faults.next('GET', '/a')?.kind).toBe('status');
    faults.clear();
    expect(faults.next('GET', '/a')).toBeUndefined();
  });
});

describe('RequestLog', () => {
  it('keeps the newest entries in order and counts all', () => {
    const log = new RequestLog(3);
    for (let i = 0; i < 5; i++) log.push({ method: 'GET', path: `/${i}`, status: 200, at: i, durationMs: 1 });
    expect(log.list().map((e) => e.path)).toEqual(['/2', '/3', '/4']);
    expect(log.total).toBe(5);
    log.clear();
    expect(log.list()).toEqual([]);
  });
});

describe('SortedIds', () => {
  it('pages from an id and reports the next one', () => {
    const ids = new SortedIds();
    for (const id of [5, 1, 3, 9, 7]) ids.insert(id);
    expect(ids.page(0, 2)).toEqual({ ids: [1, 3], nextId: 5 });
    expect(ids.page(4, 10)).toEqual({ ids: [5, 7, 9], nextId: undefined });
    ids.remove(7);
    expect(ids.page(6, 10).ids).toEqual([9]);
  });
});
