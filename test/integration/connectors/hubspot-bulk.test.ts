import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StreamPosition } from '../../../src/connectors/types.js';
import { startHubspotSimulator, type HubspotSimulator } from '../../../src/simulators/hubspot/index.js';
import { connectorFor, pullAll, stream } from './hubspot-helpers.js';

/**
 * Search never pages past 10,000 results (HubSpot answers 400). An incremental run over more
 * changes than that, most of them at one single instant, must still read every record.
 */
let sim: HubspotSimulator;
const ONE_INSTANT = 10_500;
const SPREAD = 1_500;

beforeAll(async () => {
  sim = await startHubspotSimulator({ seed: 3, contacts: 20, rateLimit: false });
  for (let i = 0; i < ONE_INSTANT + SPREAD; i++) {
    const created = sim.store.create('contacts', { email: `bulk-${i}@example.com`, lastname: `Bulk ${i}` });
    if (!created.ok) throw new Error(created.error.message);
  }
});

afterAll(async () => {
  await sim?.close();
});

describe('HubSpot incremental beyond the search cap', () => {
  it('reads more than 10,000 records sharing one lastmodifieddate, then the later ones, without a 400', async () => {
    const instant = Date.parse('2026-02-01T12:00:00.000Z');
    const ids = sim.store.allRecords('contacts').map((r) => r.id);
    const atOnce = ids.slice(0, ONE_INSTANT + 20);
    const spread = ids.slice(ONE_INSTANT + 20);
    sim.control.touch('contacts', atOnce, instant);
    spread.forEach((id, i) => sim.control.touch('contacts', [id], instant + 1 + i));

    const connector = connectorFor(sim, { settings: { overlapMs: 0 } });
    const since = new Date(instant).toISOString();
    const from: StreamPosition = { phase: 'INCREMENTAL', cursor: { stage: 'changes', since, deletedSince: since, deletionsAfter: null, sweepStartedAt: null } };
    sim.control.resetCounters();
    const outcome = await pullAll(connector, stream(connector, 'contacts'), from);
    await connector.close();

    const seen = outcome.records.map((r) => r.record.remoteId);
    expect(new Set(seen).size).toBe(ids.length);
    expect(seen.length).toBe(ids.length);
    expect(sim.control.requests().filter((r) => r.status === 400)).toEqual([]);
    const lastSince = Date.parse((outcome.last.cursor as { since: string }).since);
    expect(lastSince).toBe(instant + spread.length);
    // Inside the crowded instant the pages went by hs_object_id, 200 at a time.
    expect(outcome.pages.filter((p) => p.records.length > 0).length).toBeGreaterThanOrEqual(Math.ceil(ids.length / 200));

    // A crash inside the crowded instant: resuming from the last saved position loses nothing.
    const resumed = connectorFor(sim, { settings: { overlapMs: 0 } });
    const contacts = stream(resumed, 'contacts');
    const beforeCrash = new Set<string>();
    let saved = from;
    for await (const page of resumed.pull(contacts, from)) {
      page.records.forEach((r) => beforeCrash.add(String(r.id)));
      saved = page.next;
      if (beforeCrash.size >= 3000) break;
    }
    const afterCrash = await pullAll(resumed, contacts, saved);
    await resumed.close();
    const union = new Set([...beforeCrash, ...afterCrash.records.map((r) => r.record.remoteId)]);
    expect(union.size).toBe(ids.length);
    expect(Date.parse((afterCrash.last.cursor as { since: string }).since)).toBe(lastSince);
  });
});
