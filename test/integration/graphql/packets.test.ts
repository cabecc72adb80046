import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src/db/client.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/db.js';
import { startGraphqlServer, type GraphqlTestServer } from '../../helpers/graphql-server.js';
import { createStoreFixtures, seedPeopleInBulk, type SeededConnection } from '../../helpers/store-fixtures.js';
import { seedPerson } from './scenario.js';

const PACKET_FIELDS = `
  contactId
  person { name firstName lastName title email phone owner { name email } tenure { months source } }
  company { name domain industry { value label } employeeCount annualRevenue { amount currency } location { city country } }
  relationship {
    lifecycleStage { value label } leadStatus { value label } providers
    lastActivity { kind occurredAt subject }
    openDeals { name amount { amount currency } stage { value label } stageLabel role provider }
  }
  recentEngagement { kind subject summary occurredAt provider }
  ai { latest { score previousScore source model playbook } history { score } }
  signals { key value source observedAt }
  sources { kind provider remoteType remoteId syncedAt }
  freshness { oldestSyncedAt stale staleAfterHours }
`;

interface Packet {
  contactId: string;
  person: Record<string, unknown> & { owner: { name: string } | null; tenure: { months: number; source: string } | null };
  company: Record<string, unknown> | null;
  relationship: {
    lifecycleStage: { value: string; label: string };
    leadStatus: { value: string; label: string };
    providers: string[];
    lastActivity: { subject: string } | null;
    openDeals: Array<{ name: string; role: string | null; amount: { amount: string; currency: string }; stageLabel: string }>;
  };
  recentEngagement: Array<{ subject: string; summary: string; occurredAt: string }>;
  ai: { latest: { score: number; previousScore: number; model: string }; history: Array<{ score: number }> };
  signals: Array<{ key: string; value: unknown; source: string }>;
  sources: Array<{ kind: string; remoteId: string; syncedAt: string }>;
  freshness: { oldestSyncedAt: string; stale: boolean; staleAfterHours: number };
  text?: string;
}

let db: TestDatabase;
let api: GraphqlTestServer;
let key: string;
let hubspot: SeededConnection;
let salesforce: SeededConnection;
let person: Awaited<ReturnType<typeof seedPerson>>;

beforeAll(async () => {
  db = await createTestDatabase();
  api = await startGraphqlServer(db);
  key = await api.key('context:read');
  const fx = createStoreFixtures(db.prisma);
  hubspot = await fx.connection('HUBSPOT', 'hubspot-main');
  salesforce = await fx.connection('SALESFORCE', 'salesforce-main');
  person = await seedPerson(fx, { hubspot, salesforce }, { email: 'jane@acme.example' });
});

afterAll(async () => {
  await api?.close();
  await db?.close();
});

