import { randomBytes } from 'node:crypto';
import { fieldDefsByName } from '../../../src/canonical/fields.js';
import type { CanonicalKind, NormalizedRecord } from '../../../src/canonical/types.js';
import { contentHash } from '../../../src/canonical/values.js';
import { credentialsSaver } from '../../../src/connections/repository.js';
import { createSalesforceConnector, type SalesforceConnector, type SalesforceConnectorOptions, type SalesforceSettingsInput } from '../../../src/connectors/salesforce/index.js';
import { CONTACT_ROLES_KEY, normalizeSalesforceRecord } from '../../../src/connectors/salesforce/normalize.js';
import { SecretBox } from '../../../src/crypto.js';
import { createLogger } from '../../../src/log.js';
import type { SalesforceSimulator } from '../../../src/simulators/salesforce/index.js';
import { loadFieldDefs } from '../../../src/sync/field-defs.js';
import { TABLES } from '../../../src/sync/record-columns.js';
import type { SyncContext } from '../../../src/sync/engine.js';
import type { TestDatabase } from '../../helpers/db.js';

export const quietLogger = createLogger({ level: 'silent' });

/** Back-off in milliseconds so fault tests end quickly; small pages so paging is exercised. */
export const FAST_SETTINGS: SalesforceSettingsInput = {
  backoff: { rateLimitBaseMs: 1, rateLimitMaxMs: 20, rateLimitMaxAttempts: 10, transientRetries: 3, transientBaseMs: 1 },
  pageSize: 200,
  lifecycleStageField: 'Lifecycle_Stage__c',
  defaultCurrency: 'USD',
};

export function jwtCredentials(sf: SalesforceSimulator) {
  return { kind: 'jwt' as const, clientId: sf.credentials.clientId, username: sf.credentials.username, privateKey: sf.credentials.jwtPrivateKey! };
}

export function connectorFor(sf: SalesforceSimulator, overrides: Partial<SalesforceConnectorOptions> = {}): SalesforceConnector {
  return createSalesforceConnector({
    credentials: jwtCredentials(sf),
    logger: quietLogger,
    ...overrides,
    settings: { loginUrl: sf.loginUrl, ...FAST_SETTINGS, ...overrides.settings },
  });
}

export interface SyncFixture {
  ctx: SyncContext;
  connectionId: string;
  connector: SalesforceConnector;
  secrets: SecretBox;
}

/** A Connection row whose credentials are sealed like production's, and its connector. */
export async function createSyncFixture(
  db: TestDatabase,
  sf: SalesforceSimulator,
  options: { credentials?: Record<string, unknown>; connector?: Partial<SalesforceConnectorOptions> } = {},
): Promise<SyncFixture> {
  const secrets = new SecretBox(randomBytes(32));
  const credentials = options.credentials ?? jwtCredentials(sf);
  const connection = await db.prisma.connection.create({
    data: { provider: 'SALESFORCE', name: `sf-${randomBytes(4).toString('hex')}`, credentials: secrets.seal(credentials), settings: {} },
  });
  const connector = connectorFor(sf, { credentials, saveCredentials: credentialsSaver(db, secrets, connection.id), ...options.connector });
  return { ctx: { db, logger: quietLogger }, connectionId: connection.id, connector, secrets };
}

const OBJECTS_BY_KIND: Record<CanonicalKind, string[]> = {
  OWNER: ['User'],
  COMPANY: ['Account'],
  CONTACT: ['Lead', 'Contact'],
  DEAL: ['Opportunity'],
  ACTIVITY: ['Task', 'Event'],
};

/**
 * What the store must hold for the simulator's current state: every record (deleted ones too),
 * normalized with the field definitions the sync saved, as content hashes per remote id.
 */
export async function expectedHashes(sf: SalesforceSimulator, db: TestDatabase, connectionId: string, kind: CanonicalKind, settings = FAST_SETTINGS): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const liveRoles = sf.control.list('OpportunityContactRole');
  for (const object of OBJECTS_BY_KIND[kind]) {
    const defs = fieldDefsByName(await loadFieldDefs(db, connectionId, object));
    for (const record of sf.control.list(object, { includeDeleted: true })) {
      const raw: Record<string, unknown> = { ...record };
      // Records stored before a custom field existed lack its key; the API answers null for it.
      for (const def of defs.values()) if (def.custom && !(def.name in raw)) raw[def.name] = null;
      if (object === 'Opportunity') {
        const roles = liveRoles.filter((r) => r.OpportunityId === record.Id);
        raw[CONTACT_ROLES_KEY] = { totalSize: roles.length, done: true, records: roles };
      }
      const n: NormalizedRecord = normalizeSalesforceRecord(object, raw, defs, {
        defaultCurrency: settings.defaultCurrency ?? null,
        lifecycleStageField: settings.lifecycleStageField ?? null,
      });
      out.set(n.record.remoteId, contentHash({ record: n.record, links: n.associationKinds.length ? n.associations : null }));
    }
  }
  return out;
}

/** The store's content hash per remote id for one kind. */
export async function storedHashes(db: TestDatabase, connectionId: string, kind: CanonicalKind): Promise<Map<string, string>> {
  const { rows } = await db.pool.query<{ remoteId: string; contentHash: string }>(
    `SELECT "remoteId", "contentHash" FROM "${TABLES[kind].table}" WHERE "connectionId" = $1::uuid`,
    [connectionId],
  );
  return new Map(rows.map((r) => [r.remoteId, r.contentHash]));
}

export const ALL_KINDS: CanonicalKind[] = ['OWNER', 'COMPANY', 'CONTACT', 'DEAL', 'ACTIVITY'];

/** Sorted [remoteId, hash] lists per kind: equal when the store mirrors the simulator exactly. */
export async function compareWithSimulator(sf: SalesforceSimulator, db: TestDatabase, connectionId: string, settings = FAST_SETTINGS) {
  const sorted = (m: Map<string, string>) => [...m].sort(([a], [b]) => (a < b ? -1 : 1));
  const expected: Record<string, [string, string][]> = {};
  const actual: Record<string, [string, string][]> = {};
  for (const kind of ALL_KINDS) {
    expected[kind] = sorted(await expectedHashes(sf, db, connectionId, kind, settings));
    actual[kind] = sorted(await storedHashes(db, connectionId, kind));
  }
  return { expected, actual };
}
