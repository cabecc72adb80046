/**
 * Write-back drain benchmarks: scores queued in the outbox, drained by the real worker through
 * the real connectors to the simulators (HubSpot in a child process at its published limit).
 *
 *  1. HubSpot drain rate as a fraction of the rate-limit bound, defined as for the sync: the
 *     calls the drain must make ÷ the budget (80% of 190 per 10 s = 15.2/s) gives the bound
 *     time; fraction = bound time ÷ actual time (above 100% thanks to the first window's burst).
 *  2. CRM calls per 1,000 scores, HubSpot (batches of 100) and Salesforce (collections of 200).
 *
 *   npx tsx bench/writeback.bench.ts [--scores 30000]
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

function argument(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? fallback : Number(process.argv[index + 1]);
}

const RATE_LIMIT = 190;
const PER_WINDOW = RATE_LIMIT * 0.8;

async function serve(): Promise<void> {
  const { startHubspotSimulator } = await import('../src/simulators/hubspot/index.js');
  const sim = await startHubspotSimulator({ seed: 5, contacts: argument('contacts', 1000), rateLimit: { perTenSeconds: RATE_LIMIT, daily: 1_000_000 } });
  process.stdout.write(`${JSON.stringify({ url: sim.url })}\n`);
  process.on('SIGTERM', () => void sim.close().then(() => process.exit(0)));
}

async function measure(): Promise<void> {
  const { startBenchPostgres } = await import('./bench-postgres.js');
  const { openDatabase } = await import('../src/db/client.js');
  const { createHubspotConnector } = await import('../src/connectors/hubspot/index.js');
  const { createSalesforceConnector } = await import('../src/connectors/salesforce/index.js');
  const { DEFAULT_PRIVATE_APP_TOKEN } = await import('../src/simulators/hubspot/auth.js');
  const { startSalesforceSimulator } = await import('../src/simulators/salesforce/index.js');
  const { syncConnection } = await import('../src/sync/connection-sync.js');
  const { ensureAiFields } = await import('../src/writeback/provision.js');
  const { createWriteBackWorker } = await import('../src/writeback/worker.js');
  const { createLogger } = await import('../src/log.js');
  const logger = createLogger({ level: 'silent' });
  const scores = argument('scores', 30_000);
  const date = new Date().toISOString().slice(0, 10);
  const command = '`npx tsx bench/writeback.bench.ts`';

  const postgres = await startBenchPostgres('cl-bench-wb-');
  const db = openDatabase({ url: await postgres.createDatabase('bench') });

  // HubSpot, rate-limited, in its own process. The world is synced first without limits.
  const args = [...process.execArgv, fileURLToPath(import.meta.url), '--serve', '--contacts', String(Math.ceil(scores * 1.25))];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const { url } = await new Promise<{ url: string }>((resolve) => child.stdout.once('data', (c: Buffer) => resolve(JSON.parse(c.toString('utf8')))));
  const hubspot = createHubspotConnector({ credentials: { kind: 'private_app', token: DEFAULT_PRIVATE_APP_TOKEN }, logger, settings: { baseUrl: url, rateLimitPerTenSeconds: RATE_LIMIT } });
  const hs = await db.prisma.connection.create({ data: { provider: 'HUBSPOT', name: 'hs', credentials: 'bench' } });
  await syncConnection({ db, logger }, hs.id, hubspot, { streams: ['contacts'] });
  await ensureAiFields(db, hs, hubspot);
  // Let the 10-second window empty so the drain starts with a full budget, as a fresh worker would.
  await new Promise((r) => setTimeout(r, 11_000));
  const hsContacts = await db.prisma.contact.findMany({ where: { connectionId: hs.id }, take: scores, select: { remoteId: true } });
  await db.prisma.writeBack.createMany({
    data: hsContacts.map((c, i) => ({ connectionId: hs.id, objectType: 'contact', remoteId: c.remoteId, fields: { score: i % 101, rationale: 'bench', source: 'bench', scoredAt: new Date().toISOString() } })),
  });
  const before = hubspot.stats();
  const started = performance.now();
  const hsResult = await createWriteBackWorker({ db, logger, connectorFor: async () => hubspot }).drainAll();
  const seconds = (performance.now() - started) / 1000;
  const calls = hubspot.stats().apiCalls - before.apiCalls;
  const boundSeconds = calls / (PER_WINDOW / 10);
  await hubspot.close();
  await new Promise<void>((r) => { child.once('exit', () => r()); child.kill('SIGTERM'); });

  // Salesforce: calls per 1,000 scores (its limit is daily, so no time bound applies).
  const sf = await startSalesforceSimulator({ seed: 5, contacts: 14_000 });
  const salesforce = createSalesforceConnector({ credentials: { kind: 'jwt', clientId: sf.credentials.clientId, username: sf.credentials.username, privateKey: sf.credentials.jwtPrivateKey! }, logger, settings: { loginUrl: sf.loginUrl } });
  const sfConnection = await db.prisma.connection.create({ data: { provider: 'SALESFORCE', name: 'sf', credentials: 'bench' } });
  await syncConnection({ db, logger }, sfConnection.id, salesforce, { streams: ['Lead', 'Contact'] });
  await ensureAiFields(db, sfConnection, salesforce);
  const sfPeople = await db.prisma.contact.findMany({ where: { connectionId: sfConnection.id }, take: 10_000 });
  await db.prisma.writeBack.createMany({
    data: sfPeople.map((p, i) => ({ connectionId: sfConnection.id, objectType: p.remoteType, remoteId: p.remoteId, fields: { score: i % 101, rationale: 'bench', source: 'bench', scoredAt: new Date().toISOString() } })),
  });
  const sfBefore = salesforce.stats().apiCalls;
  const sfResult = await createWriteBackWorker({ db, logger, connectorFor: async () => salesforce }).drainAll();
  const sfCalls = salesforce.stats().apiCalls - sfBefore;
  await salesforce.close();
  await sf.close();
  await db.close();
  await postgres.stop();

  console.log('| what | value | target | command | date |\n|---|---|---|---|---|');
  console.log(`| HubSpot drain at 190 req/10 s (${hsResult.done} scores, ${calls} calls, ${hsResult.dead} dead): time vs the rate-limit bound | ${(hsResult.done / seconds).toFixed(0)} scores/s = ${((boundSeconds / seconds) * 100).toFixed(0)}% of the bound (bound ${boundSeconds.toFixed(1)} s, actual ${seconds.toFixed(1)} s) | ≥ 90% of the bound (as for sync) | ${command} | ${date} |`);
  console.log(`| HubSpot CRM calls per 1,000 scores | ${((calls / hsResult.done) * 1000).toFixed(1)} | ≤ 11 (10,000 in ≤ 110) | ${command} | ${date} |`);
  console.log(`| Salesforce CRM calls per 1,000 scores (${sfResult.done} scores, ${sfCalls} calls) | ${((sfCalls / sfResult.done) * 1000).toFixed(1)} | ≤ 6 (10,000 in ≤ 60) | ${command} | ${date} |`);
}

if (process.argv.includes('--serve')) await serve();
else await measure();
