/**
 * The Salesforce connector through the lead's engine (syncConnection) against the simulator
 * over real HTTP with real jsforce: what the store holds must equal the org, normalized.
 * The tests build on each other in order, like the life of one connection.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSalesforceSimulator, type SalesforceSimulator } from '../../../src/simulators/salesforce/index.js';
import { syncConnection } from '../../../src/sync/connection-sync.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/db.js';
import { compareWithSimulator, connectorFor, createSyncFixture, type SyncFixture } from './salesforce-helpers.js';

let db: TestDatabase;
let sf: SalesforceSimulator;
let fx: SyncFixture;

beforeAll(async () => {
  db = await createTestDatabase();
  sf = await startSalesforceSimulator({ seed: 5, contacts: 300 });
  fx = await createSyncFixture(db, sf);
});

afterAll(async () => {
  await fx?.connector.close();
  await sf?.close();
  await db?.close();
});

async function expectMirrorsOrg(): Promise<void> {
  const { expected, actual } = await compareWithSimulator(sf, db, fx.connectionId);
  for (const kind of Object.keys(expected)) expect(expected[kind]!.length, kind).toBeGreaterThan(0);
  expect(actual).toEqual(expected);
}

async function run(options: Parameters<typeof syncConnection>[3] = {}) {
  const outcomes = await syncConnection(fx.ctx, fx.connectionId, fx.connector, options);
  return Object.fromEntries(outcomes.map((o) => [o.stream, o]));
}

const contactRow = (remoteId: string) => db.prisma.contact.findUniqueOrThrow({ where: { connectionId_remoteId: { connectionId: fx.connectionId, remoteId } } });

describe('Salesforce sync through the engine', () => {
  it('a full sync mirrors the org, then every stream is incremental', async () => {
    const outcomes = await run();
    for (const outcome of Object.values(outcomes)) expect(outcome.status, `${outcome.stream}: ${outcome.error}`).toBe('SUCCEEDED');
    await expectMirrorsOrg();

    const states = await db.prisma.syncState.findMany({ where: { connectionId: fx.connectionId } });
    expect(states).toHaveLength(8);
    for (const state of states) {
      expect(state.phase, state.objectType).toBe('INCREMENTAL');
      expect(state.status).toBe('IDLE');
    }
    const taskRun = await db.prisma.syncRun.findFirstOrThrow({ where: { connectionId: fx.connectionId, objectType: 'Task' } });
    expect(taskRun).toMatchObject({ status: 'SUCCEEDED', phase: 'FULL' });
    expect(taskRun.pages).toBeGreaterThan(1); // 200 rows a page
    expect(taskRun.apiCalls).toBeGreaterThanOrEqual(taskRun.pages + 1); // describe + one query per page

    // Picklist labels come from describe and are stored with their values.
    const statusDef = await db.prisma.fieldDef.findFirstOrThrow({ where: { connectionId: fx.connectionId, objectType: 'Lead', name: 'Status' } });
    expect(statusDef.type).toBe('enumeration');
    expect(statusDef.options).toContainEqual({ value: 'Working - Contacted', label: 'Working - Contacted' });
  });

  it('stores contacts, their companies and deal contact roles as the canonical shape', async () => {
    const contact = sf.control.list('Contact').find((c) => c.AccountId && c.Lifecycle_Stage__c && c.Product_Interest__c)!;
    const row = await contactRow(String(contact.Id));
    expect(row).toMatchObject({ remoteType: 'Contact', email: String(contact.Email).toLowerCase(), companyRemoteId: contact.AccountId, deletedAt: null });
    expect(row.lifecycleStageLabel).not.toBeNull();
    expect((row.customFields as Record<string, unknown>).Product_Interest__c).toEqual(
      expect.arrayContaining([expect.objectContaining({ value: String(contact.Product_Interest__c).split(';')[0] })]),
    );
    const links = await db.prisma.association.findMany({ where: { connectionId: fx.connectionId, fromRemoteId: String(contact.Id) } });
    expect(links).toEqual([expect.objectContaining({ fromKind: 'CONTACT', toKind: 'COMPANY', toRemoteId: contact.AccountId, isPrimary: true })]);

    const role = sf.control.list('OpportunityContactRole').find((r) => r.IsPrimary === true)!;
    const dealLinks = await db.prisma.association.findMany({ where: { connectionId: fx.connectionId, fromKind: 'DEAL', fromRemoteId: String(role.OpportunityId), toKind: 'CONTACT' } });
    expect(dealLinks).toContainEqual(expect.objectContaining({ toRemoteId: role.ContactId, label: role.Role, isPrimary: true }));
  });

  it('an incremental run picks up updates, creates and role-only changes, and reads only what changed', async () => {
    const lead = sf.control.list('Lead')[0]!;
    sf.control.update('Lead', String(lead.Id), { Status: 'Working - Contacted', Title: 'Head of Ops' });
    const newLead = sf.control.create('Lead', { LastName: 'Okafor', FirstName: 'Ada', Email: 'Ada.Okafor@Example.COM', Company: 'Okafor Ltd' });
    const role = sf.control.list('OpportunityContactRole')[0]!;
    sf.control.update('OpportunityContactRole', String(role.Id), { Role: 'Economic Buyer' });
    const opportunity = sf.control.list('Opportunity')[0]!;
    const contact = sf.control.list('Contact')[0]!;
    sf.control.create('Task', { Subject: 'Follow-up call', WhoId: contact.Id, WhatId: opportunity.Id, TaskSubtype: 'Call', Status: 'Completed', Description: '<p>Call <b>went</b> well</p>' });

    const outcomes = await run();
    expect(outcomes.Lead!.progress.recordsSeen).toBe(2);
    expect(outcomes.Contact!.progress.recordsSeen).toBe(0);
    expect(outcomes.OpportunityContactRole!.progress.recordsSeen).toBe(1); // the Opportunity, re-read with its roles
    expect(outcomes.Task!.progress.recordsSeen).toBe(1);
    await expectMirrorsOrg();

    expect(await contactRow(newLead)).toMatchObject({ email: 'ada.okafor@example.com', leadStatus: 'Open - Not Contacted', remoteType: 'Lead' });
    const link = await db.prisma.association.findFirstOrThrow({ where: { connectionId: fx.connectionId, fromKind: 'DEAL', fromRemoteId: String(role.OpportunityId), toRemoteId: String(role.ContactId) } });
    expect(link.label).toBe('Economic Buyer');
    const task = await db.prisma.activity.findFirstOrThrow({ where: { connectionId: fx.connectionId, subject: 'Follow-up call' } });
    expect(task).toMatchObject({ kind: 'CALL', bodyText: 'Call went well', bodyHtml: '<p>Call <b>went</b> well</p>' });
  });

  it('loses no record when many share one SystemModstamp across page boundaries, even after a crash there', async () => {
    const allTasks = sf.control.list('Task').map((t) => String(t.Id)).sort();
    // The first task (the smallest id) stays out: it is the late writer below.
    const tasks = allTasks.slice(1, 451);
    const instant = new Date(Date.now() + 60_000);
    sf.control.touch('Task', tasks, instant);

    // The process dies after the first page: the cursor points into the middle of the instant.
    const crashed = await run({ streams: ['Task'], onProgress: () => { throw new Error('simulated crash after a page'); } });
    expect(crashed.Task!.status).toBe('FAILED');
    const state = await db.prisma.syncState.findFirstOrThrow({ where: { connectionId: fx.connectionId, objectType: 'Task' } });
    const cursor = state.cursor as { last: { systemModstamp: string; id: string }; idsAtLast: string[] };
    expect(cursor.last.systemModstamp).toBe(instant.toISOString());
    // The page also re-reads the overlap before the old cursor; those rows are unchanged, so
    // what was written is exactly what was handed over at the instant.
    const firstWritten = crashed.Task!.progress.recordsWritten;
    expect(firstWritten).toBeGreaterThan(0);
    expect(firstWritten).toBeLessThan(tasks.length);
    expect(cursor.idsAtLast).toHaveLength(firstWritten);

    // A write committed late with the very same stamp, to a record ordered before the cursor's id:
    // a (SystemModstamp, Id) comparison would skip it; the ids kept at the instant do not.
    const lateId = allTasks[0]!;
    expect(lateId < cursor.last.id).toBe(true);
    sf.control.update('Task', lateId, { Subject: 'committed late', SystemModstamp: instant.toISOString() });

    const resumed = await run({ streams: ['Task'] });
    expect(resumed.Task!.status).toBe('SUCCEEDED');
    expect(resumed.Task!.progress.recordsWritten).toBe(450 - firstWritten + 1);
    const stamped = await db.prisma.activity.count({ where: { connectionId: fx.connectionId, remoteId: { in: tasks }, remoteUpdatedAt: instant } });
    expect(stamped).toBe(450);
    expect((await db.prisma.activity.findFirstOrThrow({ where: { connectionId: fx.connectionId, remoteId: lateId } })).subject).toBe('committed late');
    await expectMirrorsOrg();
  });

  it('re-reads an overlap before the cursor, so a late commit stamped before it is not lost', async () => {
    await run({ streams: ['Task'] });
    const cursorOf = async () => {
      const state = await db.prisma.syncState.findFirstOrThrow({ where: { connectionId: fx.connectionId, objectType: 'Task' } });
      return (state.cursor as { last: { systemModstamp: string } }).last.systemModstamp;
    };
    const cursor = await cursorOf();
    // Two long transactions commit after our last read, stamped a minute before the cursor.
    const stampedEarlier = new Date(Date.parse(cursor) - 60_000).toISOString();
    const [missed, late] = sf.control.list('Task').filter((t) => String(t.SystemModstamp) < stampedEarlier).map((t) => String(t.Id));
    const subjectOf = async (id: string) => (await db.prisma.activity.findFirstOrThrow({ where: { connectionId: fx.connectionId, remoteId: id } })).subject;

    // Without the overlap the cursor has moved past them: a poll never sees the commit.
    sf.control.update('Task', missed!, { Subject: 'late, no overlap', SystemModstamp: stampedEarlier });
    const noOverlap = connectorFor(sf, { settings: { overlapMs: 0 } });
    try {
      const blind = await syncConnection(fx.ctx, fx.connectionId, noOverlap, { streams: ['Task'] });
      expect(blind[0]!.progress.recordsSeen).toBe(0);
      expect(await subjectOf(missed!)).not.toBe('late, no overlap');
    } finally {
      await noOverlap.close();
    }

    // With it (5 minutes by default) both are read; the rows re-read unchanged are not rewritten.
    sf.control.update('Task', late!, { Subject: 'late, in the overlap', SystemModstamp: stampedEarlier });
    const caught = (await run({ streams: ['Task'] })).Task!;
    expect(caught.status).toBe('SUCCEEDED');
    expect(caught.progress.recordsWritten).toBe(2);
    expect(await subjectOf(missed!)).toBe('late, no overlap');
    expect(await subjectOf(late!)).toBe('late, in the overlap');
    expect(await cursorOf()).toBe(cursor); // re-reads never move the cursor back, or forward
    await expectMirrorsOrg();

    // More late commits than three pages hold, and the query locator times out after the first
    // page (the engine has fetched the second meanwhile): the query restarts at the overlap, not
    // at the cursor, or the rows from the third page on would be lost.
    const stampedLater = new Date(Date.parse(cursor) - 30_000).toISOString();
    const many = sf.control.list('Task').map((t) => String(t.Id)).filter((id) => id !== missed && id !== late).slice(0, 700);
    expect(many.length).toBeGreaterThan(600);
    sf.control.touch('Task', many, stampedLater);
    let pages = 0;
    const restarted = (await run({ streams: ['Task'], onProgress: () => (++pages === 1 ? sf.control.expireQueryLocators() : undefined) })).Task!;
    expect(restarted.status).toBe('SUCCEEDED');
    expect(pages).toBeGreaterThan(1);
    expect(restarted.progress.recordsWritten).toBe(many.length);
    await expectMirrorsOrg();

    // The overlap is measured from the last read, so a quiet object stops being re-read: an
    // hour later one run still covers what the last read could have missed, the next nothing.
    for (const [hours, expectSeen] of [[1, true], [2, false]] as const) {
      // Later for both clocks: ours and the one the org reports (see CrmClock).
      sf.control.setClockOffset(hours * 3_600_000);
      const later = connectorFor(sf, { now: () => Date.now() + hours * 3_600_000 });
      try {
        const [quiet] = await syncConnection(fx.ctx, fx.connectionId, later, { streams: ['Task'] });
        expect(quiet!.status).toBe('SUCCEEDED');
        expect(quiet!.progress.recordsWritten).toBe(0);
        if (expectSeen) expect(quiet!.progress.recordsSeen).toBeGreaterThanOrEqual(2);
        else expect(quiet!.progress.recordsSeen).toBe(0);
      } finally {
        sf.control.setClockOffset(0);
        await later.close();
      }
    }
  });

  it("keeps its overlap when our clock runs ahead of the org's: cursors take Salesforce's time from its Date headers", async () => {
    const ahead = connectorFor(sf, { now: () => Date.now() + 10 * 60_000 }); // twice the overlap
    const subjectOf = async (id: string) => (await db.prisma.activity.findFirstOrThrow({ where: { connectionId: fx.connectionId, remoteId: id } })).subject;
    const [readNow, committedLate] = sf.control.list('Task').map((t) => String(t.Id)).slice(-2);
    await run({ streams: ['Task'] }); // a cursor to start from, also when this test runs alone
    const state = await db.prisma.syncState.findFirstOrThrow({ where: { connectionId: fx.connectionId, objectType: 'Task' } });
    // After the cursor (earlier tests stamped rows ahead of now), so any correct read sees it.
    const stamped = Math.max(Date.now(), Date.parse((state.cursor as { last: { systemModstamp: string } }).last.systemModstamp) + 1000);
    try {
      sf.control.update('Task', readNow!, { Subject: 'read now', SystemModstamp: new Date(stamped).toISOString() });
      const [first] = await syncConnection(fx.ctx, fx.connectionId, ahead, { streams: ['Task'] });
      expect(first!.status).toBe('SUCCEEDED');
      expect(await subjectOf(readNow!)).toBe('read now');
      // A transaction that commits after that read a row stamped a minute before the one read.
      sf.control.update('Task', committedLate!, { Subject: 'committed late', SystemModstamp: new Date(stamped - 60_000).toISOString() });
      const [second] = await syncConnection(fx.ctx, fx.connectionId, ahead, { streams: ['Task'] });
      expect(second!.status).toBe('SUCCEEDED');
      expect(await subjectOf(committedLate!)).toBe('committed late');
    } finally {
      await ahead.close();
    }
  });

  it('tombstones deleted records and restores undeleted ones', async () => {
    const contact = sf.control.list('Contact').find((c) => !sf.control.list('OpportunityContactRole').some((r) => r.ContactId === c.Id))!;
    const event = sf.control.list('Event')[0]!;
    const role = sf.control.list('OpportunityContactRole')[0]!;
    sf.control.delete('Contact', String(contact.Id));
    sf.control.delete('Event', String(event.Id));
    sf.control.delete('OpportunityContactRole', String(role.Id));

    await run();
    expect((await contactRow(String(contact.Id))).deletedAt).not.toBeNull();
    expect((await db.prisma.activity.findFirstOrThrow({ where: { connectionId: fx.connectionId, remoteId: String(event.Id) } })).deletedAt).not.toBeNull();
    const roleLinks = await db.prisma.association.count({ where: { connectionId: fx.connectionId, fromKind: 'DEAL', fromRemoteId: String(role.OpportunityId), toRemoteId: String(role.ContactId) } });
    expect(roleLinks).toBe(0);
    await expectMirrorsOrg();

    sf.control.undelete('Contact', String(contact.Id));
    sf.control.undelete('OpportunityContactRole', String(role.Id));
    await run();
    expect((await contactRow(String(contact.Id))).deletedAt).toBeNull();
    const restoredLinks = await db.prisma.association.count({ where: { connectionId: fx.connectionId, fromKind: 'DEAL', fromRemoteId: String(role.OpportunityId), toRemoteId: String(role.ContactId) } });
    expect(restoredLinks).toBe(1);
    await expectMirrorsOrg();
  });

  it('a converted lead becomes a tombstone merged into its contact', async () => {
    const lead = sf.control.list('Lead').find((l) => l.IsConverted !== true)!;
    const contact = sf.control.list('Contact')[1]!;
    sf.control.update('Lead', String(lead.Id), { IsConverted: true, ConvertedContactId: contact.Id, ConvertedAccountId: contact.AccountId, Status: 'Closed - Converted' });
    await run({ streams: ['Lead'] });
    const row = await contactRow(String(lead.Id));
    expect(row.deletedAt).not.toBeNull();
    expect(row.mergedIntoRemoteId).toBe(contact.Id);
    await expectMirrorsOrg();
  });
});
