import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../helpers/db.js';
import { startGraphqlServer, type GraphqlTestServer } from '../../helpers/graphql-server.js';
import { createStoreFixtures, hoursAgo, type SeededConnection, type StoreFixtures } from '../../helpers/store-fixtures.js';
import { seedPerson } from './scenario.js';

let db: TestDatabase;
let api: GraphqlTestServer;
let key: string;
let fx: StoreFixtures;
let hubspot: SeededConnection;
let salesforce: SeededConnection;
let person: Awaited<ReturnType<typeof seedPerson>>;

interface Page {
  edges: Array<{ cursor: string; node: { id: string; email?: string | null; name?: string | null } }>;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

beforeAll(async () => {
  db = await createTestDatabase();
  api = await startGraphqlServer(db);
  key = await api.key('contacts:read');
  fx = createStoreFixtures(db.prisma);
  hubspot = await fx.connection('HUBSPOT', 'hubspot-main');
  salesforce = await fx.connection('SALESFORCE', 'salesforce-main');
  person = await seedPerson(fx, { hubspot, salesforce }, { email: 'jane@acme.example' });
});

afterAll(async () => {
  await api?.close();
  await db?.close();
});

const CONTACT = `id provider remoteType remoteId email name title phone customFields deletedAt
  connection { name provider } lifecycleStage { value label } leadStatus { value label }
  owner { name email active } company { name domain annualRevenue { amount currency } } latestScore { score source }`;

describe('contact, company and deal lookups', () => {
  it('finds a contact by id, email or provider + remoteId, with its links', async () => {
    await db.prisma.contact.update({ where: { id: person.contact.id }, data: { customFields: { interests: [{ value: 'api', label: 'API' }] } } });
    const res = await api.request<Record<string, Record<string, unknown> | null>>(
      key,
      `query($id: ID!, $remoteId: String!) {
        byId: contact(id: $id) { ${CONTACT} }
        byEmail: contact(email: "Jane@ACME.example") { id }
        byRemote: contact(provider: SALESFORCE, remoteId: $remoteId) { id remoteType }
        missing: contact(email: "nobody@acme.example") { id }
      }`,
      { id: person.contact.id, remoteId: person.lead.remoteId },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!['byId']).toEqual({
      id: person.contact.id,
      provider: 'HUBSPOT',
      remoteType: 'contact',
      remoteId: person.contact.remoteId,
      email: 'jane@acme.example',
      name: 'Jane',
      title: 'VP Sales',
      phone: null,
      customFields: { interests: [{ value: 'api', label: 'API' }] },
      deletedAt: null,
      connection: { name: 'hubspot-main', provider: 'HUBSPOT' },
      lifecycleStage: { value: 'salesqualifiedlead', label: 'Sales Qualified Lead' },
      leadStatus: { value: 'OPEN', label: 'Open' },
      owner: { name: 'Olivia Owner', email: 'olivia.owner@vendor.example', active: true },
      company: { name: 'Acme Corp', domain: 'acme.example', annualRevenue: { amount: '12500000.00', currency: 'USD' } },
      // The person's latest score, stored on the Salesforce lead.
      latestScore: { score: 65, source: 'lead-scoring' },
    });
    expect([person.contact.id, person.lead.id]).toContain(res.data!['byEmail']!['id']);
    expect(res.data!['byRemote']).toEqual({ id: person.lead.id, remoteType: 'Lead' });
    expect(res.data!['missing']).toBeNull();
  });

  it('asks for exactly one way of addressing a record', async () => {
    for (const args of ['', `id: "${person.contact.id}", email: "jane@acme.example"`, `provider: HUBSPOT`]) {
      const res = await api.request(key, `{ contact${args ? `(${args})` : ''} { id } }`);
      expect(res.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    }
  });

  it('finds companies and deals, with deal contacts and roles', async () => {
    const res = await api.request<{ company: Record<string, unknown>; deal: Record<string, unknown>; byRemote: { id: string } }>(
      key,
      `query($company: ID!, $deal: ID!, $remote: String!) {
        company(id: $company) { name industry { label } employeeCount location { city country } owner { name } }
        byRemote: company(provider: HUBSPOT, remoteId: $remote) { id }
        deal(id: $deal) { name isOpen isClosed amount { amount currency } stage { value label } company { name }
          contacts { role isPrimary contact { id email } } }
      }`,
      { company: person.company.id, deal: person.openDeal.id, remote: person.company.remoteId },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.company).toEqual({ name: 'Acme Corp', industry: { label: 'Computer Software' }, employeeCount: 250, location: { city: 'Berlin', country: 'Germany' }, owner: null });
    expect(res.data!.byRemote).toEqual({ id: person.company.id });
    expect(res.data!.deal).toEqual({
      name: 'Acme expansion',
      isOpen: true,
      isClosed: false,
      amount: { amount: '50000.00', currency: 'USD' },
      stage: { value: 'contractsent', label: 'Contract Sent' },
      company: { name: 'Acme Corp' },
      contacts: [{ role: 'Decision Maker', isPrimary: true, contact: { id: person.contact.id, email: 'jane@acme.example' } }],
    });
  });
});

async function contactIds(filter: Record<string, unknown>): Promise<string[]> {
  const res = await api.request<{ contacts: Page }>(
    key,
    `query($filter: ContactFilter) { contacts(filter: $filter, first: 200) { edges { node { id } } } }`,
    { filter },
  );
  expect(res.errors).toBeUndefined();
  return res.data!.contacts.edges.map((e) => e.node.id);
}

describe('contacts filters', () => {
  it('filters by stage, status, owner, company, email, provider, dates, deletion and scores', async () => {
    const recent = await fx.contact(salesforce, { email: null, remoteType: 'Lead', leadStatus: 'Working', remoteCreatedAt: new Date() });
    const gone = await fx.contact(hubspot, { email: 'gone@acme.example', deletedAt: new Date() });
    const stale = await fx.contact(hubspot, { email: 'stale@acme.example' });
    await fx.aiOutput(stale.id, 15, { createdAt: hoursAgo(24 * 90) });
    const { contact, lead } = person;

    expect(await contactIds({ lifecycleStages: ['salesqualifiedlead'] })).toEqual([contact.id]);
    expect((await contactIds({ leadStatuses: ['Working'] })).sort()).toEqual([lead.id, recent.id].sort());
    expect(await contactIds({ ownerEmail: 'olivia.owner@vendor.example' })).toEqual([contact.id]);
    expect(await contactIds({ ownerIds: [person.owner.id] })).toEqual([contact.id]);
    expect(await contactIds({ companyDomain: 'ACME.example' })).toEqual([contact.id]);
    expect(await contactIds({ companyIds: [person.company.id] })).toEqual([contact.id]);
    expect(await contactIds({ hasEmail: false })).toEqual([recent.id]);
    expect((await contactIds({ providers: ['SALESFORCE'] })).sort()).toEqual([lead.id, recent.id].sort());
    expect(await contactIds({ connectionIds: [hubspot.id], hasEmail: true })).toEqual([contact.id, stale.id]);
    expect(await contactIds({ createdSince: hoursAgo(1).toISOString() })).toEqual([recent.id]);
    expect(await contactIds({ updatedSince: new Date(Date.now() + 60_000).toISOString() })).toEqual([]);
    expect(await contactIds({ includeDeleted: true })).toContain(gone.id);
    expect(await contactIds({})).not.toContain(gone.id);
    // Scores are the person's: the HubSpot record inherits the lead's 65.
    expect((await contactIds({ scoreMin: 60, scoreMax: 70 })).sort()).toEqual([contact.id, lead.id].sort());
    expect(await contactIds({ scoreMax: 20 })).toEqual([stale.id]);
    expect(await contactIds({ scored: false })).toEqual([recent.id]);
    expect(await contactIds({ scoredBefore: hoursAgo(24 * 30).toISOString() })).toEqual([stale.id]);
  });

  it('rejects bad page sizes, cursors and filter values', async () => {
    const cases: Array<[string, Record<string, unknown>, string]> = [
      ['query($n: Int) { contacts(first: $n) { nodes { id } } }', { n: 201 }, 'first'],
      ['query($n: Int) { contacts(first: $n) { nodes { id } } }', { n: 0 }, 'first'],
      ['query($a: String) { contacts(after: $a) { nodes { id } } }', { a: 'garbage' }, 'after'],
      ['query($f: ContactFilter) { contacts(filter: $f) { nodes { id } } }', { f: { scoreMin: 101 } }, 'filter.scoreMin'],
      ['query($f: ContactFilter) { contacts(filter: $f) { nodes { id } } }', { f: { scoreMin: 50, scoreMax: 10 } }, 'filter.scoreMin'],
      ['query($f: ContactFilter) { contacts(filter: $f) { nodes { id } } }', { f: { ownerIds: ['owner-1'] } }, 'filter.ownerIds.0'],
    ];
    for (const [query, variables, field] of cases) {
      const res = await api.request(key, query, variables);
      expect(res.errors?.[0]?.extensions, JSON.stringify(variables)).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
    // A cursor of another list is not a contacts cursor.
    const companies = await api.request<{ companies: Page }>(key, '{ companies(first: 1) { pageInfo { endCursor } } }');
    const res = await api.request(key, 'query($a: String) { contacts(after: $a) { nodes { id } } }', { a: companies.data!.companies.pageInfo.endCursor });
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  });
});

describe('pagination', () => {
  it('keeps cursors stable while rows are inserted between pages', async () => {
    const conn = await fx.connection('HUBSPOT', 'paging');
    const original = [];
    for (let i = 0; i < 10; i++) original.push(await fx.contact(conn, { email: `page-${i}@acme.example` }));
    const seen: string[] = [];
    const inserted: string[] = [];
    let after: string | null = null;
    for (let round = 0; round < 20; round++) {
      const res: { data?: { contacts: Page } | null } = await api.request<{ contacts: Page }>(
        key,
        `query($f: ContactFilter, $after: String) { contacts(filter: $f, first: 3, after: $after) {
          edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }`,
        { f: { connectionIds: [conn.id] }, after },
      );
      const page: Page = res.data!.contacts;
      seen.push(...page.edges.map((e) => e.node.id));
      // Rows arriving mid-iteration must not shift what the next cursor returns.
      inserted.push((await fx.contact(conn, { email: `late-${round}@acme.example` })).id);
      if (!page.pageInfo.hasNextPage || inserted.length > 4) break;
      after = page.pageInfo.endCursor;
    }
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.slice(0, 10)).toEqual(original.map((c) => c.id));
    expect([...seen].sort()).toEqual(seen);
  });
});

describe('companies and deals lists', () => {
  it('filter in the same style', async () => {
    const other = await fx.company(salesforce, { name: 'Globex', domain: 'globex.example', industry: 'RETAIL' });
    const res = await api.request<{ a: Page; b: Page; open: Page; closed: Page; byContact: Page; byCompany: Page }>(
      key,
      `query($contact: ID!, $company: ID!) {
        a: companies(filter: { industries: ["RETAIL"] }) { edges { node { id name } } }
        b: companies(filter: { domain: "ACME.example", providers: [HUBSPOT] }) { edges { node { id } } }
        open: deals(filter: { open: true, providers: [HUBSPOT] }) { edges { node { id name } } }
        closed: deals(filter: { open: false }) { edges { node { id name } } }
        byContact: deals(filter: { contactId: $contact }) { edges { node { name } } }
        byCompany: deals(filter: { companyIds: [$company] }) { edges { node { name } } }
      }`,
      { contact: person.contact.id, company: person.company.id },
    );
    expect(res.errors).toBeUndefined();
    const names = (p: Page) => p.edges.map((e) => e.node.name ?? e.node.id);
    expect(names(res.data!.a)).toEqual(['Globex']);
    expect(res.data!.a.edges[0]!.node.id).toBe(other.id);
    expect(names(res.data!.b)).toEqual([person.company.id]);
    expect(names(res.data!.open)).toEqual(['Acme expansion']);
    expect(names(res.data!.closed)).toEqual(['Acme pilot']);
    expect(names(res.data!.byContact).sort()).toEqual(['Acme expansion', 'Acme pilot']);
    expect(names(res.data!.byCompany)).toEqual(['Acme expansion']);
  });
});
