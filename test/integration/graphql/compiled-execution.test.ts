import { readFileSync } from 'node:fs';
import {
  buildSchema,
  getIntrospectionQuery,
  getNamedType,
  isLeafType,
  isNonNullType,
  isObjectType,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Metrics } from '../../../src/metrics.js';
import { graphqlSchemaPath } from '../../../src/paths.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/db.js';
import { startGraphqlServer, type GraphqlResponse, type GraphqlTestServer } from '../../helpers/graphql-server.js';
import { createStoreFixtures, seedPeopleInBulk } from '../../helpers/store-fixtures.js';
import { seedPerson } from './scenario.js';

/**
 * Queries run compiled by graphql-jit; with GRAPHQL_COMPILED_EXECUTION=off they run through
 * graphql-js. Both servers read the same store, and every answer must be byte for byte the
 * same: every field of every query root, nested three levels, plus the GraphQL features a
 * compiler can get wrong (aliases, fragments, @include/@skip, __typename, introspection,
 * defaults, variable coercion and its errors).
 */

const schema: GraphQLSchema = buildSchema(readFileSync(graphqlSchemaPath, 'utf8'));

/** Every field of a type, objects expanded `depth` levels; fields with required arguments are skipped. */
function everyField(type: GraphQLObjectType, depth: number): string {
  const fields = Object.values(type.getFields()).filter((f) => !f.args.some((a) => isNonNullType(a.type) && a.defaultValue === undefined));
  return fields
    .map((field) => {
      const named = getNamedType(field.type);
      if (isLeafType(named)) return field.name;
      if (!isObjectType(named) || depth === 0) return '';
      return `${field.name} { ${everyField(named, depth - 1)} }`;
    })
    .filter(Boolean)
    .join(' ');
}

const selection = (typeName: string, depth = 3) => everyField(schema.getType(typeName) as GraphQLObjectType, depth);

let db: TestDatabase;
let compiled: GraphqlTestServer;
let interpreted: GraphqlTestServer;
let metrics: Metrics;
let keys: { compiled: string; interpreted: string };
let person: Awaited<ReturnType<typeof seedPerson>>;

beforeAll(async () => {
  db = await createTestDatabase();
  metrics = new Metrics(db);
  compiled = await startGraphqlServer(db, {}, { metrics });
  interpreted = await startGraphqlServer(db, { GRAPHQL_COMPILED_EXECUTION: 'off' });
  keys = { compiled: await compiled.key('admin'), interpreted: await interpreted.key('admin') };
  const fx = createStoreFixtures(db.prisma);
  const hubspot = await fx.connection('HUBSPOT', 'hubspot-main');
  const salesforce = await fx.connection('SALESFORCE', 'salesforce-main');
  person = await seedPerson(fx, { hubspot, salesforce }, { email: 'jane@acme.example' });
  await seedPeopleInBulk(db.prisma, { hubspot, salesforce }, 5);
});

afterAll(async () => {
  await compiled?.close();
  await interpreted?.close();
  await db?.close();
});

/** Packets carry the time they were built; everything else must match exactly. */
function comparable(response: GraphqlResponse): string {
  return JSON.stringify(response, (key, value: unknown) => (key === 'generatedAt' ? '(request time)' : value));
}

async function executions(executor: 'compiled' | 'graphql-js'): Promise<number> {
  const { values } = await metrics.graphqlExecutions.get();
  return values.find((v) => v.labels.executor === executor)?.value ?? 0;
}

/**
 * Asks both servers, the compiled one twice: an operation runs compiled from its second use
 * on (the first pays no compilation, in case it is a one-off).
 */
async function both(query: string, variables?: Record<string, unknown>, operationName?: string) {
  const fromInterpreted = comparable(await interpreted.request(keys.interpreted, query, variables, operationName));
  expect(comparable(await compiled.request(keys.compiled, query, variables, operationName))).toBe(fromInterpreted);
  const fromCompiled = await compiled.request(keys.compiled, query, variables, operationName);
  expect(comparable(fromCompiled)).toBe(fromInterpreted);
  return fromCompiled;
}

