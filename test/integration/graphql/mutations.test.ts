import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../helpers/db.js';
import { startGraphqlServer, type GraphqlTestServer } from '../../helpers/graphql-server.js';
import { createStoreFixtures, storeCounts, type SeededConnection, type StoreFixtures } from '../../helpers/store-fixtures.js';
import { seedPerson } from './scenario.js';

const WRITE_BACK_SCORE = `mutation($input: WriteBackScoreInput!) {
  writeBackScore(input: $input) {
    output { id contactId score previousScore rationale playbook source model createdAt }
    previousScore delta needsReview replayed
    writeBacks { id connectionId connectionName provider objectType remoteId status }
  }
}`;

const RECORD_SIGNALS = `mutation($input: RecordSignalsInput!) {
  recordSignals(input: $input) { contact { id } signals { key value source observedAt } }
}`;

interface Payload {
  output: { id: string; contactId: string; score: number; previousScore: number | null };
  previousScore: number | null;
  delta: number | null;
  needsReview: boolean;
  replayed: boolean;
  writeBacks: Array<{ connectionId: string; connectionName: string; provider: string; objectType: string; remoteId: string; status: string }>;
}

let db: TestDatabase;
let api: GraphqlTestServer;
let key: string;
let fx: StoreFixtures;
let hubspot: SeededConnection;
let salesforce: SeededConnection;
let person: Awaited<ReturnType<typeof seedPerson>>;

beforeAll(async () => {
  db = await createTestDatabase();
  api = await startGraphqlServer(db);
  key = await api.key('scores:write', 'context:read');
  fx = createStoreFixtures(db.prisma);
  hubspot = await fx.connection('HUBSPOT', 'hubspot-main');
  salesforce = await fx.connection('SALESFORCE', 'salesforce-main');
  person = await seedPerson(fx, { hubspot, salesforce }, { email: 'jane@acme.example' });
});

afterAll(async () => {
  await api?.close();
  await db?.close();
});

