import { Connection } from 'jsforce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSalesforceSimulator, type SalesforceSimulator } from '../../../src/simulators/salesforce/index.js';

interface ContactRow {
  Id: string;
  LastName: string;
  Email: string | null;
  IsDeleted?: boolean;
  Account: { Name: string; Industry: string | null; attributes: { type: string } } | null;
  Owner: { Email: string } | null;
}

let sf: SalesforceSimulator;
let conn: Connection;

beforeAll(async () => {
  sf = await startSalesforceSimulator({ seed: 5, contacts: 200, pageSize: 100 });
  conn = new Connection({
    oauth2: { loginUrl: sf.loginUrl, clientId: sf.credentials.clientId, clientSecret: sf.credentials.clientSecret },
    version: '61.0',
  });
  await conn.login(sf.credentials.username, sf.credentials.password);
});

afterAll(async () => {
  await sf.close();
});

const liveTasks = () => sf.control.list('Task').length;

describe('Salesforce simulator queries', () => {
  it('pages with nextRecordsUrl locators so autoFetch, maxFetch and queryMore work', async () => {
    const total = liveTasks();
    expect(total).toBeGreaterThan(250);
    const first = await conn.query<{ Id: string }>('SELECT Id FROM Task ORDER BY Id');
    expect(first.totalSize).toBe(total);
    expect(first.done).toBe(false);
    expect(first.records).toHaveLength(100);
    // jsforce rebuilds nextRecordsUrl from the locator (the last path segment) of ours.
    expect(first.nextRecordsUrl).toMatch(/\/services\/data\/v61\.0\/query\/01g[A-Za-z0-9]{15}-100$/);

    const second = await conn.queryMore<{ Id: string }>(first.nextRecordsUrl as string);
    expect(second.records).toHaveLength(100);
    expect((second.records[0]?.Id ?? '') > (first.records[99]?.Id ?? '')).toBe(true);

    const capped = await conn.query<{ Id: string }>('SELECT Id FROM Task ORDER BY Id').run({ autoFetch: true, maxFetch: 150 });
    expect(capped.records).toHaveLength(150);

    const all = await conn.query<{ Id: string }>('SELECT Id FROM Task ORDER BY Id').run({ autoFetch: true, maxFetch: 100_000 });
    expect(all.records).toHaveLength(total);
    expect(new Set(all.records.map((record) => record.Id)).size).toBe(total);
  });

  it('nests parent relationship fields, or answers null for a missing parent', async () => {
    const orphan = sf.control.create('Contact', { LastName: 'Orphan', Email: 'orphan@example.com' });
    const result = await conn.query<ContactRow>(`SELECT Id, LastName, Account.Name, Account.Industry, Owner.Email FROM Contact WHERE AccountId != null LIMIT 5`);
    const row = result.records[0] as ContactRow;
    const contact = sf.control.get('Contact', row.Id);
    const account = sf.control.get('Account', String(contact?.AccountId));
    expect(row.Account).toMatchObject({ attributes: { type: 'Account' }, Name: account?.Name, Industry: account?.Industry });
    expect(row.Owner?.Email).toMatch(/@/);

    const lonely = await conn.query<ContactRow>(`SELECT Id, Account.Name FROM Contact WHERE Id = '${orphan}'`);
    expect(lonely.records[0]?.Account).toBeNull();
  });

  it('excludes deleted rows from query and includes them with IsDeleted from queryAll', async () => {
    const victim = sf.control.create('Contact', { LastName: 'Temporary', Email: 'temp@example.com' });
    sf.control.delete('Contact', victim);
    const soql = `SELECT Id, IsDeleted FROM Contact WHERE Email = 'temp@example.com'`;
    expect((await conn.query(soql)).totalSize).toBe(0);
    const all = await conn.query<ContactRow>(soql, { scanAll: true });
    expect(all.records).toEqual([expect.objectContaining({ Id: victim, IsDeleted: true })]);
  });

  it('answers unparseable SOQL with 400 MALFORMED_QUERY and unknown fields with INVALID_FIELD', async () => {
    await expect(conn.query('SELECT FROM Contact')).rejects.toMatchObject({ errorCode: 'MALFORMED_QUERY' });
    await expect(conn.query('SELECT Shoe_Size__c FROM Contact')).rejects.toMatchObject({ errorCode: 'INVALID_FIELD' });
    await expect(conn.query('SELECT Id FROM Spaceship')).rejects.toMatchObject({ errorCode: 'INVALID_TYPE' });
  });
});

