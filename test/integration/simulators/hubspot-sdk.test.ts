/**
 * The official @hubspot/api-client pointed at the simulator: if HubSpot's own SDK can page,
 * search, batch, associate and refresh tokens against it, our response shapes are right.
 */
import { Client } from '@hubspot/api-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PRIVATE_APP_TOKEN, startHubspotSimulator, type HubspotSimulator } from '../../../src/simulators/hubspot/index.js';

let sim: HubspotSimulator;
let client: Client;

beforeAll(async () => {
  sim = await startHubspotSimulator({
    seed: 3,
    contacts: 400,
    searchPerSecond: 1000,
    rateLimit: { perTenSeconds: 10_000 },
    auth: { privateAppTokens: [DEFAULT_PRIVATE_APP_TOKEN], oauth: { clientId: 'cid', clientSecret: 'sec', refreshTokens: ['rt'] } },
  });
  client = new Client({ accessToken: DEFAULT_PRIVATE_APP_TOKEN, basePath: sim.url, numberOfApiCallRetries: 0 });
});
afterAll(async () => sim.close());

describe('official HubSpot SDK against the simulator', () => {
  it('pages contacts and getAll collects every one', async () => {
    const page = await client.crm.contacts.basicApi.getPage(50, undefined, ['email', 'lifecyclestage']);
    expect(page.results).toHaveLength(50);
    expect(page.results[0]?.createdAt).toBeInstanceOf(Date);
    expect(page.paging?.next?.after).toBeDefined();
    const all = await client.crm.contacts.getAll(100);
    expect(all).toHaveLength(sim.store.count('contacts'));
  });

  it('searches with filters and sorts', async () => {
    const result = await client.crm.contacts.searchApi.doSearch({
      filterGroups: [{ filters: [{ propertyName: 'lifecyclestage', operator: 'EQ' as never, value: 'customer' }] }],
      sorts: ['lastmodifieddate'],
      properties: ['lifecyclestage'],
      limit: 100,
      after: '0',
    });
    expect(result.total).toBeGreaterThan(0);
    expect(result.results.every((r) => r.properties.lifecyclestage === 'customer')).toBe(true);
  });

  it('gets a 207 batch result with errors, and a 409 as an exception', async () => {
    const batch = await client.crm.contacts.batchApi.read({ inputs: [{ id: '101' }, { id: '987654321' }], properties: ['email'], propertiesWithHistory: [] });
    expect(batch.results.map((r) => r.id)).toEqual(['101']);
    expect('numErrors' in batch ? batch.numErrors : 0).toBe(1);
    const email = sim.store.get('contacts', '101')?.properties.email;
    expect(email).toBeTruthy();
    await expect(client.crm.contacts.basicApi.create({ properties: { email: String(email) }, associations: [] })).rejects.toMatchObject({ code: 409 });
  });

  it('reads properties, owners and v4 associations', async () => {
    const properties = await client.crm.properties.coreApi.getAll('deals');
    expect(properties.results.find((p) => p.name === 'dealstage')?.options.map((o) => o.label)).toContain('Closed Won');
    const owners = await client.crm.owners.ownersApi.getPage(undefined, undefined, 100);
    expect(owners.results.length).toBe(sim.store.owners.length);
    const contactId = sim.store.page('contacts', { archived: false, after: 0, limit: 400 }).records.find((r) => r.properties.associatedcompanyid)?.id ?? '';
    const associations = await client.crm.associations.v4.basicApi.getPage('contacts', contactId, 'companies');
    expect(associations.results[0]?.associationTypes.map((t) => t.typeId).sort((a, b) => a - b)).toEqual([1, 279]);
    const created = await client.crm.associations.v4.basicApi.create('contacts', contactId, 'deals', String(sim.store.page('deals', { archived: false, after: 0, limit: 1 }).records[0]?.id), [
      { associationCategory: 'HUBSPOT_DEFINED' as never, associationTypeId: 4 },
    ]);
    expect(String(created.fromObjectId)).toBe(contactId);
  });

  it('refreshes an OAuth token through the SDK and uses it', async () => {
    const tokens = await client.oauth.tokensApi.create('refresh_token', undefined, undefined, 'cid', 'sec', 'rt');
    expect(tokens.expiresIn).toBe(1800);
    const oauthClient = new Client({ accessToken: tokens.accessToken, basePath: sim.url, numberOfApiCallRetries: 0 });
    const page = await oauthClient.crm.companies.basicApi.getPage(5);
    expect(page.results).toHaveLength(5);
  });
});
