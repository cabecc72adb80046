/**
 * How fast the HubSpot simulator serves GET /crm/v3/objects/contacts?limit=100 (a full
 * page, the connector's hot path during a full sync). Rate limits are lifted so we measure
 * the server, not the limiter. Target: >= 1000 req/s on a 2-core machine.
 *
 *   npx tsx bench/simulator-hubspot.bench.ts [--contacts 20000] [--seconds 10] [--connections 10]
 */
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { DEFAULT_PRIVATE_APP_TOKEN, startHubspotSimulator } from '../src/simulators/hubspot/index.js';

/** The part of autocannon's API we use; it ships no types and @types/autocannon is not installed. */
interface AutocannonResult {
  requests: { average: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
}
type Autocannon = (options: { url: string; connections: number; duration: number; headers: Record<string, string> }) => Promise<AutocannonResult>;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

const { values } = parseArgs({
  options: {
    contacts: { type: 'string', default: '20000' },
    seconds: { type: 'string', default: '10' },
    connections: { type: 'string', default: '10' },
  },
});

const contacts = Number(values.contacts);
const sim = await startHubspotSimulator({ seed: 1, contacts, rateLimit: false });
const after = 101 + Math.floor(sim.store.count('contacts') / 2);
const path = `/crm/v3/objects/contacts?limit=100&after=${after}&properties=email,firstname,lastname,lifecyclestage,hs_lead_status,jobtitle`;

const result = await autocannon({
  url: `${sim.url}${path}`,
  connections: Number(values.connections),
  duration: Number(values.seconds),
  headers: { authorization: `Bearer ${DEFAULT_PRIVATE_APP_TOKEN}` },
});
await sim.close();

if (result.non2xx > 0 || result.errors > 0) {
  console.error(`bench invalid: ${result.non2xx} non-2xx responses, ${result.errors} errors`);
  process.exitCode = 1;
}
const rps = Math.round(result.requests.average);
const date = new Date().toISOString().slice(0, 10);
console.log(`p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, ${sim.store.count('contacts')} contacts, ${values.connections} connections`);
console.log('| what | value | target | command | date |');
console.log('|---|---|---|---|---|');
console.log(`| HubSpot simulator: GET list of 100 contacts (6 properties, cached record JSON) | ${rps} req/s (p99 ${result.latency.p99} ms) | >= 1000 req/s | \`npx tsx bench/simulator-hubspot.bench.ts\` | ${date} |`);