describe('contextPacket', () => {
  it('merges the person across CRMs, newest engagement first, with provenance and freshness', async () => {
    const res = await api.request<{ contextPacket: Packet }>(key, `query($id: ID!) { contextPacket(contactId: $id) { ${PACKET_FIELDS} } }`, {
      id: person.contact.id,
    });
    expect(res.errors).toBeUndefined();
    const p = res.data!.contextPacket;
    // The asked-for (HubSpot) record wins; Salesforce fills the gaps.
    expect(p.person).toMatchObject({
      name: 'Jane Doe',
      firstName: 'Jane',
      lastName: 'Doe',
      title: 'VP Sales',
      email: 'jane@acme.example',
      phone: '+49 30 1234567',
      owner: { name: 'Olivia Owner', email: 'olivia.owner@vendor.example' },
      tenure: { months: 26, source: 'clay' },
    });
    expect(p.company).toEqual({
      name: 'Acme Corp',
      domain: 'acme.example',
      industry: { value: 'COMPUTER_SOFTWARE', label: 'Computer Software' },
      employeeCount: 250,
      annualRevenue: { amount: '12500000.00', currency: 'USD' },
      location: { city: 'Berlin', country: 'Germany' },
    });
    expect(p.relationship.lifecycleStage).toEqual({ value: 'salesqualifiedlead', label: 'Sales Qualified Lead' });
    expect(p.relationship.leadStatus).toEqual({ value: 'OPEN', label: 'Open' });
    expect(p.relationship.providers).toEqual(['HUBSPOT', 'SALESFORCE']);
    // Closed deals are left out; dated deals come first.
    expect(p.relationship.openDeals.map((d) => [d.name, d.role, d.stageLabel])).toEqual([
      ['Acme expansion', 'Decision Maker', 'Contract Sent'],
      ['Acme renewal', 'Economic Buyer', 'Negotiation/Review'],
    ]);
    expect(p.relationship.openDeals[1]!.amount).toEqual({ amount: '20000.00', currency: 'EUR' });

    expect(p.recentEngagement.map((a) => a.subject)).toEqual(['Touch 0', 'Touch 1', 'Touch 2', 'Touch 3', 'Touch 4']);
    expect(p.recentEngagement[0]!.summary).toBe('Talked about budget 0');
    expect(p.relationship.lastActivity?.subject).toBe('Touch 0');

    expect(p.ai.latest).toEqual({ score: 65, previousScore: 40, source: 'lead-scoring', model: 'gpt-4o', playbook: 'Book a demo' });
    expect(p.ai.history.map((h) => h.score)).toEqual([65, 40]);
    // One signal per (source, key): the newest hiringSdrs wins.
    expect(p.signals.map((s) => [s.key, s.value, s.source])).toEqual([
      ['hiringSdrs', true, 'clearbit'],
      ['tenureMonths', 26, 'clay'],
    ]);

    const sourceIds = p.sources.map((s) => `${s.kind}:${s.remoteId}`);
    expect(sourceIds).toEqual(
      expect.arrayContaining([
        `CONTACT:${person.contact.remoteId}`,
        `CONTACT:${person.lead.remoteId}`,
        `COMPANY:${person.company.remoteId}`,
        `OWNER:${person.owner.remoteId}`,
        `DEAL:${person.openDeal.remoteId}`,
        `DEAL:${person.sfDeal.remoteId}`,
        `ACTIVITY:${person.activities[0]!.remoteId}`,
      ]),
    );
    expect(sourceIds).not.toContain(`DEAL:${person.closedDeal.remoteId}`);
    // The Salesforce lead was synced 30 h ago: past the default 24 h.
    expect(p.freshness.oldestSyncedAt).toBe(person.lead.syncedAt.toISOString());
    expect(p.freshness).toMatchObject({ stale: true, staleAfterHours: 24 });

    // Complete syncs of both connections since then confirm the unchanged records.
    const confirmedAt = new Date();
    const connections = await db.prisma.connection.findMany({ select: { id: true } });
    await db.prisma.syncState.createMany({ data: connections.map((c) => ({ connectionId: c.id, objectType: 'confirm-test', phase: 'INCREMENTAL' as const, lastSuccessAt: confirmedAt })) });
    const again = await api.request<{ contextPacket: Packet }>(key, `query($id: ID!) { contextPacket(contactId: $id) { ${PACKET_FIELDS} } }`, { id: person.contact.id });
    const fresh = again.data!.contextPacket;
    expect(fresh.sources.find((s) => s.remoteId === person.lead.remoteId)?.syncedAt).toBe(confirmedAt.toISOString());
    expect(fresh.freshness.stale).toBe(false);
    await db.prisma.syncState.deleteMany({ where: { objectType: 'confirm-test' } });
  });

  it('honours the options and renders text within the budget', async () => {
    const res = await api.request<{ contextPacket: Packet }>(
      key,
      `query($id: ID!) { contextPacket(contactId: $id, options: {recentActivities: 2, scoreHistory: 1, signals: 1, openDeals: 1}) {
        recentEngagement { subject } ai { history { score } } signals { key } relationship { openDeals { name } }
        big: text(maxTokens: 2000) small: text(maxTokens: 40) } }`,
      { id: person.lead.id },
    );
    expect(res.errors).toBeUndefined();
    const p = res.data!.contextPacket as unknown as Packet & { big: string; small: string };
    expect(p.recentEngagement).toHaveLength(2);
    expect(p.ai.history).toEqual([{ score: 65 }]);
    expect(p.signals).toHaveLength(1);
    expect(p.relationship.openDeals).toHaveLength(1);
    expect(p.big).toContain('Contact: Janet Doe, Head of Sales at Acme Corp');
    expect(p.big).toContain('AI score: 65/100 (previous 40)');
    expect(Math.ceil(p.small.length / 4)).toBeLessThanOrEqual(40);
    expect(p.small.startsWith('Contact: Janet Doe')).toBe(true);
  });

  it('answers NOT_FOUND for unknown and deleted contacts, BAD_USER_INPUT for malformed ids', async () => {
    const fx = createStoreFixtures(db.prisma);
    const deleted = await fx.contact(hubspot, { email: 'gone@acme.example', deletedAt: new Date() });
    for (const id of ['0190a0a0-0000-7000-8000-000000000000', deleted.id]) {
      const res = await api.request(key, `query($id: ID!) { contextPacket(contactId: $id) { contactId } }`, { id });
      expect(res.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    }
    const bad = await api.request(key, `{ contextPacket(contactId: "nope") { contactId } }`);
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'contactId' });
  });
});

