/**
 * Full-sync throughput of the Salesforce connector through the sync engine: every stream of a
 * seeded org, from the simulator (in a child process, so it does not share our event loop) with
 * real jsforce, into an embedded PostgreSQL of its own.
 *
 * Salesforce has no per-second rate limit: what bounds a sync is the daily API allowance (we
 * spend at most 80% of it) and the 25 concurrent long-running requests. So besides records/s
 * the bench reports API calls, records per call (2,000 at most per query page) and the share of
 * the daily budget a full sync of this org costs.
 *
 *   npx tsx bench/salesforce-sync.bench.ts [--contacts 10000]
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';

const TARGET_RECORDS_PER_SECOND = 1000;
const DAILY_LIMIT = 100_000;
const BUDGET_FRACTION = 0.8;

function argument(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? fallback : Number(process.argv[index + 1]);
}

interface Ready {
  loginUrl: string;
  clientId: string;
  username: string;
  privateKey: string;
  records: number;
}

async function serve(): Promise<void> {
  const { startSalesforceSimulator } = await import('../src/simulators/salesforce/index.js');
  const sf = await startSalesforceSimulator({ seed: 42, contacts: argument('contacts', 10_000), dailyLimit: DAILY_LIMIT });
  const counts = sf.control.counts();
  const records = Object.entries(counts)
    .filter(([object]) => ['User', 'Account', 'Lead', 'Contact', 'Opportunity', 'Task', 'Event'].includes(object))
    .reduce((n, [, c]) => n + c.live + c.deleted, 0);
  const ready: Ready = { loginUrl: sf.loginUrl, clientId: sf.credentials.clientId, username: sf.credentials.username, privateKey: sf.credentials.jwtPrivateKey!, records };
  process.stdout.write(`${JSON.stringify(ready)}\n`);
  process.on('SIGTERM', () => void sf.close().then(() => process.exit(0)));
}

async function measure(): Promise<void> {
  const { startBenchPostgres } = await import('./bench-postgres.js');
  const { openDatabase } = await import('../src/db/client.js');
  const { createSalesforceConnector } = await import('../src/connectors/salesforce/index.js');
  const { syncConnection } = await import('../src/sync/connection-sync.js');
  const { createLogger } = await import('../src/log.js');

  const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--serve', ...process.argv.slice(2)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const ready = await new Promise<Ready>((resolve, reject) => {
    child.stdout.once('data', (chunk: Buffer) => resolve(JSON.parse(chunk.toString('utf8')) as Ready));
    child.once('exit', (code) => reject(new Error(`simulator exited with ${code}`)));
  });
  const postgres = await startBenchPostgres('salesforce-sync-bench-');
  try {
    const db = openDatabase({ url: await postgres.createDatabase('bench') });
    const connection = await db.prisma.connection.create({ data: { provider: 'SALESFORCE', name: 'bench', credentials: 'unused by the bench' } });
    const connector = createSalesforceConnector({
      credentials: { kind: 'jwt', clientId: ready.clientId, username: ready.username, privateKey: ready.privateKey },
      settings: { loginUrl: ready.loginUrl },
      logger: createLogger({ level: 'warn' }),
    });
    const started = performance.now();
    const outcomes = await syncConnection({ db, logger: createLogger({ level: 'warn' }) }, connection.id, connector);
    const seconds = (performance.now() - started) / 1000;
    const failed = outcomes.filter((o) => o.status !== 'SUCCEEDED');
    if (failed.length) throw new Error(`sync failed: ${failed.map((o) => `${o.stream}: ${o.error}`).join('; ')}`);

    const stored = await Promise.all([db.prisma.contact.count(), db.prisma.company.count(), db.prisma.deal.count(), db.prisma.activity.count(), db.prisma.owner.count()]);
    const records = stored.reduce((a, b) => a + b, 0);
    if (records !== ready.records) throw new Error(`store holds ${records} records, the org ${ready.records}`);
    const { apiCalls } = connector.stats();
    const perSecond = Math.round(records / seconds);
    const perCall = Math.round(records / apiCalls);
    const budgetShare = apiCalls / (DAILY_LIMIT * BUDGET_FRACTION);
    // Spread over a day, 80% of the daily limit sustains this many records per second at this records/call.
    const sustained = (DAILY_LIMIT * BUDGET_FRACTION * (records / apiCalls)) / 86_400;
    console.log(`${records} records in ${seconds.toFixed(1)} s: ${perSecond} records/s, ${apiCalls} API calls, ${perCall} records/call`);
    console.log(`one full sync = ${(budgetShare * 100).toFixed(2)}% of 80% of a ${DAILY_LIMIT} daily limit; that budget sustains ${Math.round(sustained)} records/s over a day, so we ran at ${(perSecond / sustained).toFixed(1)}x the sustainable rate (burst)`);
    for (const o of outcomes) console.log(`  ${o.stream}: ${o.progress.recordsSeen} records in ${o.progress.pages} pages`);

    const date = new Date().toISOString().slice(0, 10);
    const command = '`npx tsx bench/salesforce-sync.bench.ts`';
    recordResult('Salesforce full sync through the engine', [`Salesforce full sync through the engine (${records} records, 8 streams, jsforce → simulator in a child process → embedded Postgres)`, `${perSecond} records/s (${seconds.toFixed(1)} s; load avg ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores)`, `>= ${TARGET_RECORDS_PER_SECOND} records/s`, command, date]);
    recordResult('Salesforce full sync: API calls', [`Salesforce full sync: API calls for ${records} records`, `${apiCalls} calls, ${perCall} records/call; ${(budgetShare * 100).toFixed(2)}% of the 80% daily budget (100k/day); ${(perSecond / sustained).toFixed(1)}x the rate that budget sustains over 24 h`, '< 1% of the daily budget', command, date]);
    await connector.close();
    await db.close();
    if (perSecond < TARGET_RECORDS_PER_SECOND) process.exitCode = 1;
  } finally {
    child.kill('SIGTERM');
    await postgres.stop();
  }
}

const RESULTS_FILE = fileURLToPath(new URL('./RESULTS.md', import.meta.url));
const SECTION = '## Salesforce sync';
const TABLE = ['| what | value | target | command | date |', '|---|---|---|---|---|'];

/** Replaces this bench's row (the one starting with `key`) in its own section; other sections stay untouched. */
function recordResult(key: string, cells: string[]): void {
  const row = `| ${cells.join(' | ')} |`;
  const lines = (existsSync(RESULTS_FILE) ? readFileSync(RESULTS_FILE, 'utf8') : '# Benchmark results\n').trimEnd().split('\n');
  let start = lines.indexOf(SECTION);
  if (start === -1) {
    lines.push('', SECTION, '', ...TABLE);
    start = lines.indexOf(SECTION);
  }
  let end = start + 1;
  while (end < lines.length && !lines[end]!.startsWith('## ')) end++;
  const existing = lines.findIndex((line, i) => i > start && i < end && line.startsWith(`| ${key}`));
  if (existing !== -1) lines[existing] = row;
  else {
    let last = end - 1;
    while (last > start && !lines[last]!.startsWith('|')) last--;
    lines.splice(last + 1, 0, row);
  }
  writeFileSync(RESULTS_FILE, `${lines.join('\n')}\n`);
}

if (process.argv.includes('--serve')) await serve();
else await measure();
