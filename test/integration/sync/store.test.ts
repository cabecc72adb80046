import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CanonicalContact, NormalizedRecord } from '../../../src/canonical/types.js';
import { writePage, markMerged, type PageWrite } from '../../../src/sync/store.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/db.js';

function contact(remoteId: string, overrides: Partial<CanonicalContact> = {}, companyId?: string): NormalizedRecord {
  const record: CanonicalContact = {
    kind: 'CONTACT',
    remoteId,
    remoteType: 'contact',
    email: `${remoteId}@example.com`,
    firstName: 'Zoë',
    lastName: "O'Brien",
    title: null,
    phone: null,
    companyRemoteId: companyId ?? null,
    ownerRemoteId: null,
    lifecycleStage: { value: 'lead', label: 'Lead' },
    leadStatus: null,
    customFields: { score_hint: 3 },
    mergedIntoRemoteId: null,
    remoteCreatedAt: '2026-01-01T00:00:00.000Z',
    remoteUpdatedAt: '2026-01-02T00:00:00.000Z',
    deleted: false,
    ...overrides,
  };
  return {
    record,
    associations: companyId ? [{ toKind: 'COMPANY', toRemoteId: companyId, label: null, isPrimary: true }] : [],
    associationKinds: ['COMPANY'],
    absorbedRemoteIds: [],
    raw: { id: remoteId },
  };
}

describe('sync store', () => {
  let db: TestDatabase;
  let connectionId: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    const connection = await db.prisma.connection.create({ data: { provider: 'HUBSPOT', name: 'store-test', credentials: 'x' } });
    connectionId = connection.id;
  });
  afterAll(() => db.close());

  async function write(records: NormalizedRecord[], deletedRemoteIds: string[] = []) {
    const client = await db.pool.connect();
    try {
      const page: PageWrite = { connectionId, kind: 'CONTACT', records, deletedRemoteIds, now: new Date() };
      return await writePage(client, page);
    } finally {
      client.release();
    }
  }

  it('inserts, skips unchanged rows, and rewrites changed ones', async () => {
    expect(await write([contact('1'), contact('2')])).toEqual({ written: 2, unchanged: 0, deleted: 0 });
    const before = await db.prisma.contact.findUniqueOrThrow({ where: { connectionId_remoteId: { connectionId, remoteId: '1' } } });
    expect(await write([contact('1'), contact('2')])).toEqual({ written: 0, unchanged: 2, deleted: 0 });
    const untouched = await db.prisma.contact.findUniqueOrThrow({ where: { id: before.id } });
    expect(untouched.updatedAt).toEqual(before.updatedAt);
    expect(await write([contact('1', { title: 'CTO' }), contact('2')])).toEqual({ written: 1, unchanged: 1, deleted: 0 });
    const changed = await db.prisma.contact.findUniqueOrThrow({ where: { id: before.id } });
    expect(changed).toMatchObject({ title: 'CTO', lifecycleStage: 'lead', lifecycleStageLabel: 'Lead', firstName: 'Zoë', lastName: "O'Brien" });
    expect(changed.customFields).toEqual({ score_hint: 3 });
    expect(changed.remoteUpdatedAt?.toISOString()).toBe('2026-01-02T00:00:00.000Z');
  });

  it('keeps the last copy when a page repeats a record', async () => {
    const counts = await write([contact('3', { title: 'old' }), contact('3', { title: 'new' })]);
    expect(counts.written).toBe(1);
    const row = await db.prisma.contact.findUniqueOrThrow({ where: { connectionId_remoteId: { connectionId, remoteId: '3' } } });
    expect(row.title).toBe('new');
  });

  it('replaces a record\'s links of the kinds it reports, even when only the links changed', async () => {
    await write([contact('10', {}, 'c1')]);
    const links = () => db.prisma.association.findMany({ where: { connectionId, fromRemoteId: '10' } });
    expect((await links()).map((l) => [l.toKind, l.toRemoteId, l.isPrimary])).toEqual([['COMPANY', 'c1', true]]);
    expect((await write([contact('10', {}, 'c2')])).written).toBe(1);
    expect((await links()).map((l) => l.toRemoteId)).toEqual(['c2']);
  });

  it('tombstones deletes and clears the tombstone on restore', async () => {
    await write([contact('20')]);
    expect((await write([], ['20', 'never-synced'])).deleted).toBe(1);
    const row = () => db.prisma.contact.findUniqueOrThrow({ where: { connectionId_remoteId: { connectionId, remoteId: '20' } } });
    expect((await row()).deletedAt).toBeInstanceOf(Date);
    // The restored record has exactly its old values: it must still be rewritten.
    expect((await write([contact('20')])).written).toBe(1);
    expect((await row()).deletedAt).toBeNull();
  });

  it('marks merged records as pointing at the survivor', async () => {
    await write([contact('30'), contact('31')]);
    const client = await db.pool.connect();
    try {
      expect(await markMerged(client, connectionId, 'CONTACT', ['31'], '30', new Date())).toBe(1);
    } finally {
      client.release();
    }
    const merged = await db.prisma.contact.findUniqueOrThrow({ where: { connectionId_remoteId: { connectionId, remoteId: '31' } } });
    expect(merged.mergedIntoRemoteId).toBe('30');
    expect(merged.deletedAt).toBeInstanceOf(Date);
  });
});
