import { randomBytes } from 'node:crypto';
import type { Config } from '../config.js';
import type { SecretBox } from '../crypto.js';
import type { Database } from '../db/client.js';
import type { Logger } from '../log.js';
import { createApiKey } from '../auth/api-keys.js';
import { SCOPES } from '../auth/scopes.js';
import { DEFAULT_PRIVATE_APP_TOKEN } from '../simulators/hubspot/auth.js';
import { startHubspotSimulator } from '../simulators/hubspot/index.js';
import { DEFAULT_CREDENTIALS, startSalesforceSimulator } from '../simulators/salesforce/index.js';

/**
 * Demo mode: with no real CRM configured, the server starts both simulators with one seeded
 * go-to-market world, connects to them, syncs, and prints what a newcomer needs to try the API.
 * Demo connections are marked settings.demo = true; configuring any real connection turns the
 * demo off (DEMO=auto), and the demo connections are then paused so nothing polls a dead port.
 */

export const DEMO_SEED = 42;
export const DEMO_CONTACTS = 3000;
const NAMES = { HUBSPOT: 'demo-hubspot', SALESFORCE: 'demo-salesforce' } as const;

export interface Demo {
  connectionIds: string[];
  apiKey: string;
  stop(): Promise<void>;
}

function isDemoConnection(settings: unknown): boolean {
  return typeof settings === 'object' && settings !== null && (settings as { demo?: unknown }).demo === true;
}

/** Whether to run the demo: DEMO=on, or DEMO=auto with no real connection configured. */
export async function demoWanted(db: Database, config: Config): Promise<boolean> {
  if (config.DEMO !== 'auto') return config.DEMO === 'on';
  const connections = await db.prisma.connection.findMany({ select: { settings: true } });
  return connections.every((c) => isDemoConnection(c.settings));
}

/** Pauses demo connections left from an earlier demo, once real ones exist. */
export async function pauseDemoConnections(db: Database): Promise<void> {
  const connections = await db.prisma.connection.findMany({ where: { status: { not: 'PAUSED' } } });
  for (const c of connections.filter((x) => isDemoConnection(x.settings))) {
    await db.prisma.connection.update({ where: { id: c.id }, data: { status: 'PAUSED', statusReason: 'demo mode is off: a real CRM connection is configured' } });
  }
}

async function upsertDemoConnection(
  db: Database,
  secrets: SecretBox,
  provider: 'HUBSPOT' | 'SALESFORCE',
  credentials: Record<string, unknown>,
  settings: Record<string, unknown>,
): Promise<string> {
  const data = { credentials: secrets.seal(credentials), settings: { ...settings, demo: true }, status: 'ACTIVE' as const, statusReason: null, pausedUntil: null };
  const row = await db.prisma.connection.upsert({
    where: { name: NAMES[provider] },
    create: { provider, name: NAMES[provider], ...data },
    update: data,
  });
  return row.id;
}

export async function startDemo(deps: { db: Database; secrets: SecretBox; logger: Logger; serverUrl: string }): Promise<Demo> {
  const { db, secrets, serverUrl } = deps;
  // The simulators' ports change at every start; their worlds do not (same seed, same ids).
  const webhookSecret = randomBytes(16).toString('hex');
  const hubspot = await startHubspotSimulator({
    seed: DEMO_SEED,
    contacts: DEMO_CONTACTS,
    webhook: { url: `${serverUrl}/webhooks/hubspot`, clientSecret: webhookSecret, portalId: 424242 },
  });
  const salesforce = await startSalesforceSimulator({
    seed: DEMO_SEED,
    contacts: DEMO_CONTACTS,
    cdc: { url: `${serverUrl}/webhooks/salesforce`, secret: webhookSecret },
  });
  const connectionIds = [
    await upsertDemoConnection(db, secrets, 'HUBSPOT', { kind: 'private_app', token: DEFAULT_PRIVATE_APP_TOKEN }, { baseUrl: hubspot.url, webhookSecret, portalId: '424242' }),
    await upsertDemoConnection(
      db,
      secrets,
      'SALESFORCE',
      { kind: 'password', clientId: DEFAULT_CREDENTIALS.clientId, clientSecret: DEFAULT_CREDENTIALS.clientSecret, username: DEFAULT_CREDENTIALS.username, password: DEFAULT_CREDENTIALS.password },
      { loginUrl: salesforce.loginUrl, webhookSecret },
    ),
  ];
  await db.prisma.apiKey.updateMany({ where: { name: 'demo', revokedAt: null }, data: { revokedAt: new Date() } });
  const { key } = await createApiKey(db.prisma, { name: 'demo', scopes: SCOPES });
  return {
    connectionIds,
    apiKey: key,
    async stop() {
      await Promise.allSettled([hubspot.close(), salesforce.close()]);
    },
  };
}

/** What a newcomer sees: the URL, the key, and three requests to paste. */
export async function demoBanner(db: Database, url: string, apiKey: string): Promise<string> {
  const sample = await db.prisma.contact.findFirst({
    where: { deletedAt: null, email: { not: null }, companyRemoteId: { not: null } },
    orderBy: { remoteId: 'asc' },
    select: { id: true },
  });
  const contactId = sample?.id ?? '<a contact id from the contacts query>';
  const curl = (query: string) =>
    `curl -s ${url}/graphql -H 'authorization: Bearer ${apiKey}' -H 'content-type: application/json' \\\n    -d '${JSON.stringify({ query })}'`;
  return [
    '',
    '  context-layer demo: HubSpot and Salesforce simulators with one seeded world, synced into the store.',
    `  GraphQL:  ${url}/graphql`,
    `  API key:  ${apiKey}   (every scope; a new one each start)`,
    '',
    '  A context packet for an AI agent:',
    `  ${curl(`{ contextPacket(contactId: "${contactId}") { person { name title email } company { name industry { label } } relationship { lifecycleStage { label } openDeals { name stage { label } amount { amount currency } } } text(maxTokens: 400) } }`)}`,
    '',
    '  Contacts for a sequencer:',
    `  ${curl('{ contacts(first: 5, filter: { hasEmail: true }) { edges { node { id email firstName lastName leadStatus { label } } } pageInfo { endCursor hasNextPage } } }')}`,
    '',
    '  Write a score back to every CRM holding the contact:',
    `  ${curl(`mutation { writeBackScore(input: { contactId: "${contactId}", score: 82, rationale: "Engaged buyer at a good-fit account", source: "demo" }) { output { id score } delta needsReview writeBacks { provider status } } }`)}`,
    '',
  ].join('\n');
}