describe('contextPackets', () => {
  it('returns packets in order, with null and NOT_FOUND at an unknown id', async () => {
    const unknown = '0190a0a0-0000-7000-8000-000000000001';
    const res = await api.request<{ contextPackets: Array<{ contactId: string } | null> }>(
      key,
      `query($ids: [ID!]!) { contextPackets(contactIds: $ids) { contactId } }`,
      { ids: [person.lead.id, unknown, person.contact.id] },
    );
    expect(res.data?.contextPackets).toEqual([{ contactId: person.lead.id }, null, { contactId: person.contact.id }]);
    expect(res.errors).toHaveLength(1);
    expect(res.errors![0]).toMatchObject({ path: ['contextPackets', 1], extensions: { code: 'NOT_FOUND' } });
  });

  it('builds the same packet alone (one-contact statement) as in a batch (array statement)', async () => {
    const fields = `${PACKET_FIELDS} text(maxTokens: 400)`;
    for (const id of [person.contact.id, person.lead.id]) {
      const alone = await api.request<{ contextPacket: Packet }>(key, `query($id: ID!) { contextPacket(contactId: $id) { ${fields} } }`, { id });
      const other = id === person.contact.id ? person.lead.id : person.contact.id;
      const batch = await api.request<{ contextPackets: Packet[] }>(key, `query($ids: [ID!]!) { contextPackets(contactIds: $ids) { ${fields} } }`, {
        ids: [other, id],
      });
      expect(alone.errors).toBeUndefined();
      expect(batch.errors).toBeUndefined();
      expect(alone.data!.contextPacket.recentEngagement.length).toBeGreaterThan(0);
      expect(batch.data!.contextPackets[1]).toEqual(alone.data!.contextPacket);
    }
  });

  it('refuses more than 100 ids', async () => {
    const ids = Array.from({ length: 101 }, () => person.contact.id);
    const res = await api.request(key, `query($ids: [ID!]!) { contextPackets(contactIds: $ids) { contactId } }`, { ids });
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'contactIds' });
  });

  it('runs the same small number of SQL statements for 10 and for 100 contacts', async () => {
    const seeded = await seedPeopleInBulk(db.prisma, { hubspot, salesforce }, 100, { activitiesPerPerson: 2 });
    const ids = seeded.contactIds.map((id, i) => (i % 2 ? id : seeded.leadIds[i]!));
    // A Database of its own whose every statement is counted, whichever path sends it.
    const counted = openDatabase({ url: db.url, max: 5 });
    let statements = 0;
    counted.pool.on('connect', (client) => {
      const query = client.query.bind(client) as (...args: unknown[]) => unknown;
      (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
        statements++;
        return query(...args);
      };
    });
    // Long enough that no background re-verification of the key lands between the two runs.
    const countedApi = await startGraphqlServer(counted, { API_KEY_CACHE_SECONDS: '300' });
    try {
      const countedKey = await countedApi.key('context:read');
      // Once verified, the key is remembered (API_KEY_CACHE_SECONDS); count the steady state.
      await countedApi.request(countedKey, '{ __typename }');
      const run = async (n: number) => {
        statements = 0;
        const res = await countedApi.request<{ contextPackets: Packet[] }>(
          countedKey,
          `query($ids: [ID!]!) { contextPackets(contactIds: $ids) { ${PACKET_FIELDS} text(maxTokens: 300) } }`,
          { ids: ids.slice(0, n) },
        );
        expect(res.errors).toBeUndefined();
        expect(res.data!.contextPackets).toHaveLength(n);
        expect(res.data!.contextPackets.every((p) => p.company !== null && p.recentEngagement.length === 2 && p.ai.latest !== null)).toBe(true);
        return statements;
      };
      const ten = await run(10);
      const hundred = await run(100);
      expect(hundred).toBeLessThanOrEqual(12);
      expect(hundred).toBe(ten);
    } finally {
      await countedApi.close();
      await counted.close();
    }
  });
});