describe('compiled execution answers exactly as graphql-js', () => {
  it('for every field of every record and packet query, compiled', async () => {
    const before = await executions('compiled');
    const cases: Array<[string, Record<string, unknown>?]> = [
      [`query($id: ID!) { contextPacket(contactId: $id) { ${selection('ContextPacket')} } }`, { id: person.contact.id }],
      [`query($id: ID!) { contextPacket(contactId: $id, options: { recentActivities: 2, scoreHistory: 1, signals: 1, openDeals: 1 }) { ${selection('ContextPacket')} t: text(maxTokens: 60) } }`, { id: person.lead.id }],
      [`query($ids: [ID!]!) { contextPackets(contactIds: $ids) { ${selection('ContextPacket')} } }`, { ids: [person.lead.id, person.contact.id] }],
      [`query($id: ID) { contact(id: $id) { ${selection('Contact')} } }`, { id: person.contact.id }],
      [`{ contact(email: "jane@acme.example") { ${selection('Contact')} } }`],
      [`{ contact(email: "nobody@nowhere.example") { id } }`],
      [`query($first: Int) { contacts(first: $first, filter: { hasEmail: true }) { ${selection('ContactConnection')} } }`, { first: 3 }],
      [`{ companies { ${selection('CompanyConnection')} } }`],
      [`{ deals(first: 4) { ${selection('DealConnection')} } }`],
      [`query($id: ID, $deal: ID) { company(id: $id) { ${selection('Company')} } deal(id: $deal) { ${selection('Deal')} } }`, { id: person.company.id, deal: person.openDeal.id }],
      [`{ connections { ${selection('AdminConnection')} } webhookInbox { ${selection('WebhookInbox')} } }`],
      [`{ syncRuns { ${selection('SyncRunConnection')} } deadLetters { ${selection('DeadLetterConnection')} } }`],
    ];
    for (const [query, variables] of cases) {
      const response = await both(query, variables);
      expect(response.errors, query.slice(0, 80)).toBeUndefined();
    }
    // Each case's second request ran compiled.
    expect(await executions('compiled')).toBe(before + cases.length);
  });

  it('for aliases, fragments, directives, __typename and introspection', async () => {
    const query = `
      query Shapes($id: ID!, $withCompany: Boolean!, $skipAi: Boolean = true) {
        first: contextPacket(contactId: $id) { ...Who company @include(if: $withCompany) { name } ai @skip(if: $skipAi) { latest { score } } }
        second: contextPacket(contactId: $id) { __typename ... on ContextPacket { sources { __typename kind } } }
      }
      fragment Who on ContextPacket { contactId person { name email } }`;
    for (const withCompany of [true, false]) {
      const response = await both(query, { id: person.contact.id, withCompany });
      expect(response.errors).toBeUndefined();
    }
    // One fragment under two conditions: graphql-jit keeps its condition bookkeeping on the AST.
    const twice = `query Twice($a: Boolean!, $b: Boolean!, $id: ID!) {
      s1: contextPacket(contactId: $id) { ...P @include(if: $a) }
      s2: contextPacket(contactId: $id) { ...P @include(if: $b) }
    }
    fragment P on ContextPacket { contactId person { name } }`;
    const conditional = await both(twice, { a: false, b: true, id: person.contact.id });
    expect(conditional.data).toEqual({ s1: {}, s2: { contactId: person.contact.id, person: { name: 'Jane Doe' } } });
    // Two operations of one document sharing a fragment, compiled one after the other.
    const pair = `query A($x: Boolean!, $id: ID!) { contextPacket(contactId: $id) { ...P @include(if: $x) } }
      query B($id: ID!) { contextPacket(contactId: $id) { ...P } }
      fragment P on ContextPacket { contactId }`;
    await both(pair, { x: false, id: person.contact.id }, 'A');
    const b = await both(pair, { id: person.contact.id }, 'B');
    expect(b.data).toEqual({ contextPacket: { contactId: person.contact.id } });

    const introspection = await both(getIntrospectionQuery({ descriptions: true, inputValueDeprecation: true }));
    expect(introspection.errors).toBeUndefined();
  });

  it('for variables inside literals, which graphql-js runs (graphql-jit would pass an omitted one as null)', async () => {
    const before = await executions('compiled');
    const query = `query($deleted: Boolean) { contacts(first: 2, filter: { includeDeleted: $deleted, hasEmail: true }) { nodes { id } } }`;
    await both(query, {});
    await both(query, { deleted: true });
    expect(await executions('compiled')).toBe(before);
  });

  it('for failures, which graphql-js answers on both servers', async () => {
    const before = await executions('graphql-js');
    const failures: Array<[string, Record<string, unknown>?]> = [
      // One unknown id: null at its position, NOT_FOUND with its path.
      [`query($ids: [ID!]!) { contextPackets(contactIds: $ids) { contactId } }`, { ids: [person.contact.id, '0190a0a0-0000-7000-8000-00000000dead'] }],
      [`query($id: ID!) { contextPacket(contactId: $id) { contactId } }`, { id: 'not-an-id' }],
      // Variable coercion: unknown input field, wrong type, missing non-null.
      [`query($f: ContactFilter) { contacts(filter: $f) { nodes { id } } }`, { f: { noSuchField: 1 } }],
      [`query($first: Int) { contacts(first: $first) { nodes { id } } }`, { first: 'ten' }],
      [`query($id: ID!) { contextPacket(contactId: $id) { contactId } }`, {}],
      [`{ contacts(first: 500) { nodes { id } } }`],
    ];
    // Apollo cannot pick the operation: it answers 400 itself, on both servers.
    const ambiguous = await both('query A { __typename } query B { __typename }');
    expect(ambiguous.status).toBe(400);
    expect(await both('query A { __typename }', undefined, 'Nope')).toMatchObject({ status: 400 });
    for (const [query, variables] of failures) {
      const response = await both(query, variables);
      expect(response.errors?.length, query).toBeGreaterThan(0);
    }
    // Twice per failing case (both answered by graphql-js); unresolvable operations never execute.
    expect(await executions('graphql-js')).toBe(before + 2 * failures.length);
  });
});
