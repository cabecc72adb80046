import { describe, expect, it } from 'vitest';
import { SalesforceApiError } from '../../../src/simulators/salesforce/errors.js';
import { createRecord, deleteRecord, type WriteContext } from '../../../src/simulators/salesforce/record-writes.js';
import { compileQuery, executeQuery } from '../../../src/simulators/salesforce/soql/engine.js';
import { parseSoql } from '../../../src/simulators/salesforce/soql/parser.js';
import { projectRecord } from '../../../src/simulators/salesforce/soql/projection.js';
import { createStandardSchema } from '../../../src/simulators/salesforce/standard-objects.js';
import { RecordStore } from '../../../src/simulators/salesforce/store.js';

const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);

function fixture() {
  const schema = createStandardSchema();
  const store = new RecordStore(() => NOW);
  const ctx: WriteContext = { schema, store, origin: '', userId: '005000000000000AAA', trusted: true };
  const acme = createRecord(ctx, 'Account', { Name: 'Acme', Industry: 'Technology', NumberOfEmployees: 120 });
  const globex = createRecord(ctx, 'Account', { Name: 'Globex', Industry: null });
  const ada = createRecord(ctx, 'Contact', {
    FirstName: 'Ada', LastName: 'Lovelace', Email: 'Ada@Example.com', AccountId: acme,
    Product_Interest__c: 'analytics;automation', CreatedDate: '2026-01-15T08:00:00.000+0000',
  });
  const brian = createRecord(ctx, 'Contact', {
    FirstName: 'Brian', LastName: "O'Brien", Email: null, AccountId: globex,
    Product_Interest__c: 'automation', CreatedDate: '2025-12-01T00:00:00.000+0000',
  });
  const carla = createRecord(ctx, 'Contact', {
    FirstName: null, LastName: 'Zeta', Email: 'carla@zeta.io', CreatedDate: '2026-01-14T23:59:59.000+0000',
  });
  const gone = createRecord(ctx, 'Contact', { LastName: 'Deleted', Email: 'gone@example.com' });
  deleteRecord({ ...ctx, trusted: false }, 'Contact', gone);
  const lookup = { schema, store };
  const run = (soql: string, includeDeleted = false) => {
    const compiled = compileQuery(lookup, parseSoql(soql), NOW);
    return executeQuery(lookup, compiled, includeDeleted).map((record) => projectRecord(lookup, compiled.object.name, record, compiled.projection, '61.0'));
  };
  const lastNames = (soql: string, includeDeleted = false) => run(soql, includeDeleted).map((row) => row.LastName);
  return { run, lastNames, ids: { acme, globex, ada, brian, carla, gone } };
}

function errorOf(action: () => unknown): SalesforceApiError {
  try {
    action();
  } catch (error) {
    if (error instanceof SalesforceApiError) return error;
    throw error;
  }
  throw new Error('expected a SalesforceApiError');
}

