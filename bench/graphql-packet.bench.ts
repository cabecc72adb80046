/**
 * contextPacket under load against a hand-written baseline, in the same run.
 *
 * Three processes: the store (graphql-bench-store.ts: embedded PostgreSQL, migrated, seeded
 * with --people people held by both CRMs, 2 contact rows each), the server
 * (graphql-bench-server.ts, a fresh heap as in production, NODE_ENV=production as the
 * Dockerfile sets it: the real app, createApp + GraphQL, and next to it
 * GET /baseline/packet/:id, a plain Node route that fetches the same data with ONE named
 * SQL statement and returns JSON, and /baseline/unnamed/packet/:id, the same statement sent
 * unnamed, as hand-written code usually does), and this load generator. It drives both endpoints with
 * autocannon (50 connections), cycling through contact ids, in alternating rounds, then
 * times contextPackets for 100 ids from a single client. It also reports how the CPU of each
 * request splits between server, PostgreSQL and itself: all three share the machine's cores.
 *
 * Targets: GraphQL throughput >= 50% of the (named) baseline's; contextPacket p99 <= 50 ms.
 *
 *   npx tsx bench/graphql-packet.bench.ts [--people 3000] [--seconds 20] [--connections 50] [--profile DIR]
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { BenchStore } from './graphql-bench-store.js';
import { processTreeCpuMs } from './process-cpu.js';

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

/** CPU milliseconds spent so far by each party on the machine (undefined off Linux). */
interface CpuReading {
  server?: number;
  postgres?: number;
  loadGenerator: number;
}

interface Measured {
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  /** p99 with the rounds' ramp-up answers included. */
  p99WithRampUp: number;
  total: number;
  failures: number;
  /** CPU milliseconds per request. */
  cpuPerRequest: CpuReading;
}

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

interface Run {
  /** Response times after the round's ramp-up. */
  times: number[];
  /** Response times during it (see RAMP_UP_MS). */
  rampUpTimes: number[];
  total: number;
  failures: number;
  seconds: number;
  cpu: CpuReading;
}

function cpuSpent(before: CpuReading, after: CpuReading): CpuReading {
  const minus = (a?: number, b?: number) => (a === undefined || b === undefined ? undefined : a - b);
  return {
    server: minus(after.server, before.server),
    postgres: minus(after.postgres, before.postgres),
    loadGenerator: after.loadGenerator - before.loadGenerator,
  };
}

/**
 * Every round opens its 50 connections anew, and autocannon times each connection's first
 * request from before the TCP connect. Those first answers take up to ~10x the steady-state
 * time on this machine, for every endpoint alike (the plain baseline route too): they are a
 * cost of opening connections, which clients that keep theirs open do not pay per request.
 * Latency percentiles are taken from the steady state after this ramp-up; the p99 with the
 * ramp-up included is printed too. Throughput counts every request of the round.
 */
const RAMP_UP_MS = 500;

/** autocannon reports p97.5 but not p95, so response times are collected here. */
function load(options: AutocannonOptions, readCpu: () => CpuReading): Promise<Run> {
  return new Promise((resolve, reject) => {
    const times: number[] = [];
    const rampUpTimes: number[] = [];
    const cpuBefore = readCpu();
    const started = performance.now();
    const instance = autocannon(options, (error, result) => {
      if (error) return reject(error);
      const cpu = cpuSpent(cpuBefore, readCpu());
      resolve({ times, rampUpTimes, total: result.requests.total, failures: result.non2xx + result.errors, seconds: (performance.now() - started) / 1000, cpu });
    });
    // By when the request was sent: a slow first answer arriving after the ramp-up is still one.
    instance.on('response', (_client, _status, _bytes, responseTime) =>
      (performance.now() - responseTime - started < RAMP_UP_MS ? rampUpTimes : times).push(responseTime),
    );
  });
}

function summarize(runs: Run[]): Measured {
  const times = runs.flatMap((r) => r.times).sort((a, b) => a - b);
  const total = runs.reduce((sum, r) => sum + r.total, 0);
  const perRequest = (part: keyof CpuReading) =>
    runs.some((r) => r.cpu[part] === undefined) ? undefined : runs.reduce((sum, r) => sum + r.cpu[part]!, 0) / total;
  return {
    rps: Math.round(total / runs.reduce((sum, r) => sum + r.seconds, 0)),
    p50: percentile(times, 50),
    p95: percentile(times, 95),
    p99: percentile(times, 99),
    p99WithRampUp: percentile(runs.flatMap((r) => [...r.times, ...r.rampUpTimes]).sort((a, b) => a - b), 99),
    total,
    failures: runs.reduce((sum, r) => sum + r.failures, 0),
    cpuPerRequest: { server: perRequest('server'), postgres: perRequest('postgres'), loadGenerator: perRequest('loadGenerator')! },
  };
}

/**
 * autocannon stops at its deadline without waiting for the answers still in flight; the pause
 * lets the server finish them, so they do not delay the next round (of another endpoint).
 */
function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 500));
}

/** Requests for every id, built up front so the load generator spends its CPU on sending them. */
function cycling(ids: string[], build: (id: string) => AutocannonRequest) {
  const requests = ids.map(build);
  let next = 0;
  return [{ setupRequest: (request: AutocannonRequest) => ({ ...request, ...requests[next++ % requests.length]! }) }];
}

/** The server's node flags, as package.json's start script and the Dockerfile pass them. */
const SERVER_NODE_FLAGS = ['--max-semi-space-size=64'];

