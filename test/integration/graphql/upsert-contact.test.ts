import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { splitContactFields } from '../../../src/writeback/contact-fields.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/db.js';
import { startGraphqlServer, type GraphqlTestServer } from '../../helpers/graphql-server.js';
import { createStoreFixtures, storeCounts, type SeededConnection, type StoreFixtures } from '../../helpers/store-fixtures.js';

const UPSERT = `mutation($input: UpsertContactInput!) {
  upsertContact(input: $input) {
    email
    targets {
      action reusedPending companyRemoteId
      writeBack { id connectionId connectionName provider objectType remoteId status lastError }
    }
  }
}`;

interface Target {
  action: 'CREATE' | 'UPDATE';
  reusedPending: boolean;
  companyRemoteId: string | null;
  writeBack: { id: string; connectionId: string; connectionName: string; provider: string; objectType: string; remoteId: string | null; status: string };
}

interface Payload {
  upsertContact: { email: string; targets: Target[] };
}

let db: TestDatabase;
let api: GraphqlTestServer;
let writer: string;
let fx: StoreFixtures;
let hubspot: SeededConnection;
let salesforce: SeededConnection;
let paused: SeededConnection;
let seq = 0;

/** A fresh address per test, so tests do not see each other's pending rows. */
const freshEmail = () => `person-${++seq}@upsert.example`;

beforeAll(async () => {
  db = await createTestDatabase();
  api = await startGraphqlServer(db);
  writer = await api.key('scores:write');
  fx = createStoreFixtures(db.prisma);
  // The only connections of this file: two ACTIVE ones (the default targets) and a paused one.
  hubspot = await fx.connection('HUBSPOT', 'a-hubspot');
  salesforce = await fx.connection('SALESFORCE', 'b-salesforce');
  paused = await fx.connection('HUBSPOT', 'c-hubspot-paused');
  await db.prisma.connection.update({ where: { id: paused.id }, data: { status: 'PAUSED' } });
});

afterAll(async () => {
  await api?.close();
  await db?.close();
});

async function upsert(input: Record<string, unknown>, key = writer) {
  const res = await api.request<Payload>(key, UPSERT, { input });
  expect(res.errors).toBeUndefined();
  return res.data!.upsertContact;
}

function rowsFor(email: string) {
  return db.prisma.writeBack.findMany({
    where: { operation: 'UPSERT_CONTACT', OR: [{ fields: { path: ['email'], equals: email } }, { fields: { path: ['Email'], equals: email } }] },
    include: { connection: { select: { name: true } } },
    orderBy: [{ connection: { name: 'asc' } }, { createdAt: 'asc' }],
  });
}

describe('upsertContact for a person the store does not know', () => {
  it('queues one UPSERT_CONTACT row per ACTIVE connection in the CRM property names', async () => {
    const email = freshEmail();
    const result = await upsert({ email: email.toUpperCase(), firstName: 'Ada', lastName: 'Lovelace', title: 'CTO', source: 'clay' });
    expect(result.email).toBe(email);
    expect(result.targets.map((t) => [t.writeBack.connectionName, t.writeBack.provider, t.writeBack.objectType, t.writeBack.remoteId, t.writeBack.status, t.action, t.reusedPending])).toEqual([
      ['a-hubspot', 'HUBSPOT', 'contacts', null, 'PENDING', 'CREATE', false],
      ['b-salesforce', 'SALESFORCE', 'Contact', null, 'PENDING', 'CREATE', false],
    ]);

    const rows = await rowsFor(email);
    expect(rows.map((r) => [r.connectionId, r.status, r.attempts, r.aiOutputId])).toEqual([
      [hubspot.id, 'PENDING', 0, null],
      [salesforce.id, 'PENDING', 0, null],
    ]);
    expect(rows[0]!.fields).toEqual({ email, firstname: 'Ada', lastname: 'Lovelace', jobtitle: 'CTO', __source: 'clay' });
    expect(rows[1]!.fields).toEqual({ Email: email, FirstName: 'Ada', LastName: 'Lovelace', Title: 'CTO', __source: 'clay' });
    expect(rows.map((r) => r.id)).toEqual(result.targets.map((t) => t.writeBack.id));
  });

  it('gives a new Salesforce record the LastName "Unknown" and leaves out what was not given', async () => {
    const email = freshEmail();
    await upsert({ email, firstName: 'Grace', source: 'clay' });
    const [hs, sf] = await rowsFor(email);
    expect(hs!.fields).toEqual({ email, firstname: 'Grace', __source: 'clay' });
    expect(sf!.fields).toEqual({ Email: email, FirstName: 'Grace', LastName: 'Unknown', __source: 'clay' });
  });

  it('writes to the named connections only, paused ones included (their writes wait)', async () => {
    const email = freshEmail();
    const result = await upsert({ email, source: 'clay', connectionIds: [paused.id, salesforce.id] });
    expect(result.targets.map((t) => t.writeBack.connectionName)).toEqual(['b-salesforce', 'c-hubspot-paused']);
    expect((await rowsFor(email)).map((r) => r.connectionId).sort()).toEqual([paused.id, salesforce.id].sort());
  });
});

