import { describe, expect, it } from 'vitest';
import { toFieldDefinitions } from '../../../src/connectors/salesforce/describe.js';
import { classifySalesforceFailure, classifyOAuthFailure } from '../../../src/connectors/salesforce/errors.js';
import { comparePairs, modstampQuery, pairOf, readCursor } from '../../../src/connectors/salesforce/pull.js';
import { salesforceCredentialsSchema, salesforceSettingsSchema } from '../../../src/connectors/salesforce/settings.js';
import { datetimeLiteralAtOrBefore, idList, selectList, stringLiteral } from '../../../src/connectors/salesforce/soql.js';
import { toObjectShape } from '../../../src/connectors/salesforce/describe.js';

describe('SOQL building', () => {
  it('starts incremental windows at or before the cursor, to whole seconds, with >=', () => {
    expect(datetimeLiteralAtOrBefore('2024-06-12T15:45:31.999Z')).toBe('2024-06-12T15:45:31Z');
    expect(modstampQuery('Contact', ['Id', 'SystemModstamp'], '2024-06-12T15:45:31.500Z')).toBe(
      'SELECT Id, SystemModstamp FROM Contact WHERE SystemModstamp >= 2024-06-12T15:45:31Z ORDER BY SystemModstamp ASC, Id ASC',
    );
    expect(modstampQuery('Lead', ['Id'], null)).toBe('SELECT Id FROM Lead ORDER BY SystemModstamp ASC, Id ASC');
  });

  it('quotes values and refuses anything but ids in IN lists', () => {
    expect(stringLiteral("O'Brien \\ co")).toBe("'O\\'Brien \\\\ co'");
    expect(idList(['003000000000001', '003000000000001AAA'])).toBe("'003000000000001','003000000000001AAA'");
    expect(() => idList(["003' OR Id != '"])).toThrow(/not a Salesforce id/);
  });

  it('selects the standard fields the org has, every custom field, and parent fields through relationships', () => {
    const shape = toObjectShape({
      name: 'Contact',
      fields: [
        { name: 'Id', label: 'Id', type: 'id' },
        { name: 'IsDeleted', label: 'Deleted', type: 'boolean' },
        { name: 'SystemModstamp', label: 'Stamp', type: 'datetime' },
        { name: 'Email', label: 'Email', type: 'email' },
        { name: 'AccountId', label: 'Account', type: 'reference', relationshipName: 'Account', referenceTo: ['Account'] },
        { name: 'Score__c', label: 'Score', type: 'double', custom: true },
      ],
    });
    expect(selectList(shape, ['Owner.Email'])).toEqual(['Id', 'IsDeleted', 'SystemModstamp', 'AccountId', 'Email', 'Score__c', 'Account.Name', 'Account.Industry', 'Owner.Email']);
  });
});

describe('cursors', () => {
  it('reads SystemModstamp pairs and orders them by instant, then id', () => {
    const a = pairOf({ Id: '003000000000002AAA', SystemModstamp: '2024-01-01T00:00:00.000+0000' })!;
    const b = pairOf({ Id: '003000000000001AAA', SystemModstamp: '2024-01-01T01:00:00.000+0100' })!;
    expect(a).toEqual({ systemModstamp: '2024-01-01T00:00:00.000Z', id: '003000000000002AAA' });
    expect(comparePairs(a, b)).toBeGreaterThan(0); // same instant: the id decides
    expect(pairOf({ Id: 'x' })).toBeNull();
  });

  it('treats a missing cursor as the beginning and refuses an unreadable one', () => {
    expect(readCursor({ phase: 'FULL', cursor: null }, 'Lead')).toEqual({ last: null });
    expect(() => readCursor({ phase: 'INCREMENTAL', cursor: { after: 'x' } }, 'Lead')).toThrow(/run a full sync of Lead/);
  });
});

