/**
 * Search semantics the connector's incremental sync depends on: operators, typed
 * comparisons, sorting and paging, the 10,000-result cap, the separate per-second limit
 * without rate-limit headers, and indexing lag.
 */
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PRIVATE_APP_TOKEN, startHubspotSimulator, type HubspotSimulator } from '../../../src/simulators/hubspot/index.js';

interface SearchPage {
  total: number;
  results: { id: string; properties: Record<string, string | null> }[];
  paging?: { next: { after: string } };
}

async function search(sim: HubspotSimulator, type: string, body: unknown): Promise<{ status: number; body: SearchPage & Record<string, unknown>; headers: Record<string, unknown> }> {
  const response = await request(`${sim.url}/crm/v3/objects/${type}/search`, {
    method: 'POST',
    headers: { authorization: `Bearer ${DEFAULT_PRIVATE_APP_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.statusCode, body: (await response.body.json()) as SearchPage & Record<string, unknown>, headers: response.headers };
}

const eq = (propertyName: string, operator: string, extra: Record<string, unknown> = {}): unknown => ({ filterGroups: [{ filters: [{ propertyName, operator, ...extra }] }], limit: 200 });

describe('search operators', () => {
  let sim: HubspotSimulator;
  const ids: string[] = [];
  beforeAll(async () => {
    sim = await startHubspotSimulator({ searchPerSecond: 1000 });
    const rows: Record<string, string | number | null>[] = [
      { email: 'ana@acme.example', firstname: 'Ana', lifecyclestage: 'lead', engagement_score: 10, product_interest: 'analytics;automation' },
      { email: 'BEN@Acme.example', firstname: 'Ben', lifecyclestage: 'customer', engagement_score: 90, product_interest: 'integrations' },
      { email: 'zoe@other.example', firstname: 'Zoë', lifecyclestage: 'customer', engagement_score: 55 },
      { email: null, firstname: "O'Brien", lifecyclestage: null, engagement_score: null },
    ];
    for (const [i, row] of rows.entries()) {
      const record = sim.control.create('contacts', row);
      sim.control.touch('contacts', [record.id], Date.UTC(2025, 0, 1 + i));
      ids.push(record.id);
    }
  });
  afterAll(async () => sim.close());

  const found = async (body: unknown): Promise<string[]> => {
    const res = await search(sim, 'contacts', body);
    expect(res.status).toBe(200);
    expect(res.body.total).toBe(res.body.results.length);
    return res.body.results.map((r) => r.id);
  };

  it('EQ / NEQ compare text case-insensitively', async () => {
    expect(await found(eq('email', 'EQ', { value: 'ben@acme.example' }))).toEqual([ids[1]]);
    expect(await found(eq('lifecyclestage', 'NEQ', { value: 'customer' }))).toEqual([ids[0], ids[3]]);
  });

  it('LT/LTE/GT/GTE/BETWEEN compare numbers numerically and dates as instants (epoch ms or ISO)', async () => {
    expect(await found(eq('engagement_score', 'GT', { value: '9' }))).toEqual([ids[0], ids[1], ids[2]]);
    expect(await found(eq('engagement_score', 'LTE', { value: 55 }))).toEqual([ids[0], ids[2]]);
    expect(await found(eq('engagement_score', 'BETWEEN', { value: '11', highValue: '90' }))).toEqual([ids[1], ids[2]]);
    const jan2 = Date.UTC(2025, 0, 2);
    expect(await found(eq('lastmodifieddate', 'GTE', { value: String(jan2) }))).toEqual([ids[1], ids[2], ids[3]]);
    expect(await found(eq('lastmodifieddate', 'LT', { value: '2025-01-02T00:00:00.000Z' }))).toEqual([ids[0]]);
    expect(await found(eq('hs_object_id', 'GT', { value: ids[2] }))).toEqual([ids[3]]);
  });

  it('IN / NOT_IN, HAS_PROPERTY / NOT_HAS_PROPERTY, CONTAINS_TOKEN with wildcards', async () => {
    expect(await found(eq('lifecyclestage', 'IN', { values: ['lead', 'customer'] }))).toEqual([ids[0], ids[1], ids[2]]);
    expect(await found(eq('product_interest', 'IN', { values: ['automation'] }))).toEqual([ids[0]]);
    expect(await found(eq('lifecyclestage', 'NOT_IN', { values: ['customer'] }))).toEqual([ids[0], ids[3]]);
    expect(await found(eq('email', 'HAS_PROPERTY'))).toEqual([ids[0], ids[1], ids[2]]);
    expect(await found(eq('email', 'NOT_HAS_PROPERTY'))).toEqual([ids[3]]);
    expect(await found(eq('email', 'CONTAINS_TOKEN', { value: '*@acme.example' }))).toEqual([ids[0], ids[1]]);
  });

  it('ORs groups, ANDs filters, sorts and pages by offset', async () => {
    const body = {
      filterGroups: [
        { filters: [{ propertyName: 'lifecyclestage', operator: 'EQ', value: 'customer' }, { propertyName: 'engagement_score', operator: 'GT', value: '60' }] },
        { filters: [{ propertyName: 'firstname', operator: 'EQ', value: 'ana' }] },
      ],
      sorts: [{ propertyName: 'engagement_score', direction: 'DESCENDING' }],
      limit: 1,
    };
    const first = await search(sim, 'contacts', body);
    expect(first.body.total).toBe(2);
    expect(first.body.results.map((r) => r.id)).toEqual([ids[1]]);
    expect(first.body.paging?.next.after).toBe('1');
    const second = await search(sim, 'contacts', { ...body, after: first.body.paging?.next.after });
    expect(second.body.results.map((r) => r.id)).toEqual([ids[0]]);
    expect(second.body.paging).toBeUndefined();
  });

  it('rejects more than 5 groups, more than 25 filters and limits above 200', async () => {
    const filter = { propertyName: 'email', operator: 'HAS_PROPERTY' };
    expect((await search(sim, 'contacts', { filterGroups: Array.from({ length: 6 }, () => ({ filters: [filter] })) })).status).toBe(400);
    expect((await search(sim, 'contacts', { filterGroups: [{ filters: Array.from({ length: 26 }, () => filter) }] })).status).toBe(400);
    const tooBig = await search(sim, 'contacts', { limit: 201 });
    expect(tooBig.status).toBe(400);
    expect(tooBig.body.category).toBe('VALIDATION_ERROR');
  });
});

describe('search at scale and under limits', () => {
  let sim: HubspotSimulator;
  const instant = Date.UTC(2025, 5, 1);
  beforeAll(async () => {
    sim = await startHubspotSimulator({ searchPerSecond: 1000 });
    for (let i = 0; i < 10_050; i++) sim.store.create('notes', { hs_note_body: `n${i}` });
    sim.control.touch('notes', 'all', instant);
  });
  afterAll(async () => sim.close());

  it('refuses to page past 10,000 results of one query, but windowing by hs_object_id reaches the rest', async () => {
    const body = { filterGroups: [{ filters: [{ propertyName: 'hs_lastmodifieddate', operator: 'EQ', value: String(instant) }] }], limit: 200 };
    const lastAllowed = await search(sim, 'notes', { ...body, after: '9800' });
    expect(lastAllowed.status).toBe(200);
    expect(lastAllowed.body.total).toBe(10_050);
    expect(lastAllowed.body.paging?.next.after).toBe('10000');
    const beyond = await search(sim, 'notes', { ...body, after: '10000' });
    expect(beyond.status).toBe(400);
    expect(beyond.body).toMatchObject({ status: 'error', category: 'VALIDATION_ERROR' });
    const lastId = lastAllowed.body.results.at(-1)?.id ?? '';
    const rest = await search(sim, 'notes', {
      filterGroups: [{ filters: [...body.filterGroups[0]!.filters, { propertyName: 'hs_object_id', operator: 'GT', value: lastId }] }],
      sorts: [{ propertyName: 'hs_object_id', direction: 'ASCENDING' }],
      limit: 200,
    });
    expect(rest.body.total).toBe(50);
  });

  it('hides records written within the indexing lag', async () => {
    sim.control.setSearchLag(60_000);
    const fresh = sim.control.create('contacts', { email: 'fresh@lag.example' });
    const lagged = await search(sim, 'contacts', eq('email', 'EQ', { value: 'fresh@lag.example' }));
    expect(lagged.body.total).toBe(0);
    sim.control.setSearchLag(0);
    const visible = await search(sim, 'contacts', eq('email', 'EQ', { value: 'fresh@lag.example' }));
    expect(visible.body.results.map((r) => r.id)).toEqual([fresh.id]);
  });
});

describe('search rate limit', () => {
  it('allows 5 searches a second, answers the rest with a secondly 429, and sends no rate-limit headers', async () => {
    const sim = await startHubspotSimulator();
    try {
      // Ten at once: whatever the scheduling, no more than five fit in one second.
      const responses = await Promise.all(Array.from({ length: 10 }, () => search(sim, 'contacts', { limit: 1 })));
      const ok = responses.filter((r) => r.status === 200).length;
      expect(ok).toBeGreaterThanOrEqual(5);
      expect(responses.filter((r) => r.status === 429).length).toBe(10 - ok);
      const limited = responses.find((r) => r.status === 429);
      expect(limited?.body).toMatchObject({ status: 'error', errorType: 'RATE_LIMIT', message: 'You have reached your secondly limit.' });
      for (const r of responses) expect(Object.keys(r.headers).some((h) => h.startsWith('x-hubspot-ratelimit'))).toBe(false);
    } finally {
      await sim.close();
    }
  });
});