describe('upsertContact for a person the store knows', () => {
  it('updates the known record of each CRM (a Salesforce Contact before a Lead) and never sends the LastName placeholder', async () => {
    const email = freshEmail();
    const contact = await fx.contact(hubspot, { email });
    await fx.contact(hubspot, { email, deletedAt: new Date() }); // a deleted duplicate is not a target
    await fx.contact(salesforce, { email, remoteType: 'Lead', remoteUpdatedAt: new Date() });
    const sfContact = await fx.contact(salesforce, { email, remoteType: 'Contact', remoteUpdatedAt: new Date(Date.now() - 86_400_000) });

    const result = await upsert({ email, title: 'VP Engineering', source: 'enrichment' });
    expect(result.targets.map((t) => [t.writeBack.objectType, t.writeBack.remoteId, t.action])).toEqual([
      ['contacts', contact.remoteId, 'UPDATE'],
      ['Contact', sfContact.remoteId, 'UPDATE'],
    ]);
    const [hs, sf] = await rowsFor(email);
    expect(hs).toMatchObject({ operation: 'UPSERT_CONTACT', objectType: 'contacts', remoteId: contact.remoteId, fields: { email, jobtitle: 'VP Engineering', __source: 'enrichment' } });
    expect(sf).toMatchObject({ operation: 'UPSERT_CONTACT', objectType: 'Contact', remoteId: sfContact.remoteId, fields: { Email: email, Title: 'VP Engineering', __source: 'enrichment' } });
  });

  it('updates a Salesforce Lead in place when the person is only a Lead there', async () => {
    const email = freshEmail();
    const lead = await fx.contact(salesforce, { email, remoteType: 'Lead' });
    const company = await fx.company(salesforce, { domain: 'leadco.example' });
    const result = await upsert({ email, lastName: 'Hopper', source: 'clay', connectionIds: [salesforce.id], company: { id: company.id } });
    expect(result.targets).toHaveLength(1);
    expect(result.targets[0]).toMatchObject({ action: 'UPDATE', companyRemoteId: null, writeBack: { objectType: 'Lead', remoteId: lead.remoteId } });
    // A Lead has no AccountId, so no company instruction either.
    expect((await rowsFor(email))[0]!.fields).toEqual({ Email: email, LastName: 'Hopper', __source: 'clay' });
  });
});

