/**
 * The standalone simulator (as `simulate hubspot` starts it) driven only over HTTP: the
 * control API must be enough for the demo and for tests in another process.
 */
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSimulator } from '../../../src/simulators/cli.js';
import { DEFAULT_PRIVATE_APP_TOKEN } from '../../../src/simulators/hubspot/index.js';

let base: string;
let stop: () => Promise<void>;

async function call<T>(method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', path: string, body?: unknown, auth = false): Promise<{ status: number; body: T }> {
  const response = await request(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(auth ? { authorization: `Bearer ${DEFAULT_PRIVATE_APP_TOKEN}` } : {}) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.body.text();
  return { status: response.statusCode, body: (text ? JSON.parse(text) : undefined) as T };
}

beforeAll(async () => {
  const started = await runSimulator(['hubspot', '--seed', '5', '--contacts', '60']);
  base = started.url;
  stop = started.stop;
});
afterAll(async () => stop());

describe('HubSpot control API over HTTP', () => {
  it('seeds a world and maps world keys to HubSpot ids', async () => {
    const seeded = await call<{ counts: Record<string, number> }>('POST', '/_control/seed', { seed: 5, contacts: 80 });
    expect(seeded.status).toBe(200);
    expect(seeded.body.counts.companies).toBe(10);
    expect(seeded.body.counts.contacts).toBeGreaterThan(40);
    const company = await call<{ type: string; id: string }>('GET', '/_control/world-ids/c-000001');
    expect(company.body).toEqual({ type: 'companies', id: '5000001' });
  });

  it('creates, edits, archives and restores like a user, visible through the CRM API', async () => {
    const created = await call<{ id: string }>('POST', '/_control/objects/contacts', { properties: { email: 'ui@control.example', firstname: 'Renée' } });
    expect(created.status).toBe(200);
    const id = created.body.id;
    expect((await call('PATCH', `/_control/objects/contacts/${id}`, { properties: { jobtitle: 'CFO' } })).status).toBe(200);
    const read = await call<{ properties: Record<string, string | null> }>('GET', `/crm/v3/objects/contacts/${id}?properties=jobtitle`, undefined, true);
    expect(read.body.properties.jobtitle).toBe('CFO');
    expect((await call('DELETE', `/_control/objects/contacts/${id}`)).status).toBe(200);
    expect((await call('GET', `/crm/v3/objects/contacts/${id}`, undefined, true)).status).toBe(404);
    expect((await call('POST', `/_control/objects/contacts/${id}/restore`)).status).toBe(200);
    expect((await call('GET', `/crm/v3/objects/contacts/${id}`, undefined, true)).status).toBe(200);
    const invalid = await call<{ category: string }>('PATCH', `/_control/objects/contacts/${id}`, { properties: { nope: 1 } });
    expect(invalid.status).toBe(400);
    expect(invalid.body.category).toBe('VALIDATION_ERROR');
  });

  it('touches many records to one instant and dumps state including archived records', async () => {
    const at = '2025-03-01T00:00:00.000Z';
    const touched = await call<{ touched: number }>('POST', '/_control/touch', { type: 'companies', at });
    expect(touched.body.touched).toBe(10);
    const state = await call<{ records: { companies: { updatedAt: number }[] }; associations: unknown[] }>('GET', '/_control/state?type=companies');
    expect(state.body.records.companies.every((c) => c.updatedAt === Date.parse(at))).toBe(true);
    expect(state.body.associations.length).toBeGreaterThan(0);
  });

  it('associates and dissociates records and logs only CRM calls', async () => {
    await call('DELETE', '/_control/requests');
    const body = { fromType: 'contacts', fromId: '101', toType: 'companies', toId: '5000002' };
    expect((await call('POST', '/_control/associations', body)).status).toBe(204);
    const read = await call<{ results: { toObjectId: number }[] }>('GET', '/crm/v4/objects/contacts/101/associations/companies', undefined, true);
    expect(read.body.results.map((r) => r.toObjectId)).toContain(5000002);
    expect((await call<{ removed: boolean }>('DELETE', '/_control/associations', body)).body.removed).toBe(true);
    const log = await call<{ requests: { method: string; path: string; status: number }[] }>('GET', '/_control/requests');
    expect(log.body.requests).toEqual([expect.objectContaining({ method: 'GET', path: '/crm/v4/objects/contacts/101/associations/companies', status: 200 })]);
  });
});