describe('writeBackScore', () => {
  it('stores the output with provenance and queues a write for every CRM record of the person', async () => {
    const deletedSibling = await fx.contact(salesforce, { email: 'jane@acme.example', remoteType: 'Contact', deletedAt: new Date() });
    const res = await api.request<{ writeBackScore: Payload }>(key, WRITE_BACK_SCORE, {
      input: { contactId: person.contact.id, score: 90, rationale: 'Asked for pricing twice', playbook: 'Call today', source: 'scorer', model: 'gpt-4o', leadStatus: 'IN_PROGRESS' },
    });
    expect(res.errors).toBeUndefined();
    const result = res.data!.writeBackScore;
    // The person's latest earlier score is the Salesforce lead's 65, not the HubSpot record's 40.
    expect(result).toMatchObject({ previousScore: 65, delta: 25, needsReview: true, replayed: false });
    expect(result.output).toMatchObject({ contactId: person.contact.id, score: 90, previousScore: 65 });
    expect(result.writeBacks.map((w) => [w.provider, w.objectType, w.remoteId, w.status])).toEqual([
      ['HUBSPOT', 'contact', person.contact.remoteId, 'PENDING'],
      ['SALESFORCE', 'Lead', person.lead.remoteId, 'PENDING'],
    ]);

    const rows = await db.prisma.writeBack.findMany({ where: { aiOutputId: result.output.id }, orderBy: { objectType: 'asc' } });
    expect(rows).toHaveLength(2);
    expect(rows.map((r) => r.remoteId)).not.toContain(deletedSibling.remoteId);
    for (const row of rows) {
      expect(row.operation).toBe('UPDATE');
      expect(row.fields).toEqual({
        score: 90,
        rationale: 'Asked for pricing twice',
        playbook: 'Call today',
        source: 'scorer',
        model: 'gpt-4o',
        scoredAt: (await db.prisma.aiOutput.findUniqueOrThrow({ where: { id: result.output.id } })).createdAt.toISOString(),
        leadStatus: 'IN_PROGRESS',
      });
    }
  });

  it('writes only the record itself when it has no email, and stays below the review threshold', async () => {
    const loner = await fx.contact(hubspot, { email: null });
    await fx.aiOutput(loner.id, 50);
    const res = await api.request<{ writeBackScore: Payload }>(key, WRITE_BACK_SCORE, {
      input: { contactId: loner.id, score: 69, rationale: 'Slightly warmer', source: 'scorer' },
    });
    expect(res.data!.writeBackScore).toMatchObject({ previousScore: 50, delta: 19, needsReview: false });
    expect(res.data!.writeBackScore.writeBacks.map((w) => w.remoteId)).toEqual([loner.remoteId]);
    const fields = (await db.prisma.writeBack.findFirstOrThrow({ where: { remoteId: loner.remoteId } })).fields as Record<string, unknown>;
    expect(fields).not.toHaveProperty('leadStatus');
    expect(fields).toMatchObject({ playbook: null, model: null });
  });

  it('returns the first result for a repeated idempotencyKey and writes nothing', async () => {
    const target = await fx.contact(hubspot, { email: 'idem@acme.example' });
    const input = { contactId: target.id, score: 30, rationale: 'first', source: 'scorer', idempotencyKey: 'run-42:idem' };
    const first = await api.request<{ writeBackScore: Payload }>(key, WRITE_BACK_SCORE, { input });
    const before = await storeCounts(db.prisma);
    const second = await api.request<{ writeBackScore: Payload }>(key, WRITE_BACK_SCORE, { input: { ...input, score: 99, rationale: 'changed' } });
    expect(await storeCounts(db.prisma)).toEqual(before);
    expect(second.data!.writeBackScore.replayed).toBe(true);
    expect(second.data!.writeBackScore.output).toEqual(first.data!.writeBackScore.output);
    expect(second.data!.writeBackScore.writeBacks).toEqual(first.data!.writeBackScore.writeBacks);

    const elsewhere = await api.request(key, WRITE_BACK_SCORE, { input: { ...input, contactId: person.lead.id } });
    expect(elsewhere.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.idempotencyKey' });
  });

  it('gives concurrent calls with one key a single output', async () => {
    const target = await fx.contact(hubspot, { email: 'race@acme.example' });
    const input = { contactId: target.id, score: 10, rationale: 'race', source: 'scorer', idempotencyKey: 'race-key' };
    const results = await Promise.all(Array.from({ length: 5 }, () => api.request<{ writeBackScore: Payload }>(key, WRITE_BACK_SCORE, { input })));
    expect(results.every((r) => r.errors === undefined)).toBe(true);
    expect(new Set(results.map((r) => r.data!.writeBackScore.output.id)).size).toBe(1);
    expect(await db.prisma.aiOutput.count({ where: { contactId: target.id } })).toBe(1);
    expect(await db.prisma.writeBack.count({ where: { remoteId: target.remoteId } })).toBe(1);
  });
});

describe('writeBackScores', () => {
  it('stores the good items and reports each bad one without failing the batch', async () => {
    const a = await fx.contact(hubspot, { email: 'batch-a@acme.example' });
    const b = await fx.contact(salesforce, { email: 'batch-b@acme.example', remoteType: 'Lead' });
    const res = await api.request<{ writeBackScores: Array<{ index: number; result: Payload | null; error: { code: string; field: string | null } | null }> }>(
      key,
      `mutation($inputs: [WriteBackScoreInput!]!) { writeBackScores(inputs: $inputs) {
        index result { output { contactId score } writeBacks { remoteId } } error { code message field } } }`,
      {
        inputs: [
          { contactId: a.id, score: 70, rationale: 'good', source: 'batch' },
          { contactId: a.id, score: 170, rationale: 'score out of range', source: 'batch' },
          { contactId: '0190a0a0-0000-7000-8000-00000000beef', score: 10, rationale: 'unknown contact', source: 'batch' },
          { contactId: b.id, score: 20, rationale: 'good too', source: 'batch' },
        ],
      },
    );
    expect(res.errors).toBeUndefined();
    const items = res.data!.writeBackScores;
    expect(items.map((i) => i.index)).toEqual([0, 1, 2, 3]);
    expect(items[0]).toMatchObject({ result: { output: { contactId: a.id, score: 70 }, writeBacks: [{ remoteId: a.remoteId }] }, error: null });
    expect(items[1]).toMatchObject({ result: null, error: { code: 'BAD_USER_INPUT', field: 'inputs.1.score' } });
    expect(items[2]).toMatchObject({ result: null, error: { code: 'NOT_FOUND', field: null } });
    expect(items[3]).toMatchObject({ result: { output: { contactId: b.id, score: 20 } }, error: null });
    expect(await db.prisma.aiOutput.count({ where: { source: 'batch' } })).toBe(2);
  });
});

describe('recordSignals', () => {
  it('stores signals by email or id, and packets show them', async () => {
    const observedAt = new Date(Date.now() - 60_000).toISOString();
    const byEmail = await api.request<{ recordSignals: { contact: { id: string }; signals: Array<{ key: string; value: unknown }> } }>(
      key,
      RECORD_SIGNALS,
      { input: { email: 'JANE@acme.example', source: 'clay', observedAt, signals: [{ key: 'fundingRound', value: { stage: 'Series B', amountUsd: 30000000 } }, { key: 'roleStartedAt', value: '2024-01-15' }] } },
    );
    expect(byEmail.errors).toBeUndefined();
    expect(byEmail.data!.recordSignals.signals.map((s) => s.key)).toEqual(['fundingRound', 'roleStartedAt']);
    const byId = await api.request(key, RECORD_SIGNALS, {
      input: { contactId: person.lead.id, source: 'clearbit', observedAt, signals: [{ key: 'employees', value: 260 }] },
    });
    expect(byId.errors).toBeUndefined();

    const packet = await api.request<{ contextPacket: { signals: Array<{ key: string; value: unknown; source: string }>; person: { tenure: { source: string } } } }>(
      key,
      `query($id: ID!) { contextPacket(contactId: $id) { signals { key value source } person { tenure { source } } } }`,
      { id: person.contact.id },
    );
    const signals = packet.data!.contextPacket.signals;
    expect(signals).toEqual(expect.arrayContaining([
      { key: 'fundingRound', value: { stage: 'Series B', amountUsd: 30000000 }, source: 'clay' },
      { key: 'employees', value: 260, source: 'clearbit' },
    ]));
    // roleStartedAt is newer than the seeded tenureMonths, so it now gives the tenure.
    expect(packet.data!.contextPacket.person.tenure.source).toBe('clay');
  });
});

describe('malformed inputs', () => {
  const valid = () => ({ contactId: person.contact.id, score: 50, rationale: 'ok', source: 'scorer' });
  const signalsInput = () => ({ contactId: person.contact.id, source: 'clay', observedAt: '2026-01-01T00:00:00Z', signals: [{ key: 'k', value: 1 }] });
  const cases: Array<{ name: string; query: () => string; variables: () => Record<string, unknown>; code: string; field?: string }> = [
    { name: 'score above 100', query: () => WRITE_BACK_SCORE, variables: () => ({ input: { ...valid(), score: 101 } }), code: 'BAD_USER_INPUT', field: 'input.score' },
    { name: 'negative score', query: () => WRITE_BACK_SCORE, variables: () => ({ input: { ...valid(), score: -1 } }), code: 'BAD_USER_INPUT', field: 'input.score' },
    { name: 'score not an integer', query: () => WRITE_BACK_SCORE, variables: () => ({ input: { ...valid(), score: 'high' } }), code: 'BAD_USER_INPUT', field: 'input.score' },
    { name: 'missing rationale', query: () => WRITE_BACK_SCORE, variables: () => ({ input: { contactId: person.contact.id, score: 5, source: 's' } }), code: 'BAD_USER_INPUT' },
    { name: 'blank rationale', query: () => WRITE_BACK_SCORE, variables: () => ({ input: { ...valid(), rationale: '   ' } }), code: 'BAD_USER_INPUT', field: 'input.rationale' },
    { name: 'rationale too long', query: () => WRITE_BACK_SCORE, variables: () => ({ input: { ...valid(), rationale: 'x'.repeat(4001) } }), code: 'BAD_USER_INPUT', field: 'input.rationale' },
    { name: 'playbook too long', query: () => WRITE_BACK_SCORE, variables: () => ({ input: { ...valid(), playbook: 'x'.repeat(4001) } }), code: 'BAD_USER_INPUT', field: 'input.playbook' },
    { name: 'empty source', query: () => WRITE_BACK_SCORE, variables: () => ({ input: { ...valid(), source: '' } }), code: 'BAD_USER_INPUT', field: 'input.source' },
    { name: 'idempotencyKey too long', query: () => WRITE_BACK_SCORE, variables: () => ({ input: { ...valid(), idempotencyKey: 'k'.repeat(201) } }), code: 'BAD_USER_INPUT', field: 'input.idempotencyKey' },
    { name: 'malformed contactId', query: () => WRITE_BACK_SCORE, variables: () => ({ input: { ...valid(), contactId: 'contact-1' } }), code: 'BAD_USER_INPUT', field: 'input.contactId' },
    { name: 'unknown contact', query: () => WRITE_BACK_SCORE, variables: () => ({ input: { ...valid(), contactId: '0190a0a0-0000-7000-8000-0000000000aa' } }), code: 'NOT_FOUND' },
    {
      name: 'more than 100 batch items',
      query: () => 'mutation($inputs: [WriteBackScoreInput!]!) { writeBackScores(inputs: $inputs) { index } }',
      variables: () => ({ inputs: Array.from({ length: 101 }, valid) }),
      code: 'BAD_USER_INPUT',
      field: 'inputs',
    },
    { name: 'signals without a contact', query: () => RECORD_SIGNALS, variables: () => ({ input: { ...signalsInput(), contactId: null } }), code: 'BAD_USER_INPUT', field: 'input.contactId' },
    { name: 'signals with both id and email', query: () => RECORD_SIGNALS, variables: () => ({ input: { ...signalsInput(), email: 'jane@acme.example' } }), code: 'BAD_USER_INPUT', field: 'input.contactId' },
    { name: 'no signals', query: () => RECORD_SIGNALS, variables: () => ({ input: { ...signalsInput(), signals: [] } }), code: 'BAD_USER_INPUT', field: 'input.signals' },
    { name: 'too many signals', query: () => RECORD_SIGNALS, variables: () => ({ input: { ...signalsInput(), signals: Array.from({ length: 51 }, (_, i) => ({ key: `k${i}`, value: i })) } }), code: 'BAD_USER_INPUT', field: 'input.signals' },
    { name: 'signal key with spaces', query: () => RECORD_SIGNALS, variables: () => ({ input: { ...signalsInput(), signals: [{ key: 'bad key', value: 1 }] } }), code: 'BAD_USER_INPUT', field: 'input.signals.0.key' },
    { name: 'signal value too large', query: () => RECORD_SIGNALS, variables: () => ({ input: { ...signalsInput(), signals: [{ key: 'k', value: 'x'.repeat(2001) }] } }), code: 'BAD_USER_INPUT', field: 'input.signals.0.value' },
    { name: 'observedAt without a zone', query: () => RECORD_SIGNALS, variables: () => ({ input: { ...signalsInput(), observedAt: '2026-01-01 10:00' } }), code: 'BAD_USER_INPUT', field: 'input.observedAt' },
    { name: 'observedAt in the future', query: () => RECORD_SIGNALS, variables: () => ({ input: { ...signalsInput(), observedAt: new Date(Date.now() + 3_600_000).toISOString() } }), code: 'BAD_USER_INPUT', field: 'input.observedAt' },
    { name: 'signals for an unknown email', query: () => RECORD_SIGNALS, variables: () => ({ input: { ...signalsInput(), contactId: undefined, email: 'nobody@nowhere.example' } }), code: 'NOT_FOUND' },
  ];

  it.each(cases)('$name → $code', async ({ query, variables, code, field }) => {
    const before = await storeCounts(db.prisma);
    const res = await api.request(key, query(), variables());
    expect(res.data?.writeBackScore ?? res.data?.recordSignals ?? null).toBeNull();
    expect(res.errors?.[0]?.extensions?.['code']).toBe(code);
    if (field) expect(res.errors?.[0]?.extensions?.['field']).toBe(field);
    expect(await storeCounts(db.prisma)).toEqual(before);
  });
});
