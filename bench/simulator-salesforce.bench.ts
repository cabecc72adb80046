/**
 * Throughput of the Salesforce simulator on a 100-row query page, the request a connector's
 * sync loop makes most. The simulator runs in a child process so autocannon's client does not
 * share its event loop. Target: >= 1,000 requests/s on a 2-core machine.
 *
 *   npx tsx bench/simulator-salesforce.bench.ts [--seconds 10] [--connections 10]
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number };
  errors: number;
  non2xx: number;
}
type Autocannon = (options: { url: string; connections: number; duration: number; headers: Record<string, string> }) => Promise<AutocannonResult>;

const SOQL = 'SELECT Id, FirstName, LastName, Email, Title, Phone, AccountId, Account.Name, Owner.Email, SystemModstamp FROM Contact LIMIT 100';
const TARGET = 1000;

function argument(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? fallback : Number(process.argv[index + 1]);
}

const RESULTS_FILE = fileURLToPath(new URL('./RESULTS.md', import.meta.url));
const SECTION = '## Simulators';
const TABLE_HEADER = '| what | value | target | command | date |\n|---|---|---|---|---|';

/** Puts our row into the Simulators table: replaces our previous row, leaves everyone else's alone. */
function recordResult(cells: string[]): void {
  const row = `| ${cells.join(' | ')} |`;
  const text = existsSync(RESULTS_FILE) ? readFileSync(RESULTS_FILE, 'utf8') : '# Benchmark results\n';
  const lines = text.trimEnd().split('\n');
  let sectionAt = lines.indexOf(SECTION);
  if (sectionAt === -1) {
    lines.push('', SECTION, '', ...TABLE_HEADER.split('\n'));
    sectionAt = lines.indexOf(SECTION);
  }
  let end = sectionAt + 1;
  while (end < lines.length && !lines[end]?.startsWith('## ')) end++;
  const ours = lines.findIndex((line, index) => index > sectionAt && index < end && line.startsWith(`| ${cells[0]} |`));
  if (ours !== -1) lines[ours] = row;
  else {
    let lastRow = end - 1;
    while (lastRow > sectionAt && !lines[lastRow]?.startsWith('|')) lastRow--;
    if (lastRow === sectionAt) lines.splice(sectionAt + 1, 0, '', ...TABLE_HEADER.split('\n'), row);
    else lines.splice(lastRow + 1, 0, row);
  }
  writeFileSync(RESULTS_FILE, `${lines.join('\n')}\n`);
}

async function serve(): Promise<void> {
  const { startSalesforceSimulator } = await import('../src/simulators/salesforce/index.js');
  // pageSize 100 makes an unlimited query page at 100 rows, so its nextRecordsUrl is a 100-row page too.
  const sf = await startSalesforceSimulator({ seed: 42, contacts: 5000, pageSize: 100 });
  const response = await fetch(`${sf.loginUrl}/services/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'password',
      client_id: sf.credentials.clientId,
      client_secret: sf.credentials.clientSecret,
      username: sf.credentials.username,
      password: sf.credentials.password,
    }),
  });
  const token = (await response.json()) as { access_token: string; instance_url: string };
  process.stdout.write(`${JSON.stringify({ instanceUrl: token.instance_url, accessToken: token.access_token, contacts: sf.control.list('Contact').length })}\n`);
  process.on('SIGTERM', () => void sf.close().then(() => process.exit(0)));
}

async function measure(): Promise<void> {
  const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--serve'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const ready = await new Promise<{ instanceUrl: string; accessToken: string; contacts: number }>((resolve, reject) => {
    child.stdout.once('data', (chunk: Buffer) => resolve(JSON.parse(chunk.toString('utf8')) as { instanceUrl: string; accessToken: string; contacts: number }));
    child.once('exit', (code) => reject(new Error(`simulator exited with ${code}`)));
  });
  try {
    const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;
    const headers = { authorization: `Bearer ${ready.accessToken}` };
    const firstPageUrl = `${ready.instanceUrl}/services/data/v61.0/query?q=${encodeURIComponent(SOQL)}`;
    const unlimited = (await (await fetch(`${ready.instanceUrl}/services/data/v61.0/query?q=${encodeURIComponent(SOQL.replace(' LIMIT 100', ''))}`, { headers })).json()) as { records: unknown[]; nextRecordsUrl: string };
    if (unlimited.records.length !== 100 || !unlimited.nextRecordsUrl) throw new Error('expected a 100-row page with a nextRecordsUrl');
    const scenarios = [
      { what: 'Salesforce simulator: 100-row SOQL page (GET /query, relationship fields)', url: firstPageUrl },
      { what: 'Salesforce simulator: 100-row queryMore page (GET /query/{locator}, rendered per call)', url: `${ready.instanceUrl}${unlimited.nextRecordsUrl}` },
    ];
    let rps = Number.POSITIVE_INFINITY;
    for (const scenario of scenarios) {
      const result = await autocannon({ url: scenario.url, connections: argument('connections', 10), duration: argument('seconds', 10), headers });
      const scenarioRps = Math.round(result.requests.average);
      rps = Math.min(rps, scenarioRps);
      console.log(`${scenario.what} (${ready.contacts} contacts): ${scenarioRps} req/s, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, errors ${result.errors}, non-2xx ${result.non2xx}`);
      if (result.errors > 0 || result.non2xx > 0) throw new Error('benchmark saw failed requests');
      recordResult([scenario.what, `${scenarioRps} req/s (p99 ${result.latency.p99} ms)`, `>= ${TARGET} req/s`, '`npx tsx bench/simulator-salesforce.bench.ts`', new Date().toISOString().slice(0, 10)]);
    }
    if (rps < TARGET) process.exitCode = 1;
  } finally {
    child.kill('SIGTERM');
  }
}

if (process.argv.includes('--serve')) await serve();
else await measure();