describe('Salesforce simulator records', () => {
  it('retrieves, updates and bumps SystemModstamp; reports NOT_FOUND, INVALID_FIELD and ENTITY_IS_DELETED', async () => {
    const id = sf.control.create('Contact', { LastName: 'Curie', Email: 'marie@example.com', LastModifiedDate: '2025-01-01T00:00:00.000Z' });
    const fetched = await conn.sobject('Contact').retrieve(id);
    expect(fetched).toMatchObject({ Id: id, LastName: 'Curie', Email: 'marie@example.com', LastModifiedDate: '2025-01-01T00:00:00.000+0000' });

    const saved = await conn.sobject('Contact').update({ Id: id, Title: 'Physicist' });
    expect(saved).toMatchObject({ id, success: true });
    const after = sf.control.get('Contact', id);
    expect(after?.Title).toBe('Physicist');
    expect(String(after?.SystemModstamp) > '2025-01-01').toBe(true);
    expect(after?.SystemModstamp).toBe(after?.LastModifiedDate);

    const many = await conn.sobject('Contact').retrieve([id, id.slice(0, 15)]);
    expect(many.map((record) => record?.Id)).toEqual([id, id]);

    await expect(conn.sobject('Contact').update({ Id: id, Shoe_Size__c: 9 })).rejects.toMatchObject({ errorCode: 'INVALID_FIELD' });
    await expect(conn.sobject('Contact').retrieve('003000000000000AAA')).rejects.toMatchObject({ errorCode: 'NOT_FOUND' });
    await conn.sobject('Contact').destroy(id);
    await expect(conn.sobject('Contact').update({ Id: id, Title: 'Ghost' })).rejects.toMatchObject({ errorCode: 'ENTITY_IS_DELETED' });
  });

  it('upserts by external id: 201 created, 200 updated, 300 on several matches', async () => {
    sf.control.defineCustomField({ FullName: 'Contact.Partner_Key__c', Metadata: { label: 'Partner Key', type: 'Text', length: 40, externalId: true } });
    const created = await conn.sobject('Contact').upsert({ Partner_Key__c: 'PK-1', LastName: 'Hopper' }, 'Partner_Key__c');
    expect(created).toMatchObject({ success: true, created: true });
    const updated = await conn.sobject('Contact').upsert({ Partner_Key__c: 'PK-1', Title: 'Rear Admiral' }, 'Partner_Key__c');
    expect(updated).toMatchObject({ id: created.id, success: true, created: false });
    expect(sf.control.get('Contact', created.id as string)).toMatchObject({ LastName: 'Hopper', Title: 'Rear Admiral' });

    sf.control.create('Contact', { LastName: 'Twin A', Partner_Key__c: 'PK-2' });
    sf.control.create('Contact', { LastName: 'Twin B', Partner_Key__c: 'PK-2' });
    const error = await conn.sobject('Contact').upsert({ Partner_Key__c: 'PK-2', Title: 'x' }, 'Partner_Key__c').catch((e: unknown) => e);
    expect(error).toMatchObject({ errorCode: 'MULTIPLE_CHOICES' });
    expect((error as { data: string[] }).data).toHaveLength(2);

    // Arrays go through PATCH /composite/sobjects/Contact/Partner_Key__c, one result per record.
    const batch = await conn.sobject('Contact').upsert([{ Partner_Key__c: 'PK-1', Department: 'Navy' }, { Partner_Key__c: 'PK-3', LastName: 'Lamarr' }], 'Partner_Key__c');
    expect(batch).toEqual([
      expect.objectContaining({ id: created.id, success: true, created: false }),
      expect.objectContaining({ success: true, created: true }),
    ]);
  });

  it('sObject collections report per-item failures, and allOrNone rolls the batch back', async () => {
    const results = await conn.sobject('Contact').create([{ LastName: 'Batch One' }, { FirstName: 'No last name' }]);
    expect(results[0]).toMatchObject({ success: true, errors: [] });
    expect(results[1]).toMatchObject({ success: false, errors: [{ statusCode: 'REQUIRED_FIELD_MISSING', fields: ['LastName'] }] });

    const before = sf.control.list('Contact').length;
    const rolledBack = await conn.sobject('Contact').create([{ LastName: 'Kept?' }, { Email: 'not-an-email' }], { allOrNone: true });
    expect(rolledBack.map((result) => result.success)).toEqual([false, false]);
    expect(rolledBack[0]?.errors[0]).toMatchObject({ statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK' });
    expect(sf.control.list('Contact').length).toBe(before);

    const id = results[0]?.id as string;
    const updates = await conn.sobject('Contact').update([{ Id: id, Title: 'Updated in bulk' }, { Id: '003000000000000AAA', Title: 'nobody' }]);
    expect(updates.map((result) => result.success)).toEqual([true, false]);
    expect(sf.control.get('Contact', id)?.Title).toBe('Updated in bulk');

    const destroyed = await conn.sobject('Contact').destroy([id, '003000000000000AAA']);
    expect(destroyed.map((result) => result.success)).toEqual([true, false]);
    expect(sf.control.get('Contact', id)?.IsDeleted).toBe(true);
  });

  it('runs composite subrequests with references to earlier results', async () => {
    const response = await conn.requestPost<{ compositeResponse: { httpStatusCode: number; body: unknown; referenceId: string }[] }>('/composite', {
      allOrNone: false,
      compositeRequest: [
        { method: 'POST', url: '/services/data/v61.0/sobjects/Account', referenceId: 'acct', body: { Name: 'Composite Co' } },
        { method: 'POST', url: '/services/data/v61.0/sobjects/Contact', referenceId: 'person', body: { LastName: 'Linked', AccountId: '@{acct.id}' } },
        { method: 'GET', url: '/services/data/v61.0/sobjects/Contact/@{person.id}?fields=AccountId', referenceId: 'check' },
        { method: 'PATCH', url: '/services/data/v61.0/sobjects/Contact/003000000000000AAA', referenceId: 'missing', body: { Title: 'x' } },
      ],
    });
    const [acct, person, check, missing] = response.compositeResponse;
    expect([acct?.httpStatusCode, person?.httpStatusCode, check?.httpStatusCode, missing?.httpStatusCode]).toEqual([201, 201, 200, 404]);
    expect(check?.body).toMatchObject({ AccountId: (acct?.body as { id: string }).id });
  });

  it('describes fields with types, references and picklist labels that differ from values', async () => {
    const contact = await conn.describe('Contact');
    const field = (name: string) => contact.fields.find((f) => f.name === name);
    expect(contact.keyPrefix).toBe('003');
    expect(field('Email')).toMatchObject({ type: 'email', idLookup: true });
    expect(field('AccountId')).toMatchObject({ type: 'reference', referenceTo: ['Account'], relationshipName: 'Account' });
    expect(field('Product_Interest__c')).toMatchObject({ type: 'multipicklist', custom: true });
    expect(field('Lifecycle_Stage__c')?.picklistValues).toContainEqual(expect.objectContaining({ value: 'marketingqualifiedlead', label: 'Marketing Qualified Lead', active: true }));
    const global = await conn.describeGlobal();
    expect(global.sobjects.map((s) => s.name)).toEqual(expect.arrayContaining(['Lead', 'Contact', 'Account', 'Opportunity', 'OpportunityContactRole', 'Task', 'Event', 'User']));
  });

  it('lists updated and deleted ids for a replication window', async () => {
    const start = new Date(Date.now() - 60_000);
    const changed = sf.control.create('Lead', { LastName: 'Replicated', Company: 'Repl Inc' });
    const removed = sf.control.create('Lead', { LastName: 'Removed', Company: 'Repl Inc' });
    sf.control.delete('Lead', removed);
    const end = new Date(Date.now() + 120_000);
    const updated = await conn.sobject('Lead').updated(start, end);
    expect(updated.ids).toContain(changed);
    expect(updated.ids).not.toContain(removed);
    const deleted = await conn.sobject('Lead').deleted(start, end);
    expect(deleted.deletedRecords).toEqual([expect.objectContaining({ id: removed, deletedDate: expect.stringMatching(/\+0000$/) })]);
    expect(deleted.earliestDateAvailable).toBeTruthy();
    await expect(conn.sobject('Lead').updated(new Date(Date.now() - 40 * 86_400_000), end)).rejects.toMatchObject({ errorCode: 'INVALID_REPLICATION_DATE' });
  });

  it('creates a custom field through the Tooling API that SOQL, writes and describe then accept', async () => {
    const created = await conn.tooling.sobject('CustomField').create({
      FullName: 'Contact.AI_Score__c',
      Metadata: { label: 'AI Score', type: 'Number', precision: 5, scale: 2 },
    });
    expect(created).toMatchObject({ success: true, id: expect.stringMatching(/^00N/) });
    const id = sf.control.create('Contact', { LastName: 'Scored' });
    await conn.sobject('Contact').update({ Id: id, AI_Score__c: 87.5 });
    const rows = await conn.query<{ Id: string; AI_Score__c: number }>('SELECT Id, AI_Score__c FROM Contact WHERE AI_Score__c > 80');
    expect(rows.records).toEqual([expect.objectContaining({ Id: id, AI_Score__c: 87.5 })]);
    const described = await conn.describe('Contact');
    expect(described.fields.find((f) => f.name === 'AI_Score__c')).toMatchObject({ type: 'double', label: 'AI Score', custom: true });
    const tooling = await conn.tooling.query<{ DeveloperName: string }>("SELECT Id, DeveloperName FROM CustomField WHERE TableEnumOrId = 'Contact'");
    expect(tooling.records.map((r) => r.DeveloperName)).toContain('AI_Score');

    await expect(conn.tooling.sobject('CustomField').create({ FullName: 'Contact.AI_Score__c', Metadata: { label: 'Again', type: 'Number' } }))
      .rejects.toMatchObject({ errorCode: 'DUPLICATE_DEVELOPER_NAME' });
    sf.control.setToolingAccess(false);
    await expect(conn.tooling.sobject('CustomField').create({ FullName: 'Contact.AI_Rationale__c', Metadata: { label: 'AI Rationale', type: 'LongTextArea', length: 32768 } }))
      .rejects.toMatchObject({ errorCode: 'INSUFFICIENT_ACCESS' });
    sf.control.setToolingAccess(true);
  });
});