describe('upsertContact idempotency', () => {
  it('updates the PENDING row of (email, connection) instead of adding another', async () => {
    const email = freshEmail();
    const first = await upsert({ email, firstName: 'Katherine', title: 'Analyst', source: 'clay' });
    const countAfterFirst = await db.prisma.writeBack.count();
    const second = await upsert({ email, title: 'Lead Analyst', source: 'clearbit' });

    expect(second.targets.map((t) => t.writeBack.id)).toEqual(first.targets.map((t) => t.writeBack.id));
    expect(second.targets.every((t) => t.reusedPending)).toBe(true);
    expect(await db.prisma.writeBack.count()).toBe(countAfterFirst);
    const [hs, sf] = await rowsFor(email);
    // Latest wins per field; fields the second call did not give are kept.
    expect(hs!.fields).toEqual({ email, firstname: 'Katherine', jobtitle: 'Lead Analyst', __source: 'clearbit' });
    expect(sf!.fields).toEqual({ Email: email, FirstName: 'Katherine', LastName: 'Unknown', Title: 'Lead Analyst', __source: 'clearbit' });
  });

  it('turns a pending create into an update when the record arrives by sync, dropping the LastName placeholder', async () => {
    const email = freshEmail();
    await upsert({ email, firstName: 'Mary', source: 'clay', connectionIds: [salesforce.id] });
    expect((await rowsFor(email))[0]!.fields).toMatchObject({ LastName: 'Unknown' });
    const synced = await fx.contact(salesforce, { email, remoteType: 'Contact', lastName: 'Jackson' });

    const again = await upsert({ email, title: 'Engineer', source: 'clay', connectionIds: [salesforce.id] });
    expect(again.targets[0]).toMatchObject({ action: 'UPDATE', reusedPending: true, writeBack: { remoteId: synced.remoteId, objectType: 'Contact' } });
    const rows = await rowsFor(email);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.fields).toEqual({ Email: email, FirstName: 'Mary', Title: 'Engineer', __source: 'clay' });
  });

  it('queues a new row once the pending one was claimed by the worker', async () => {
    const email = freshEmail();
    const first = await upsert({ email, firstName: 'Dorothy', source: 'clay' });
    const hsRow = first.targets.find((t) => t.writeBack.provider === 'HUBSPOT')!.writeBack.id;
    await db.prisma.writeBack.update({ where: { id: hsRow }, data: { status: 'SENDING', claimedAt: new Date(), attempts: 1 } });

    const second = await upsert({ email, lastName: 'Vaughan', source: 'clay' });
    const hs = second.targets.find((t) => t.writeBack.provider === 'HUBSPOT')!;
    const sf = second.targets.find((t) => t.writeBack.provider === 'SALESFORCE')!;
    expect(hs.reusedPending).toBe(false);
    expect(hs.writeBack.id).not.toBe(hsRow);
    expect(sf.reusedPending).toBe(true);
    const rows = await rowsFor(email);
    expect(rows.map((r) => [r.connection.name, r.status])).toEqual([
      ['a-hubspot', 'SENDING'],
      ['a-hubspot', 'PENDING'],
      ['b-salesforce', 'PENDING'],
    ]);
    // The claimed row is sent as it was; the new one carries this call's values.
    expect(rows[0]!.fields).toEqual({ email, firstname: 'Dorothy', __source: 'clay' });
    expect(rows[1]!.fields).toEqual({ email, lastname: 'Vaughan', __source: 'clay' });
  });

  it('stays one row per connection under concurrent calls', async () => {
    const email = freshEmail();
    const results = await Promise.all(Array.from({ length: 5 }, (_, i) => upsert({ email, title: `Title ${i}`, source: 'clay' })));
    expect(await rowsFor(email)).toHaveLength(2);
    expect(results.filter((r) => r.targets.every((t) => !t.reusedPending))).toHaveLength(1);
  });
});