describe('SOQL parser', () => {
  it('parses fields, relationship paths, filters, ordering, limit and offset', () => {
    const query = parseSoql(
      "select Id, Account.Name FROM Contact WHERE (Email != null AND Name LIKE 'A%') OR NOT AccountId IN ('001') ORDER BY LastName DESC NULLS FIRST, Id LIMIT 10 OFFSET 5",
    );
    expect(query.select).toEqual({ kind: 'fields', fields: [['Id'], ['Account', 'Name']] });
    expect(query.where?.kind).toBe('or');
    expect(query.orderBy).toEqual([
      { field: ['LastName'], descending: true, nullsLast: false },
      { field: ['Id'], descending: false, nullsLast: false },
    ]);
    expect(query.limit).toBe(10);
    expect(query.offset).toBe(5);
  });

  it('reads string escapes, datetime spellings and date literals', () => {
    const where = parseSoql(
      "SELECT Id FROM Contact WHERE LastName = 'O\\'Brien' AND CreatedDate > 2026-01-01T01:00:00+01:00 AND CreatedDate < 2026-02-01T00:00:00.000Z AND CreatedDate = LAST_N_DAYS:7",
    ).where;
    expect(where).toMatchObject({
      kind: 'and',
      items: [
        { value: { kind: 'string', value: "O'Brien" } },
        { value: { kind: 'datetime', ms: Date.UTC(2026, 0, 1, 0, 0, 0) } },
        { value: { kind: 'datetime', ms: Date.UTC(2026, 1, 1) } },
        { value: { kind: 'dateRange', name: 'LAST_N_DAYS', n: 7 } },
      ],
    });
  });

  it('parses COUNT()', () => {
    expect(parseSoql('SELECT COUNT() FROM Lead').select).toEqual({ kind: 'count' });
  });

  it.each([
    ['SELECT Id FROM', 'unexpected token: <EOF>'],
    ['SELECT Id Contact', 'unexpected token'],
    ["SELECT Id FROM Contact WHERE A = 1 AND B = 2 OR C = 3", 'unexpected token: OR'],
    ["SELECT Id FROM Contact WHERE Name = 'unterminated", 'unterminated'],
    ['SELECT Id FROM Contact LIMIT -1', 'unexpected token'],
  ])('rejects %s as MALFORMED_QUERY', (soql, detail) => {
    const error = errorOf(() => parseSoql(soql));
    expect(error.errorCode).toBe('MALFORMED_QUERY');
    expect(error.status).toBe(400);
    expect(error.message).toContain(detail);
    expect(error.message).toContain('ERROR at Row:1:Column:');
  });
});

