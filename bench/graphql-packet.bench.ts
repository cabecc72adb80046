/**
 * contextPacket under load against a hand-written baseline, in the same run.
 *
 * The server runs in a child process (so the load generator does not share its event loop):
 * embedded PostgreSQL, migrated, seeded with --people people held by both CRMs (2 contact
 * rows each), the real app (createApp + GraphQL) and, next to it, GET /baseline/packet/:id,
 * a plain express route that fetches the same data with ONE SQL statement and returns JSON.
 * The parent drives both with autocannon (50 connections), cycling through contact ids, and
 * in alternating rounds, then times contextPackets for 100 ids from a single client.
 *
 * Targets: GraphQL throughput >= 50% of the baseline's; contextPacket p99 <= 50 ms.
 *
 *   npx tsx bench/graphql-packet.bench.ts [--people 3000] [--seconds 20] [--connections 50] [--profile DIR]
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { BenchTarget } from './graphql-bench-server.js';

interface AutocannonResult {
  requests: { average: number; total: number };
  non2xx: number;
  errors: number;
}
interface AutocannonRequest {
  method?: string;
  path?: string;
  body?: string;
  headers?: Record<string, string>;
}
interface AutocannonOptions {
  url: string;
  connections: number;
  duration: number;
  method?: string;
  headers?: Record<string, string>;
  requests?: Array<{ setupRequest: (request: AutocannonRequest) => AutocannonRequest }>;
}
interface AutocannonInstance {
  on(event: 'response', listener: (client: unknown, status: number, bytes: number, responseTime: number) => void): void;
}
type Autocannon = (options: AutocannonOptions, done: (error: Error | null, result: AutocannonResult) => void) => AutocannonInstance;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

const { values } = parseArgs({
  options: {
    people: { type: 'string', default: '3000' },
    seconds: { type: 'string', default: '20' },
    connections: { type: 'string', default: '50' },
    /** Writes a V8 CPU profile of the server process into this folder. */
    profile: { type: 'string' },
  },
});

const PACKET_QUERY = `query Packet($id: ID!) { contextPacket(contactId: $id) {
  contactId
  person { name title email phone owner { name email } tenure { months source } }
  company { name domain industry { value label } employeeCount annualRevenue { amount currency } location { city country } }
  relationship { lifecycleStage { value label } leadStatus { value label } lastActivity { kind occurredAt }
    openDeals { name amount { amount currency } stageLabel closeDate role } }
  recentEngagement { kind occurredAt subject summary }
  ai { latest { score previousScore rationale playbook source model createdAt } history { score createdAt } }
  signals { key value source observedAt }
  sources { kind provider remoteId syncedAt }
  freshness { oldestSyncedAt stale }
  text(maxTokens: 800)
} }`;

const PACKETS_QUERY = PACKET_QUERY.replace('query Packet($id: ID!) { contextPacket(contactId: $id)', 'query Packets($ids: [ID!]!) { contextPackets(contactIds: $ids)');

interface Measured {
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  total: number;
  failures: number;
}

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

interface Run {
  times: number[];
  total: number;
  failures: number;
  seconds: number;
}

/** autocannon reports p97.5 but not p95, so response times are collected here. */
function load(options: AutocannonOptions): Promise<Run> {
  return new Promise((resolve, reject) => {
    const times: number[] = [];
    const instance = autocannon(options, (error, result) => {
      if (error) return reject(error);
      resolve({ times, total: result.requests.total, failures: result.non2xx + result.errors, seconds: options.duration });
    });
    instance.on('response', (_client, _status, _bytes, responseTime) => times.push(responseTime));
  });
}

function summarize(runs: Run[]): Measured {
  const times = runs.flatMap((r) => r.times).sort((a, b) => a - b);
  const total = runs.reduce((sum, r) => sum + r.total, 0);
  return {
    rps: Math.round(total / runs.reduce((sum, r) => sum + r.seconds, 0)),
    p50: percentile(times, 50),
    p95: percentile(times, 95),
    p99: percentile(times, 99),
    total,
    failures: runs.reduce((sum, r) => sum + r.failures, 0),
  };
}

function cycling(ids: string[], build: (id: string) => AutocannonRequest) {
  let next = 0;
  return [{ setupRequest: (request: AutocannonRequest) => ({ ...request, ...build(ids[next++ % ids.length]!) }) }];
}