describe('upsertContact companies', () => {
  let hsCompany: Awaited<ReturnType<StoreFixtures['company']>>;
  let sfAccount: Awaited<ReturnType<StoreFixtures['company']>>;

  beforeAll(async () => {
    hsCompany = await fx.company(hubspot, { name: 'Initech', domain: 'initech.example' });
    sfAccount = await fx.company(salesforce, { name: 'Initech Inc', domain: 'initech.example' });
    await fx.company(salesforce, { name: 'Initech (old)', domain: 'initech.example', deletedAt: new Date() });
  });

  it('by our id: that record in its connection, the same domain in the others', async () => {
    const email = freshEmail();
    const result = await upsert({ email, lastName: 'Lumbergh', source: 'clay', company: { id: hsCompany.id } });
    expect(result.targets.map((t) => t.companyRemoteId)).toEqual([hsCompany.remoteId, sfAccount.remoteId]);
    const [hs, sf] = await rowsFor(email);
    expect(hs!.fields).toMatchObject({ __companyRemoteId: hsCompany.remoteId });
    expect(sf!.fields).toMatchObject({ __companyRemoteId: sfAccount.remoteId });
    // What the worker sends: the CRM properties without the reserved keys, and the company apart.
    expect(splitContactFields(sf!.fields as Record<string, unknown>)).toEqual({
      properties: { Email: email, LastName: 'Lumbergh' },
      companyRemoteId: sfAccount.remoteId,
    });
  });

  it('by domain, normalized like the store (scheme, www, path and case ignored)', async () => {
    const email = freshEmail();
    const onlyHubspot = await fx.company(hubspot, { domain: 'globex.example' });
    const result = await upsert({ email, source: 'clay', company: { domain: 'https://www.GLOBEX.example/about' } });
    expect(result.targets.map((t) => [t.writeBack.provider, t.companyRemoteId])).toEqual([
      ['HUBSPOT', onlyHubspot.remoteId],
      ['SALESFORCE', null],
    ]);
    const [hs, sf] = await rowsFor(email);
    expect(hs!.fields).toMatchObject({ __companyRemoteId: onlyHubspot.remoteId });
    expect(sf!.fields).not.toHaveProperty('__companyRemoteId');
  });

  it('answers NOT_FOUND for an unknown company id and queues nothing', async () => {
    const before = await storeCounts(db.prisma);
    const res = await api.request(writer, UPSERT, { input: { email: freshEmail(), source: 'clay', company: { id: '00000000-0000-4000-8000-000000000000' } } });
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND' });
    expect(await storeCounts(db.prisma)).toEqual(before);
  });
});

describe('upsertContact input checks', () => {
  let before: Awaited<ReturnType<typeof storeCounts>>;
  beforeEach(async () => {
    before = await storeCounts(db.prisma);
  });

  const cases: [string, Record<string, unknown>, string][] = [
    ['an email without @', { email: 'not-an-email', source: 'clay' }, 'input.email'],
    ['an email without a dot in its domain', { email: 'a@b', source: 'clay' }, 'input.email'],
    ['an empty source', { email: 'ok@upsert.example', source: '  ' }, 'input.source'],
    ['a first name over 40 characters', { email: 'ok@upsert.example', source: 'clay', firstName: 'x'.repeat(41) }, 'input.firstName'],
    ['a title over 128 characters', { email: 'ok@upsert.example', source: 'clay', title: 'x'.repeat(129) }, 'input.title'],
    ['a company by id and domain at once', { email: 'ok@upsert.example', source: 'clay', company: { id: '00000000-0000-4000-8000-000000000000', domain: 'a.example' } }, 'input.company.id'],
    ['a company by neither', { email: 'ok@upsert.example', source: 'clay', company: {} }, 'input.company.id'],
    ['a company domain that is no domain', { email: 'ok@upsert.example', source: 'clay', company: { domain: 'localhost' } }, 'input.company.domain'],
    ['an empty connectionIds', { email: 'ok@upsert.example', source: 'clay', connectionIds: [] }, 'input.connectionIds'],
    ['a malformed connection id', { email: 'ok@upsert.example', source: 'clay', connectionIds: ['nope'] }, 'input.connectionIds.0'],
  ];

  it.each(cases)('rejects %s with BAD_USER_INPUT naming the field, writing nothing', async (_, input, field) => {
    const res = await api.request(writer, UPSERT, { input });
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(res.errors?.[0]?.message).toContain(field);
    expect(await storeCounts(db.prisma)).toEqual(before);
  });

  it('answers NOT_FOUND for an unknown connection and queues nothing', async () => {
    const res = await api.request(writer, UPSERT, { input: { email: freshEmail(), source: 'clay', connectionIds: [hubspot.id, '00000000-0000-4000-8000-000000000000'] } });
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND' });
    expect(await storeCounts(db.prisma)).toEqual(before);
  });
});

describe('upsertContact scope', () => {
  it('needs scores:write (admin implies it)', async () => {
    const reader = await api.key('contacts:read', 'context:read');
    const res = await api.request(reader, UPSERT, { input: { email: freshEmail(), source: 'clay' } });
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', scope: 'scores:write' });
    const admin = await api.key('admin');
    expect((await upsert({ email: freshEmail(), source: 'clay' }, admin)).targets).toHaveLength(2);
  });
});
