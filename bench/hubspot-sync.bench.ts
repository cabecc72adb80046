/**
 * HubSpot sync benchmarks, through the real connector and sync engine into an embedded
 * PostgreSQL, against the simulator in a child process (so it shares neither our event loop nor
 * our memory):
 *
 *  1. Rate-limited full sync (simulator and connector at 190 requests/10 s): records/s as a
 *     fraction of the rate-limit bound, as issue 4 defines it: the calls the sync must make ÷
 *     the budget (80% of 190 per 10 s = 15.2/s) gives the bound time; fraction = bound time ÷
 *     actual time. It can pass 100%: the first window's budget is available at once.
 *  2. Unthrottled ingest: records/s fetched, normalized and upserted with no rate limit.
 *  3. Peak RSS of this process while syncing 100k contacts.
 *
 *   npx tsx bench/hubspot-sync.bench.ts [--limited 6000] [--unthrottled 20000] [--rss 100000]
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

function argument(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? fallback : Number(process.argv[index + 1]);
}

const RATE_LIMIT = 190;
const BUDGET = 0.8;

async function serve(): Promise<void> {
  const { startHubspotSimulator } = await import('../src/simulators/hubspot/index.js');
  const limited = process.argv.includes('--rate-limited');
  const sim = await startHubspotSimulator({
    seed: 21,
    contacts: argument('contacts', 1000),
    rateLimit: limited ? { perTenSeconds: RATE_LIMIT, daily: 1_000_000 } : false,
  });
  process.stdout.write(`${JSON.stringify({ url: sim.url, contacts: sim.store.count('contacts') })}\n`);
  process.on('SIGTERM', () => void sim.close().then(() => process.exit(0)));
}

async function startSimulator(contacts: number, rateLimited: boolean) {
  const args = [...process.execArgv, fileURLToPath(import.meta.url), '--serve', '--contacts', String(contacts), ...(rateLimited ? ['--rate-limited'] : [])];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const ready = await new Promise<{ url: string; contacts: number }>((resolve, reject) => {
    child.stdout.once('data', (chunk: Buffer) => resolve(JSON.parse(chunk.toString('utf8'))));
    child.once('exit', (code) => reject(new Error(`simulator exited with ${code}`)));
  });
  return { ...ready, stop: () => new Promise<void>((r) => { child.once('exit', () => r()); child.kill('SIGTERM'); }) };
}

async function measure(): Promise<void> {
  const { startBenchPostgres } = await import('./bench-postgres.js');
  const { openDatabase } = await import('../src/db/client.js');
  const { createHubspotConnector } = await import('../src/connectors/hubspot/index.js');
  const { DEFAULT_PRIVATE_APP_TOKEN } = await import('../src/simulators/hubspot/auth.js');
  const { syncConnection } = await import('../src/sync/connection-sync.js');
  const { createLogger } = await import('../src/log.js');
  const logger = createLogger({ level: 'silent' });

  const postgres = await startBenchPostgres('cl-bench-hs-');
  const rows: string[] = [];
  const date = new Date().toISOString().slice(0, 10);
  const command = '`npx tsx bench/hubspot-sync.bench.ts`';

  async function run(name: string, contacts: number, rateLimited: boolean, sampleRss = false) {
    const db = openDatabase({ url: await postgres.createDatabase(name) });
    const sim = await startSimulator(contacts, rateLimited);
    const connector = createHubspotConnector({
      credentials: { kind: 'private_app', token: DEFAULT_PRIVATE_APP_TOKEN },
      logger,
      settings: rateLimited
        ? { baseUrl: sim.url, rateLimitPerTenSeconds: RATE_LIMIT }
        : { baseUrl: sim.url, rateLimitPerTenSeconds: 1_000_000, searchPerSecond: 100_000, concurrency: 4 },
    });
    const connection = await db.prisma.connection.create({ data: { provider: 'HUBSPOT', name, credentials: 'bench' } });
    let peakRss = process.memoryUsage().rss;
    const sampler = sampleRss ? setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50) : null;
    const started = performance.now();
    const [outcome] = await syncConnection({ db, logger }, connection.id, connector, { streams: ['contacts'] });
    const seconds = (performance.now() - started) / 1000;
    if (sampler) clearInterval(sampler);
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    const runRow = await db.prisma.syncRun.findFirstOrThrow({ where: { connectionId: connection.id } });
    await connector.close();
    await sim.stop();
    await db.close();
    if (outcome?.status !== 'SUCCEEDED') throw new Error(`${name}: sync ${outcome?.status}: ${outcome?.error}`);
    return { records: outcome.progress.recordsSeen, seconds, apiCalls: runRow.apiCalls, rateLimited: runRow.rateLimited, peakRss };
  }

  const limitedContacts = argument('limited', 40_000);
  const limited = await run('bench_limited', limitedContacts, true);
  const boundSeconds = limited.apiCalls / ((RATE_LIMIT * BUDGET) / 10);
  const fraction = boundSeconds / limited.seconds;
  rows.push(
    `| Full sync at 190 req/10 s (${limited.records} contacts, ${limited.apiCalls} calls, ${limited.rateLimited} 429s): records/s vs the rate-limit bound | ${(limited.records / limited.seconds).toFixed(0)} records/s = ${(fraction * 100).toFixed(0)}% of the bound (bound ${boundSeconds.toFixed(1)} s, actual ${limited.seconds.toFixed(1)} s), ${limited.rateLimited} failed calls | ≥ 90% of the bound, 0 failed calls | ${command} | ${date} |`,
  );

  const unthrottled = await run('bench_unthrottled', argument('unthrottled', 20_000), false);
  rows.push(
    `| Unthrottled ingest (${unthrottled.records} contacts fetched, normalized and upserted) | ${(unthrottled.records / unthrottled.seconds).toFixed(0)} records/s | ≥ 5,000 records/s | ${command} | ${date} |`,
  );

  const big = await run('bench_rss', argument('rss', 100_000), false, true);
  rows.push(
    `| Peak RSS of the syncing process, ${big.records} contacts (simulator in another process) | ${(big.peakRss / 1024 / 1024).toFixed(0)} MB (${(big.records / big.seconds).toFixed(0)} records/s) | < 400 MB | ${command} | ${date} |`,
  );

  await postgres.stop();
  console.log('| what | value | target | command | date |\n|---|---|---|---|---|');
  for (const row of rows) console.log(row);
}

if (process.argv.includes('--serve')) await serve();
else await measure();
