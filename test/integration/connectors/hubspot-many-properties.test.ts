import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { propertyGroups } from '../../../src/connectors/hubspot/pull.js';
import { startHubspotSimulator, type HubspotSimulator } from '../../../src/simulators/hubspot/index.js';
import { connectorFor, pullAll, stream } from './hubspot-helpers.js';

/** Portals with hundreds of properties: the list URL is split by property groups, records merged by id. */
describe('HubSpot list pages with more properties than one URL holds', () => {
  let sim: HubspotSimulator;
  beforeAll(async () => {
    sim = await startHubspotSimulator({ seed: 12, contacts: 250, rateLimit: false });
  });
  afterAll(async () => {
    await sim?.close();
  });

  it('groups property names within the length limit, in order, losing none', () => {
    const names = ['firstname', 'lastname', 'email', 'jobtitle', 'lifecyclestage'];
    const groups = propertyGroups(names, 20);
    expect(groups.flat()).toEqual(names);
    for (const g of groups) expect(g.join(',').length).toBeLessThanOrEqual(20);
    expect(propertyGroups(names, 1000)).toEqual([names]);
  });

  it('reads the same records split across several calls per page as in one', async () => {
    const whole = connectorFor(sim);
    const split = connectorFor(sim, { settings: { maxPropertiesQueryLength: 100 } });
    sim.requests.clear();
    const expected = await pullAll(whole, stream(whole, 'contacts'), { phase: 'FULL', cursor: null });
    const wholeCalls = sim.requests.list().filter((r) => r.method === 'GET' && r.path.startsWith('/crm/v3/objects/contacts')).length;
    sim.requests.clear();
    const actual = await pullAll(split, stream(split, 'contacts'), { phase: 'FULL', cursor: null });
    const splitCalls = sim.requests.list().filter((r) => r.method === 'GET' && r.path.startsWith('/crm/v3/objects/contacts')).length;
    expect(splitCalls).toBeGreaterThan(wholeCalls);
    expect(actual.records.length).toBeGreaterThan(100);
    expect(actual.records.map((r) => r.record)).toEqual(expected.records.map((r) => r.record));
    await whole.close();
    await split.close();
  });
});
