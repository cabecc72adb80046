/**
 * The HubSpot simulator's object, batch, association, property and owner endpoints over
 * real HTTP with undici, the way the connector calls them.
 */
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PRIVATE_APP_TOKEN, startHubspotSimulator, type HubspotSimulator } from '../../../src/simulators/hubspot/index.js';
import { generateWorld } from '../../../src/simulators/world/generator.js';

interface ApiObject {
  id: string;
  properties: Record<string, string | null>;
  createdAt: string;
  updatedAt: string;
  archived: boolean;
  associations?: Record<string, { results: { id: string; type: string }[] }>;
}
interface Page {
  results: ApiObject[];
  paging?: { next: { after: string; link: string } };
}

let sim: HubspotSimulator;
const world = generateWorld({ seed: 11, contacts: 300 });

async function api<T = unknown>(method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<{ status: number; body: T; headers: Record<string, string | string[] | undefined> }> {
  const response = await request(`${sim.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${DEFAULT_PRIVATE_APP_TOKEN}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.body.text();
  return { status: response.statusCode, body: (text ? JSON.parse(text) : undefined) as T, headers: response.headers };
}

beforeAll(async () => {
  sim = await startHubspotSimulator({ world, rateLimit: { perTenSeconds: 10_000 } });
});
afterAll(async () => {
  await sim.close();
});

describe('list and read', () => {
  it('pages through every HubSpot contact exactly once, with no paging on the last page', async () => {
    const expected = world.people.filter((p) => p.inHubspot).length;
    const seen = new Set<string>();
    let after: string | undefined;
    let pages = 0;
    for (;;) {
      const { status, body } = await api<Page>('GET', `/crm/v3/objects/contacts?limit=100${after ? `&after=${after}` : ''}`);
      expect(status).toBe(200);
      pages++;
      for (const r of body.results) seen.add(r.id);
      if (!body.paging) break;
      expect(body.paging.next.link).toContain(`after=${body.paging.next.after}`);
      after = body.paging.next.after;
    }
    expect(seen.size).toBe(expected);
    expect(pages).toBe(Math.ceil(expected / 100));
  });

  it('returns the default properties when none are named, and only string or null values', async () => {
    const { body } = await api<Page>('GET', '/crm/v3/objects/contacts');
    expect(body.results).toHaveLength(10);
    const first = body.results[0] as ApiObject;
    expect(Object.keys(first.properties).sort()).toEqual(['createdate', 'email', 'firstname', 'hs_object_id', 'lastmodifieddate', 'lastname']);
    const { body: deals } = await api<Page>('GET', '/crm/v3/objects/deals?limit=100&properties=amount,closedate,dealstage,deal_currency_code,nonexistent');
    for (const deal of deals.results) {
      expect(deal.properties).not.toHaveProperty('nonexistent');
      for (const value of Object.values(deal.properties)) expect(value === null || typeof value === 'string').toBe(true);
      if (deal.properties.amount !== null) expect(deal.properties.amount).toMatch(/^\d+$/);
      if (deal.properties.closedate !== null) expect(Number.isNaN(Date.parse(deal.properties.closedate as string))).toBe(false);
    }
  });

  it('accepts properties as repeated keys and returns multi-select values ;-separated', async () => {
    const { body } = await api<Page>('GET', '/crm/v3/objects/contacts?limit=100&properties=product_interest&properties=jobtitle');
    expect(body.results[0]?.properties).toHaveProperty('jobtitle');
    expect(body.results.some((r) => (r.properties.product_interest ?? '').includes(';'))).toBe(true);
  });

  it('includes v3 associations when asked', async () => {
    const { body } = await api<Page>('GET', '/crm/v3/objects/contacts?limit=100&associations=companies');
    const withCompany = body.results.find((r) => r.associations?.companies);
    expect(withCompany?.associations?.companies?.results.map((a) => a.type).sort()).toEqual(['contact_to_company', 'contact_to_company_unlabeled']);
  });

  it('reads by id and by email, case-insensitively', async () => {
    const person = world.people.find((p) => p.inHubspot && p.email !== null);
    const ref = sim.control.idFor(person?.key ?? '');
    const { status, body } = await api<ApiObject>('GET', `/crm/v3/objects/contacts/${ref?.id ?? ''}?properties=email,lifecyclestage`);
    expect(status).toBe(200);
    expect(body.properties.email).toBe(person?.email);
    const byEmail = await api<ApiObject>('GET', `/crm/v3/objects/contacts/${encodeURIComponent((person?.email ?? '').toUpperCase())}?idProperty=email`);
    expect(byEmail.body.id).toBe(ref?.id);
    const missing = await api<{ category: string; status: string }>('GET', '/crm/v3/objects/contacts/999999999');
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ status: 'error', category: 'OBJECT_NOT_FOUND' });
  });
});

describe('writes', () => {
  it('creates (201), rejects a duplicate email case-insensitively (409), updates and archives', async () => {
    const created = await api<ApiObject>('POST', '/crm/v3/objects/contacts', { properties: { email: 'new.person@example.com', firstname: 'Zoë', engagement_score: 42 } });
    expect(created.status).toBe(201);
    expect(created.body.properties.engagement_score).toBe('42');
    const id = created.body.id;

    const dup = await api<{ category: string; message: string }>('POST', '/crm/v3/objects/contacts', { properties: { email: 'NEW.PERSON@example.com' } });
    expect(dup.status).toBe(409);
    expect(dup.body.category).toBe('CONFLICT');
    expect(dup.body.message).toBe(`Contact already exists. Existing ID: ${id}`);

    await new Promise((r) => setTimeout(r, 5));
    const updated = await api<ApiObject>('PATCH', `/crm/v3/objects/contacts/${id}`, { properties: { lifecyclestage: 'salesqualifiedlead' } });
    expect(updated.status).toBe(200);
    expect(Date.parse(updated.body.updatedAt)).toBeGreaterThan(Date.parse(created.body.updatedAt));
    expect(updated.body.properties.lastmodifieddate).toBe(updated.body.updatedAt);

    expect((await api('DELETE', `/crm/v3/objects/contacts/${id}`)).status).toBe(204);
    expect((await api('GET', `/crm/v3/objects/contacts/${id}`)).status).toBe(404);
    const archived = await api<Page>('GET', `/crm/v3/objects/contacts?archived=true&limit=100`);
    expect(archived.body.results.map((r) => r.id)).toContain(id);
    expect(archived.body.results.every((r) => r.archived)).toBe(true);
  });

  it('rejects unknown properties, read-only properties and invalid options with 400 VALIDATION_ERROR', async () => {
    const unknown = await api<{ category: string; message: string }>('POST', '/crm/v3/objects/contacts', { properties: { email: 'a@b.example', ai_score: '9' } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.category).toBe('VALIDATION_ERROR');
    expect(unknown.body.message).toContain('PROPERTY_DOESNT_EXIST');
    const readOnly = await api<{ message: string }>('PATCH', `/crm/v3/objects/contacts/101`, { properties: { hs_object_id: '5' } });
    expect(readOnly.status).toBe(400);
    expect(readOnly.body.message).toContain('READ_ONLY_VALUE');
    const badOption = await api<{ message: string }>('PATCH', `/crm/v3/objects/contacts/101`, { properties: { lifecyclestage: 'Sales Qualified Lead' } });
    expect(badOption.status).toBe(400);
    expect(badOption.body.message).toContain('INVALID_OPTION');
  });

  it('creates a custom property, then accepts writes to it; a second create is 409', async () => {
    const def = { name: 'ai_fit_score', label: 'AI fit score', type: 'number', fieldType: 'number', groupName: 'contactinformation' };
    expect((await api('POST', '/crm/v3/properties/contacts', def)).status).toBe(201);
    expect((await api('POST', '/crm/v3/properties/contacts', def)).status).toBe(409);
    const write = await api<ApiObject>('PATCH', '/crm/v3/objects/contacts/101', { properties: { ai_fit_score: 87.5 } });
    expect(write.status).toBe(200);
    expect(write.body.properties.ai_fit_score).toBe('87.5');
  });
});

describe('properties and owners', () => {
  it('describes enumerations with labels that differ from values', async () => {
    const { body } = await api<{ results: { name: string; type: string; options: { value: string; label: string }[] }[] }>('GET', '/crm/v3/properties/contacts');
    const lifecycle = body.results.find((p) => p.name === 'lifecyclestage');
    expect(lifecycle?.type).toBe('enumeration');
    expect(lifecycle?.options).toContainEqual(expect.objectContaining({ value: 'salesqualifiedlead', label: 'Sales Qualified Lead' }));
    const companies = await api<{ results: { name: string; options: { value: string; label: string }[] }[] }>('GET', '/crm/v3/properties/companies');
    expect(companies.body.results.find((p) => p.name === 'industry')?.options).toContainEqual(expect.objectContaining({ value: 'COMPUTER_SOFTWARE', label: 'Computer Software' }));
    const deals = await api<{ results: { name: string; options: { value: string; label: string }[] }[] }>('GET', '/crm/v3/properties/deals');
    expect(deals.body.results.find((p) => p.name === 'dealstage')?.options).toContainEqual(expect.objectContaining({ value: 'closedwon', label: 'Closed Won' }));
  });

  it('lists owners with paging and filters by email', async () => {
    const first = await api<{ results: { id: string; email: string }[]; paging?: { next: { after: string } } }>('GET', '/crm/v3/owners?limit=5');
    expect(first.body.results).toHaveLength(5);
    expect(first.body.paging?.next.after).toBe('5');
    const owner = world.owners[2];
    const byEmail = await api<{ results: { email: string; firstName: string }[] }>('GET', `/crm/v3/owners?email=${encodeURIComponent(owner?.email ?? '')}`);
    expect(byEmail.body.results).toEqual([expect.objectContaining({ email: owner?.email, firstName: owner?.firstName })]);
  });
});

describe('batch', () => {
  it('reads 100 at most; missing ids make a 207 with grouped errors', async () => {
    const tooMany = await api('POST', '/crm/v3/objects/contacts/batch/read', { inputs: Array.from({ length: 101 }, (_, i) => ({ id: String(101 + i) })) });
    expect(tooMany.status).toBe(400);
    const partial = await api<{ status: string; results: ApiObject[]; numErrors: number; errors: { status: string; category: string; context: { ids: string[] } }[] }>(
      'POST', '/crm/v3/objects/contacts/batch/read', { inputs: [{ id: '102' }, { id: '424242' }, { id: '434343' }], properties: ['email'] });
    expect(partial.status).toBe(207);
    expect(partial.body.status).toBe('COMPLETE');
    expect(partial.body.results.map((r) => r.id)).toEqual(['102']);
    expect(partial.body.numErrors).toBe(2);
    expect(partial.body.errors).toEqual([expect.objectContaining({ status: 'error', category: 'OBJECT_NOT_FOUND', context: { ids: ['424242', '434343'] } })]);
    const full = await api('POST', '/crm/v3/objects/contacts/batch/read', { inputs: [{ id: '102' }] });
    expect(full.status).toBe(200);
  });

  it('updates with partial failure as 207', async () => {
    const res = await api<{ results: ApiObject[]; errors: { context: { ids: string[] } }[] }>('POST', '/crm/v3/objects/contacts/batch/update', {
      inputs: [{ id: '103', properties: { jobtitle: 'CRO' } }, { id: '999999', properties: { jobtitle: 'x' } }],
    });
    expect(res.status).toBe(207);
    expect(res.body.results[0]?.properties.jobtitle).toBe('CRO');
    expect(res.body.errors[0]?.context.ids).toEqual(['999999']);
  });

  it('upserts by email and says which records are new', async () => {
    const existing = sim.store.get('contacts', '104');
    const email = existing?.properties.email ?? '';
    const res = await api<{ results: (ApiObject & { new: boolean })[] }>('POST', '/crm/v3/objects/contacts/batch/upsert', {
      inputs: [
        { id: email.toUpperCase(), idProperty: 'email', properties: { jobtitle: 'Upserted' } },
        { id: 'brand.new@upsert.example', idProperty: 'email', properties: { firstname: 'Brand' } },
      ],
    });
    expect(res.status).toBe(200);
    const byNew = new Map(res.body.results.map((r) => [r.new, r]));
    expect(byNew.get(false)?.id).toBe('104');
    expect(byNew.get(true)?.properties.email).toBe('brand.new@upsert.example');
  });

  it('creates and archives in batch', async () => {
    const created = await api<{ results: ApiObject[] }>('POST', '/crm/v3/objects/notes/batch/create', {
      inputs: [{ properties: { hs_note_body: '<p>One &amp; two</p>', hs_timestamp: '2026-01-02T00:00:00Z' } }, { properties: { hs_note_body: 'Two' } }],
    });
    expect(created.status).toBe(201);
    expect(created.body.results).toHaveLength(2);
    expect(created.body.results[0]?.properties.hs_timestamp).toBe('2026-01-02T00:00:00.000Z');
    const ids = created.body.results.map((r) => ({ id: r.id }));
    expect((await api('POST', '/crm/v3/objects/notes/batch/archive', { inputs: ids })).status).toBe(204);
    expect((await api('GET', `/crm/v3/objects/notes/${ids[0]?.id ?? ''}`)).status).toBe(404);
  });
});

describe('associations v4', () => {
  it('reads a deal’s contacts and company with HubSpot type ids', async () => {
    const deal = world.deals.find((d) => d.contactKeys.some((k) => world.people.find((p) => p.key === k)?.inHubspot));
    const dealId = sim.control.idFor(deal?.key ?? '')?.id ?? '';
    const contacts = await api<{ results: { toObjectId: number; associationTypes: { category: string; typeId: number }[] }[] }>('GET', `/crm/v4/objects/deals/${dealId}/associations/contacts`);
    expect(contacts.status).toBe(200);
    expect(contacts.body.results.length).toBeGreaterThan(0);
    expect(contacts.body.results[0]?.associationTypes).toEqual([{ category: 'HUBSPOT_DEFINED', typeId: 3, label: null }]);
    const companies = await api<{ results: { associationTypes: { typeId: number }[] }[] }>('GET', `/crm/v4/objects/deals/${dealId}/associations/companies`);
    expect(companies.body.results[0]?.associationTypes.map((t) => t.typeId).sort((a, b) => a - b)).toEqual([5, 341]);
    const back = await api<{ results: { toObjectId: number; associationTypes: { typeId: number }[] }[] }>('GET', `/crm/v4/objects/contacts/${contacts.body.results[0]?.toObjectId ?? 0}/associations/deals`);
    expect(back.body.results.find((r) => String(r.toObjectId) === dealId)?.associationTypes[0]?.typeId).toBe(4);
  });

  it('batch-reads associations; records without any come back as errors (207)', async () => {
    const noteId = sim.control.idFor(world.activities.find((a) => a.kind === 'note' && world.people.find((p) => p.key === a.personKey)?.inHubspot)?.key ?? '')?.id ?? '';
    const res = await api<{ results: { from: { id: string }; to: { toObjectId: number; associationTypes: { typeId: number }[] }[] }[]; numErrors?: number }>(
      'POST', '/crm/v4/associations/notes/contacts/batch/read', { inputs: [{ id: noteId }, { id: '888888888' }] });
    expect(res.status).toBe(207);
    expect(res.body.results[0]?.from.id).toBe(noteId);
    expect(res.body.results[0]?.to[0]?.associationTypes[0]?.typeId).toBe(202);
    expect(res.body.numErrors).toBe(1);
  });

  it('creates with PUT and removes with DELETE', async () => {
    const put = await api<{ fromObjectId: number; toObjectId: number }>('PUT', '/crm/v4/objects/contacts/105/associations/companies/5000001', [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 279 }]);
    expect(put.status).toBe(201);
    expect(put.body).toMatchObject({ fromObjectId: 105, toObjectId: 5000001 });
    const fromCompany = await api<{ results: { toObjectId: number; associationTypes: { typeId: number }[] }[] }>('GET', '/crm/v4/objects/companies/5000001/associations/contacts');
    expect(fromCompany.body.results.find((r) => r.toObjectId === 105)?.associationTypes.map((t) => t.typeId)).toContain(280);
    const wrongType = await api('PUT', '/crm/v4/objects/contacts/105/associations/companies/5000001', [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 3 }]);
    expect(wrongType.status).toBe(400);
    expect((await api('DELETE', '/crm/v4/objects/contacts/105/associations/companies/5000001')).status).toBe(204);
    const after = await api<{ results: { toObjectId: number }[] }>('GET', '/crm/v4/objects/companies/5000001/associations/contacts');
    expect(after.body.results.map((r) => r.toObjectId)).not.toContain(105);
  });
});