/** Forks a bench child and waits for its first message: what it tells the parent once it is ready. */
async function startChild<T>(script: string, args: string[], options: { isServer?: boolean } = {}): Promise<{ child: ChildProcess; ready: T }> {
  // The server gets its production node flags, and is the process --profile profiles.
  const serverFlags = options.isServer ? [...SERVER_NODE_FLAGS, ...(values.profile ? ['--cpu-prof', `--cpu-prof-dir=${values.profile}`] : [])] : [];
  const child = fork(fileURLToPath(new URL(script, import.meta.url)), args, {
    stdio: 'inherit',
    // As the Dockerfile runs it; graphql-js also skips its development-only checks then.
    env: { ...process.env, NODE_ENV: 'production' },
    execArgv: [...process.execArgv, ...serverFlags],
  });
  const ready = await new Promise<T>((resolve, reject) => {
    child.once('message', (message) => resolve(message as T));
    child.once('exit', (code) => reject(new Error(`${script} exited early (${code})`)));
  });
  return { child, ready };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  child.send('stop');
  await new Promise((resolve) => child.once('exit', resolve));
}

const store = await startChild<BenchStore>('./graphql-bench-store.ts', ['--people', values.people]);
const server = await startChild<{ url: string }>('./graphql-bench-server.ts', ['--database-url', store.ready.databaseUrl], { isServer: true }).catch(
  async (error: unknown) => {
    await stopChild(store.child);
    throw error;
  },
);
const target = { ...store.ready, url: server.ready.url };
const readCpu = (): CpuReading => {
  const own = process.cpuUsage();
  return {
    server: processTreeCpuMs(server.child.pid!),
    // The store process idles during the load; its tree's CPU is PostgreSQL's.
    postgres: processTreeCpuMs(store.child.pid!),
    loadGenerator: (own.user + own.system) / 1000,
  };
};
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
  const unnamedRequests = cycling(target.contactIds, (id) => ({ method: 'GET', path: `/baseline/unnamed/packet/${id}` }));
  const endpoints = [baselineRequests, unnamedRequests, graphqlRequests];

  // Warm every path (JIT, pool connections, Postgres caches) before measuring.
  for (const requests of endpoints) await load({ url: target.url, connections, duration: 3, requests }, readCpu);
  // Alternating short rounds: load from other processes on a shared machine then hits all alike.
  const runs: Run[][] = endpoints.map(() => []);
  const rounds = 4;
  for (let round = 0; round < rounds; round++) {
    for (const [i, requests] of endpoints.entries()) {
      runs[i]!.push(await load({ url: target.url, connections, duration: duration / rounds, requests }, readCpu));
      await settle();
    }
  }
  const [baseline, unnamed, graphql] = runs.map(summarize) as [Measured, Measured, Measured];

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

  const failures = baseline.failures + unnamed.failures + graphql.failures;
  if (failures > 0) {
    console.error(`bench invalid: ${failures} failed responses`);
    process.exitCode = 1;
  }
  const ratio = graphql.rps / baseline.rps;
  const date = new Date().toISOString().slice(0, 10);
  const command = '`npx tsx bench/graphql-packet.bench.ts`';
  const ms = (v: number) => `${Math.round(v * 100) / 100} ms`;
  console.log(`${target.contactIds.length} contacts, ${connections} connections, ${duration}s per endpoint in ${rounds} alternating rounds`);
  const cpu = ({ cpuPerRequest: c }: Measured) =>
    `CPU per request: server ${ms(c.server ?? NaN)}, PostgreSQL ${ms(c.postgres ?? NaN)}, load generator ${ms(c.loadGenerator)}`;
  const summary = (m: Measured) => `${m.rps} req/s; p50 ${ms(m.p50)}, p95 ${ms(m.p95)}, p99 ${ms(m.p99)} (with ramp-up ${ms(m.p99WithRampUp)})`;
  console.log(`baseline (named statement):   ${summary(baseline)} (${baseline.total} requests); ${cpu(baseline)}`);
  console.log(`baseline (unnamed statement): ${summary(unnamed)} (${unnamed.total} requests); ${cpu(unnamed)}`);
  console.log(`graphql contextPacket:        ${summary(graphql)} (${graphql.total} requests); ${cpu(graphql)}`);
  console.log('| what | value | target | command | date |');
  console.log('|---|---|---|---|---|');
  console.log(`| contextPacket (full packet + text), ${connections} connections | ${summary(graphql)} | p99 <= 50 ms | ${command} | ${date} |`);
  console.log(`| baseline: same data, one hand-written SQL statement (named), plain Node route | ${summary(baseline)} | (reference) | ${command} | ${date} |`);
  console.log(`| baseline, the same statement unnamed (Postgres plans it on every call) | ${summary(unnamed)} | (reference) | ${command} | ${date} |`);
  console.log(`| contextPacket throughput / named baseline throughput | ${Math.round(ratio * 100)}% | >= 50% | ${command} | ${date} |`);
  console.log(`| contextPacket throughput / unnamed baseline throughput | ${Math.round((graphql.rps / unnamed.rps) * 100)}% | (context) | ${command} | ${date} |`);
  console.log(`| contextPackets for 100 ids, one client (25 runs) | p50 ${ms(percentile(batchTimes, 50))}, p95 ${ms(percentile(batchTimes, 95))}, max ${ms(batchTimes.at(-1)!)} | (measured) | ${command} | ${date} |`);
} finally {
  await stopChild(server.child);
  await stopChild(store.child);
}