async function startServer(people: number): Promise<{ child: ChildProcess; target: BenchTarget }> {
  const serverScript = fileURLToPath(new URL('./graphql-bench-server.ts', import.meta.url));
  const profile = values.profile ? ['--cpu-prof', `--cpu-prof-dir=${values.profile}`] : [];
  const child = fork(serverScript, ['--people', String(people)], { stdio: 'inherit', execArgv: [...process.execArgv, ...profile] });
  const target = await new Promise<BenchTarget>((resolve, reject) => {
    child.once('message', (message) => resolve(message as BenchTarget));
    child.once('exit', (code) => reject(new Error(`bench server exited early (${code})`)));
  });
  return { child, target };
}

const { child, target } = await startServer(Number(values.people));
try {
  const connections = Number(values.connections);
  const duration = Number(values.seconds);
  const graphqlRequests = cycling(target.contactIds, (id) => ({
    method: 'POST',
    path: '/graphql',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${target.apiKey}` },
    body: JSON.stringify({ query: PACKET_QUERY, variables: { id } }),
  }));
  const baselineRequests = cycling(target.contactIds, (id) => ({ method: 'GET', path: `/baseline/packet/${id}` }));

  // Warm both paths (JIT, pool connections, Postgres caches) before measuring.
  await load({ url: target.url, connections, duration: 3, requests: baselineRequests });
  await load({ url: target.url, connections, duration: 3, requests: graphqlRequests });
  // Alternating short rounds: load from other processes on a shared machine then hits both alike.
  const baselineRuns: Run[] = [];
  const graphqlRuns: Run[] = [];
  const rounds = 4;
  for (let round = 0; round < rounds; round++) {
    baselineRuns.push(await load({ url: target.url, connections, duration: duration / rounds, requests: baselineRequests }));
    graphqlRuns.push(await load({ url: target.url, connections, duration: duration / rounds, requests: graphqlRequests }));
  }
  const baseline = summarize(baselineRuns);
  const graphql = summarize(graphqlRuns);

  const batchTimes: number[] = [];
  for (let round = 0; round < 30; round++) {
    const ids = target.contactIds.slice((round * 100) % (target.contactIds.length - 100)).slice(0, 100);
    const started = performance.now();
    const response = await fetch(`${target.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${target.apiKey}` },
      body: JSON.stringify({ query: PACKETS_QUERY, variables: { ids } }),
    });
    const body = (await response.json()) as { errors?: unknown[]; data?: { contextPackets: unknown[] } };
    if (round >= 5) batchTimes.push(performance.now() - started);
    if (body.errors || body.data?.contextPackets.length !== 100) throw new Error(`contextPackets failed: ${JSON.stringify(body.errors)}`);
  }
  batchTimes.sort((a, b) => a - b);

  const failures = baseline.failures + graphql.failures;
  if (failures > 0) {
    console.error(`bench invalid: ${failures} failed responses`);
    process.exitCode = 1;
  }
  const ratio = graphql.rps / baseline.rps;
  const date = new Date().toISOString().slice(0, 10);
  const command = '`npx tsx bench/graphql-packet.bench.ts`';
  const ms = (v: number) => `${Math.round(v * 10) / 10} ms`;
  console.log(`${target.contactIds.length} contacts, ${connections} connections, ${duration}s per endpoint in 4 alternating rounds`);
  console.log(`baseline: ${baseline.rps} req/s p50 ${ms(baseline.p50)} p95 ${ms(baseline.p95)} p99 ${ms(baseline.p99)} (${baseline.total} requests)`);
  console.log(`graphql:  ${graphql.rps} req/s p50 ${ms(graphql.p50)} p95 ${ms(graphql.p95)} p99 ${ms(graphql.p99)} (${graphql.total} requests)`);
  console.log('| what | value | target | command | date |');
  console.log('|---|---|---|---|---|');
  console.log(`| contextPacket (full packet + text), ${connections} connections | ${graphql.rps} req/s; p50 ${ms(graphql.p50)}, p95 ${ms(graphql.p95)}, p99 ${ms(graphql.p99)} | p99 <= 50 ms | ${command} | ${date} |`);
  console.log(`| baseline: same data, one hand-written SQL statement, plain express route | ${baseline.rps} req/s; p50 ${ms(baseline.p50)}, p95 ${ms(baseline.p95)}, p99 ${ms(baseline.p99)} | (reference) | ${command} | ${date} |`);
  console.log(`| contextPacket throughput / baseline throughput | ${Math.round(ratio * 100)}% | >= 50% | ${command} | ${date} |`);
  console.log(`| contextPackets for 100 ids, one client (25 runs) | p50 ${ms(percentile(batchTimes, 50))}, p95 ${ms(percentile(batchTimes, 95))}, max ${ms(batchTimes.at(-1)!)} | (measured) | ${command} | ${date} |`);
} finally {
  child.send('stop');
  await new Promise((resolve) => child.once('exit', resolve));
}
