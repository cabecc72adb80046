import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConnection } from '../../../src/connections/repository.js';
import { createConnectorCache, type ConnectorCache } from '../../../src/connections/connectors.js';
import { SecretBox } from '../../../src/crypto.js';
import { DEFAULT_PRIVATE_APP_TOKEN } from '../../../src/simulators/hubspot/auth.js';
import { startHubspotSimulator, type HubspotSimulator } from '../../../src/simulators/hubspot/index.js';
import { DEFAULT_CREDENTIALS, startSalesforceSimulator, type SalesforceSimulator } from '../../../src/simulators/salesforce/index.js';
import { syncConnection } from '../../../src/sync/connection-sync.js';
import { createWriteBackWorker } from '../../../src/writeback/worker.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/db.js';
import { startGraphqlServer, type GraphqlTestServer } from '../../helpers/graphql-server.js';
import { quietLogger } from '../connectors/hubspot-helpers.js';

/** upsertContact through GraphQL, the outbox and both connectors: created once, linked to its company. */
describe('upsertContact end to end', () => {
  let db: TestDatabase;
  let hubspot: HubspotSimulator;
  let salesforce: SalesforceSimulator;
  let connectors: ConnectorCache;
  let api: GraphqlTestServer;
  let key: string;
  const ids: Record<'hs' | 'sf', string> = { hs: '', sf: '' };

  beforeAll(async () => {
    db = await createTestDatabase();
    hubspot = await startHubspotSimulator({ seed: 31, contacts: 300, rateLimit: false });
    salesforce = await startSalesforceSimulator({ seed: 31, contacts: 300 });
    const secrets = new SecretBox(randomBytes(32));
    ids.hs = (await createConnection(db, secrets, { provider: 'HUBSPOT', name: 'hs', credentials: { kind: 'private_app', token: DEFAULT_PRIVATE_APP_TOKEN }, settings: { baseUrl: hubspot.url, rateLimitPerTenSeconds: 100_000 } })).id;
    ids.sf = (
      await createConnection(db, secrets, {
        provider: 'SALESFORCE',
        name: 'sf',
        credentials: { kind: 'password', clientId: DEFAULT_CREDENTIALS.clientId, clientSecret: DEFAULT_CREDENTIALS.clientSecret, username: DEFAULT_CREDENTIALS.username, password: DEFAULT_CREDENTIALS.password },
        settings: { loginUrl: salesforce.loginUrl },
      })
    ).id;
    connectors = createConnectorCache({ db, secrets, logger: quietLogger });
    await syncConnection({ db, logger: quietLogger }, ids.hs, await connectors.get(ids.hs), { streams: ['companies', 'contacts'] });
    await syncConnection({ db, logger: quietLogger }, ids.sf, await connectors.get(ids.sf), { streams: ['Account', 'Contact', 'Lead'] });
    api = await startGraphqlServer(db);
    key = await api.key('scores:write');
  });
  afterAll(async () => {
    await api?.close();
    await connectors?.closeAll();
    await hubspot?.close();
    await salesforce?.close();
    await db?.close();
  });

  const drain = () => createWriteBackWorker({ db, logger: quietLogger, connectorFor: (id) => connectors.get(id), backoffBaseMs: 1 }).drainAll();
  const upsert = (input: Record<string, unknown>) =>
    api.request<{ upsertContact: { targets: { action: string; companyRemoteId: string | null }[] } }>(
      key,
      'mutation ($input: UpsertContactInput!) { upsertContact(input: $input) { targets { action companyRemoteId } } }',
      { input },
    );

  it('creates the contact in both CRMs, linked to the company with that domain, and in the store', async () => {
    // A company both CRMs hold (one seed, one world).
    const shared = await db.prisma.$queryRaw<{ domain: string }[]>`
      SELECT a."domain" FROM "Company" a JOIN "Company" b ON a."domain" = b."domain" AND a."connectionId" <> b."connectionId" WHERE a."domain" IS NOT NULL LIMIT 1`;
    const domain = shared[0]!.domain;
    const answer = await upsert({ email: 'Nadia.Kowalski@Example.org', firstName: 'Nadia', lastName: 'Kowalski', title: 'CFO', company: { domain }, source: 'clay' });
    expect(answer.errors).toBeUndefined();
    expect(answer.data!.upsertContact.targets.every((t) => t.companyRemoteId)).toBe(true);
    expect((await drain()).done).toBe(2);

    const hsCompany = (await db.prisma.company.findFirstOrThrow({ where: { connectionId: ids.hs, domain } })).remoteId;
    const hsContact = hubspot.store.allRecords('contacts').filter((r) => r.properties.email?.toLowerCase() === 'nadia.kowalski@example.org');
    expect(hsContact).toHaveLength(1);
    expect(hsContact[0]!.properties).toMatchObject({ firstname: 'Nadia', lastname: 'Kowalski', jobtitle: 'CFO' });
    expect(hubspot.store.associations.targets('contacts', hsContact[0]!.id, 'companies').get(hsCompany)?.has(1)).toBe(true);

    const sfAccount = (await db.prisma.company.findFirstOrThrow({ where: { connectionId: ids.sf, domain } })).remoteId;
    const sfContacts = salesforce.control.list('Contact').filter((r) => String(r.Email).toLowerCase() === 'nadia.kowalski@example.org');
    expect(sfContacts).toHaveLength(1);
    expect(sfContacts[0]).toMatchObject({ FirstName: 'Nadia', LastName: 'Kowalski', Title: 'CFO', AccountId: sfAccount });

    // The store has both records at once, without waiting for a poll.
    const stored = await db.prisma.contact.findMany({ where: { email: 'nadia.kowalski@example.org' } });
    expect(stored.map((c) => c.connectionId).sort()).toEqual([ids.hs, ids.sf].sort());
    expect(stored.find((c) => c.connectionId === ids.hs)?.companyRemoteId).toBe(hsCompany);
  });

  it('updates instead of duplicating when asked again', async () => {
    await upsert({ email: 'nadia.kowalski@example.org', title: 'Chief Financial Officer', source: 'clay' });
    expect((await drain()).done).toBe(2);
    expect(hubspot.store.allRecords('contacts').filter((r) => r.properties.email?.toLowerCase() === 'nadia.kowalski@example.org')).toHaveLength(1);
    const sf = salesforce.control.list('Contact').filter((r) => String(r.Email).toLowerCase() === 'nadia.kowalski@example.org');
    expect(sf).toHaveLength(1);
    expect(sf[0]!.Title).toBe('Chief Financial Officer');
    expect(sf[0]!.LastName).toBe('Kowalski');
  });
});