describe('SOQL evaluation', () => {
  it('compares text case-insensitively and handles escapes', () => {
    const { lastNames } = fixture();
    expect(lastNames("SELECT LastName FROM Contact WHERE Email = 'ada@example.COM'")).toEqual(['Lovelace']);
    expect(lastNames("SELECT LastName FROM Contact WHERE LastName = 'o\\'brien'")).toEqual(["O'Brien"]);
    expect(lastNames("SELECT LastName FROM Contact WHERE Email LIKE '%@EXAMPLE.com'")).toEqual(['Lovelace']);
  });

  it('treats null like Salesforce: = null, != null, and != value includes nulls', () => {
    const { lastNames } = fixture();
    expect(lastNames('SELECT LastName FROM Contact WHERE Email = null')).toEqual(["O'Brien"]);
    expect(lastNames('SELECT LastName FROM Contact WHERE FirstName != null ORDER BY LastName')).toEqual(['Lovelace', "O'Brien"]);
    expect(lastNames("SELECT LastName FROM Contact WHERE Email != 'carla@zeta.io' ORDER BY LastName")).toEqual(['Lovelace', "O'Brien"]);
  });

  it('evaluates AND/OR/NOT with parentheses, IN and NOT IN', () => {
    const { lastNames } = fixture();
    expect(lastNames("SELECT LastName FROM Contact WHERE (LastName = 'Zeta' OR LastName = 'Lovelace') AND NOT Email LIKE 'carla%'")).toEqual(['Lovelace']);
    expect(lastNames("SELECT LastName FROM Contact WHERE LastName IN ('zeta', 'LOVELACE') ORDER BY LastName")).toEqual(['Lovelace', 'Zeta']);
    expect(lastNames("SELECT LastName FROM Contact WHERE LastName NOT IN ('Zeta') ORDER BY LastName")).toEqual(['Lovelace', "O'Brien"]);
  });

  it('filters and sorts through parent relationships and nests them in the output', () => {
    const { run, lastNames, ids } = fixture();
    expect(lastNames("SELECT LastName FROM Contact WHERE Account.Industry = 'Technology'")).toEqual(['Lovelace']);
    const rows = run('SELECT Id, Account.Name, Account.Industry FROM Contact ORDER BY Account.Name NULLS LAST');
    expect(rows[0]).toEqual({
      attributes: { type: 'Contact', url: `/services/data/v61.0/sobjects/Contact/${ids.ada}` },
      Id: ids.ada,
      Account: { attributes: { type: 'Account', url: `/services/data/v61.0/sobjects/Account/${ids.acme}` }, Name: 'Acme', Industry: 'Technology' },
    });
    expect(rows[2]?.Account).toBeNull();
  });

  it('compares datetimes across offsets and evaluates date literals in UTC', () => {
    const { lastNames } = fixture();
    expect(lastNames('SELECT LastName FROM Contact WHERE CreatedDate >= 2026-01-15T09:00:00+01:00 ORDER BY LastName')).toEqual(['Lovelace']);
    expect(lastNames('SELECT LastName FROM Contact WHERE CreatedDate = TODAY')).toEqual(['Lovelace']);
    expect(lastNames('SELECT LastName FROM Contact WHERE CreatedDate = YESTERDAY')).toEqual(['Zeta']);
    expect(lastNames('SELECT LastName FROM Contact WHERE CreatedDate = LAST_N_DAYS:30 ORDER BY LastName')).toEqual(['Lovelace', 'Zeta']);
    expect(lastNames('SELECT LastName FROM Contact WHERE CreatedDate < LAST_N_DAYS:30')).toEqual(["O'Brien"]);
  });

  it('orders by several keys with NULLS FIRST/LAST and applies LIMIT/OFFSET', () => {
    const { lastNames } = fixture();
    expect(lastNames('SELECT LastName FROM Contact ORDER BY FirstName NULLS FIRST, LastName')).toEqual(['Zeta', 'Lovelace', "O'Brien"]);
    expect(lastNames('SELECT LastName FROM Contact ORDER BY FirstName DESC')).toEqual(["O'Brien", 'Lovelace', 'Zeta']);
    expect(lastNames('SELECT LastName FROM Contact ORDER BY LastName LIMIT 1 OFFSET 1')).toEqual(["O'Brien"]);
  });

  it('matches multi-select picklists with =, INCLUDES and EXCLUDES', () => {
    const { lastNames } = fixture();
    expect(lastNames("SELECT LastName FROM Contact WHERE Product_Interest__c = 'automation;analytics'")).toEqual(['Lovelace']);
    expect(lastNames("SELECT LastName FROM Contact WHERE Product_Interest__c INCLUDES ('automation') ORDER BY LastName")).toEqual(['Lovelace', "O'Brien"]);
    expect(lastNames("SELECT LastName FROM Contact WHERE Product_Interest__c INCLUDES ('analytics;automation')")).toEqual(['Lovelace']);
    expect(lastNames("SELECT LastName FROM Contact WHERE Product_Interest__c EXCLUDES ('analytics') ORDER BY LastName")).toEqual(["O'Brien", 'Zeta']);
  });

  it('matches ids given in 15- or 18-character form and includes deleted rows only when asked', () => {
    const { lastNames, ids } = fixture();
    expect(lastNames(`SELECT LastName FROM Contact WHERE Id = '${ids.ada.slice(0, 15)}'`)).toEqual(['Lovelace']);
    expect(lastNames(`SELECT LastName FROM Contact WHERE Id = '${ids.gone}'`)).toEqual([]);
    expect(lastNames(`SELECT LastName FROM Contact WHERE IsDeleted = true`, true)).toEqual(['Deleted']);
  });

  it('rejects unknown fields, relationships and objects, and values of the wrong type', () => {
    const { run } = fixture();
    const unknownField = errorOf(() => run('SELECT Nope__c FROM Contact'));
    expect(unknownField.errorCode).toBe('INVALID_FIELD');
    expect(unknownField.message).toContain("No such column 'Nope__c' on entity 'Contact'");
    expect(errorOf(() => run('SELECT Boss.Name FROM Contact')).errorCode).toBe('INVALID_FIELD');
    expect(errorOf(() => run('SELECT Id FROM Widget')).errorCode).toBe('INVALID_TYPE');
    expect(errorOf(() => run("SELECT Id FROM Account WHERE NumberOfEmployees > '5'")).message).toContain('must be of type double');
    expect(errorOf(() => run("SELECT Id FROM Contact WHERE CreatedDate > 2026-01-01")).message).toContain('must be of type dateTime');
    expect(errorOf(() => run("SELECT Id FROM Account WHERE Description = 'x'")).message).toContain('can not be filtered');
  });
});