describe('describe mapping', () => {
  it('maps Salesforce field types to canonical ones, keeping picklist labels', () => {
    const defs = toFieldDefinitions({
      name: 'Lead',
      fields: [
        { name: 'Status', label: 'Lead Status', type: 'picklist', picklistValues: [{ value: 'Open', label: 'Open (new)', active: true }, { value: 'Old', label: null, active: false }] },
        { name: 'Interests__c', label: 'Interests', type: 'multipicklist', custom: true, picklistValues: [] },
        { name: 'Probability', label: 'Probability', type: 'percent' },
        { name: 'NumberOfEmployees', label: 'Employees', type: 'int' },
        { name: 'AnnualRevenue', label: 'Revenue', type: 'currency' },
        { name: 'Description', label: 'Description', type: 'textarea' },
        { name: 'OwnerId', label: 'Owner', type: 'reference' },
        { name: 'Website', label: 'Website', type: 'url' },
        { name: 'Odd', label: 'Odd', type: 'anyType' },
      ],
    });
    expect(defs.map((d) => [d.name, d.type, d.custom])).toEqual([
      ['Status', 'enumeration', false],
      ['Interests__c', 'multienum', true],
      ['Probability', 'number', false],
      ['NumberOfEmployees', 'number', false],
      ['AnnualRevenue', 'currency', false],
      ['Description', 'text', false],
      ['OwnerId', 'reference', false],
      ['Website', 'string', false],
      ['Odd', 'string', false],
    ]);
    expect(defs[0]!.options).toEqual([{ value: 'Open', label: 'Open (new)' }, { value: 'Old', label: 'Old' }]);
  });
});

describe('error classification', () => {
  const limits = { resumeAt: () => new Date(0) };
  const apiError = (errorCode: string, message = 'x') => Object.assign(new Error(message), { name: errorCode, errorCode, data: { errorCode, message } });

  it.each([
    ['MALFORMED_QUERY', 400, 'validation'],
    ['INVALID_FIELD', 400, 'validation'],
    ['NOT_FOUND', 404, 'not_found'],
    ['ENTITY_IS_DELETED', 400, 'not_found'],
    ['DUPLICATE_VALUE', 400, 'conflict'],
    ['INSUFFICIENT_ACCESS', 403, 'forbidden'],
    ['SERVER_UNAVAILABLE', 503, 'server'],
    ['UNKNOWN_EXCEPTION', 500, 'server'],
    ['INVALID_SESSION_ID', 401, 'auth'],
  ])('%s (HTTP %i) → %s, keeping the code', (code, status, kind) => {
    expect(classifySalesforceFailure(apiError(code), { status }, limits)).toMatchObject({ kind, details: { status, crmCode: code, origin: 'crm' } });
  });

  it('tells the daily limit from the concurrency cap', () => {
    const daily = classifySalesforceFailure(apiError('REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.'), { status: 403 }, { resumeAt: () => new Date(5000) });
    expect(daily).toMatchObject({ kind: 'limit_exhausted', details: { resumeAt: new Date(5000) } });
    expect(classifySalesforceFailure(apiError('REQUEST_LIMIT_EXCEEDED', 'ConcurrentPerOrgLongTxn Limit exceeded.'), { status: 403 }, limits).kind).toBe('rate_limited');
  });

  it('classifies failures without a response as network, and OAuth refusals as auth', () => {
    const reset = Object.assign(new Error('request to http://x failed, reason: socket hang up'), { name: 'FetchError', code: 'ECONNRESET' });
    expect(classifySalesforceFailure(reset, undefined, limits)).toMatchObject({ kind: 'network', details: { origin: 'us' } });
    expect(classifyOAuthFailure(Object.assign(new Error('authentication failure'), { name: 'invalid_grant' }))).toMatchObject({ kind: 'auth', details: { crmCode: 'invalid_grant' } });
    expect(classifyOAuthFailure(Object.assign(new Error('down'), { name: 'ERROR_HTTP_503' }))).toMatchObject({ kind: 'server', details: { status: 503 } });
  });
});

describe('connection schemas', () => {
  it('fills settings defaults and validates credentials per grant', () => {
    expect(salesforceSettingsSchema.parse({})).toMatchObject({ loginUrl: 'https://login.salesforce.com', apiVersion: '61.0', dailyBudgetFraction: 0.8, maxConcurrency: 10, pageSize: 2000 });
    expect(salesforceSettingsSchema.safeParse({ maxConcurrency: 25 }).success).toBe(false);
    expect(salesforceSettingsSchema.safeParse({ apiVersion: '61' }).success).toBe(false);
    expect(salesforceCredentialsSchema.safeParse({ kind: 'jwt', clientId: 'c', username: 'u', privateKey: 'not a key' }).success).toBe(false);
    expect(salesforceCredentialsSchema.parse({ kind: 'refresh_token', clientId: 'c', refreshToken: 'r' })).toEqual({ kind: 'refresh_token', clientId: 'c', refreshToken: 'r' });
  });
});
