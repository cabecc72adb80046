/**
 * The server half of bench/graphql-packet.bench.ts, run as its own child process with a fresh
 * heap, as in production: the real app (createApp + GraphQL) over the store that
 * bench/graphql-bench-store.ts seeded, plus the hand-written baseline routes. Tells the parent
 * where it listens, and stops cleanly when told to.
 *
 *   graphql-bench-server.ts --database-url URL
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config.js';
import { openDatabase } from '../src/db/client.js';
import { createGraphqlHandler } from '../src/graphql/server.js';
import { createApp } from '../src/http/app.js';
import { createLogger } from '../src/log.js';
import { Metrics } from '../src/metrics.js';

/**
 * Everything one contextPacket reads, in one statement: the person's records (same email),
 * company, owner, open deals with roles, 5 recent activities, 5 scores, 20 signals.
 */
const BASELINE_SQL = `
WITH req AS (SELECT id, email FROM "Contact" WHERE id = $1),
person AS (
  SELECT p.* FROM "Contact" p, req
   WHERE p.id = req.id OR (req.email IS NOT NULL AND p.email = req.email AND p."deletedAt" IS NULL)
)
SELECT
  (SELECT json_agg(json_build_object('id', p.id, 'provider', k.provider, 'remoteType', p."remoteType", 'remoteId', p."remoteId",
      'email', p.email, 'firstName', p."firstName", 'lastName', p."lastName", 'title', p.title, 'phone', p.phone,
      'lifecycleStage', p."lifecycleStage", 'lifecycleStageLabel', p."lifecycleStageLabel",
      'leadStatus', p."leadStatus", 'leadStatusLabel', p."leadStatusLabel", 'syncedAt', p."syncedAt") ORDER BY p.id = (SELECT id FROM req) DESC, p.id)
     FROM person p JOIN "Connection" k ON k.id = p."connectionId") AS records,
  (SELECT row_to_json(c) FROM (
     SELECT co.name, co.domain, co.industry, co."industryLabel", co."employeeCount", co."annualRevenue", co.currency,
            co.city, co.country, co."remoteId", co."syncedAt"
       FROM person p JOIN "Company" co ON co."connectionId" = p."connectionId" AND co."remoteId" = p."companyRemoteId"
      WHERE co."deletedAt" IS NULL LIMIT 1) c) AS company,
  (SELECT row_to_json(o) FROM (
     SELECT ow."firstName", ow."lastName", ow.email, ow."remoteId", ow."syncedAt"
       FROM person p JOIN "Owner" ow ON ow."connectionId" = p."connectionId" AND ow."remoteId" = p."ownerRemoteId"
      WHERE ow."deletedAt" IS NULL LIMIT 1) o) AS owner,
  (SELECT json_agg(d) FROM (
     SELECT d.name, d.amount, d.currency, d.stage, d."stageLabel", d."closeDate", a.label AS role, d."remoteId", d."syncedAt"
       FROM person p
       JOIN "Association" a ON a."connectionId" = p."connectionId" AND a."toKind" = 'CONTACT' AND a."toRemoteId" = p."remoteId" AND a."fromKind" = 'DEAL'
       JOIN "Deal" d ON d."connectionId" = a."connectionId" AND d."remoteId" = a."fromRemoteId"
      WHERE d."deletedAt" IS NULL AND d."isClosed" IS NOT TRUE
      ORDER BY d."closeDate" ASC NULLS LAST, d.id LIMIT 10) d) AS deals,
  (SELECT json_agg(x) FROM (
     SELECT act.kind, act.subject, act."bodyText", act."occurredAt", act."remoteId", act."syncedAt"
       FROM person p
       JOIN "Association" a ON a."connectionId" = p."connectionId" AND a."toKind" = 'CONTACT' AND a."toRemoteId" = p."remoteId" AND a."fromKind" = 'ACTIVITY'
       JOIN "Activity" act ON act."connectionId" = a."connectionId" AND act."remoteId" = a."fromRemoteId"
      WHERE act."deletedAt" IS NULL
      ORDER BY act."occurredAt" DESC NULLS LAST, act.id DESC LIMIT 5) x) AS activities,
  (SELECT json_agg(s) FROM (
     SELECT ao.score, ao."previousScore", ao.rationale, ao.playbook, ao.source, ao.model, ao."createdAt"
       FROM "AiOutput" ao WHERE ao."contactId" IN (SELECT id FROM person)
      ORDER BY ao."createdAt" DESC, ao.id DESC LIMIT 5) s) AS scores,
  (SELECT json_agg(g) FROM (
     SELECT * FROM (SELECT DISTINCT ON (sig.source, sig.key) sig.key, sig.value, sig.source, sig."observedAt"
                      FROM "Signal" sig WHERE sig."contactId" IN (SELECT id FROM person)
                     ORDER BY sig.source, sig.key, sig."observedAt" DESC) latest
      ORDER BY latest."observedAt" DESC LIMIT 20) g) AS signals
FROM req`;

const { values } = parseArgs({ options: { 'database-url': { type: 'string' } } });
if (!values['database-url']) throw new Error('--database-url is required');

const db = openDatabase({ url: values['database-url'] });
const config = loadConfig({ NODE_ENV: 'production', LOG_LEVEL: 'error', SECRET_KEY: '0'.repeat(64) });
const logger = createLogger({ level: 'error' });
// With metrics, as main.ts builds it: the latency plugin and the request counter run too.
const graphql = await createGraphqlHandler({ db, config, logger, metrics: new Metrics(db) });
const app = createApp({ db, logger, graphql: graphql.handle });
/** The baseline routes, on plain Node like /graphql (see createApp for why not express). */
const BASELINE_PATH = /^\/baseline\/(unnamed\/)?packet\/([^/?]+)$/;
const answerBaseline = async (res: ServerResponse, unnamed: boolean, encodedId: string) => {
  const id = decodeURIComponent(encodedId);
  // Named, like the app's own statements, so both are parsed and planned once per
  // connection; unnamed, as hand-written code usually sends it: planned on every call.
  const { rows } = await db.pool.query(unnamed ? { text: BASELINE_SQL, values: [id] } : { name: 'baseline-packet', text: BASELINE_SQL, values: [id] });
  res.statusCode = rows[0] ? 200 : 404;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.end(JSON.stringify(rows[0] ?? { error: 'not found' }));
};
const server = createServer((req, res) => {
  const baseline = req.method === 'GET' ? BASELINE_PATH.exec(req.url ?? '') : null;
  if (!baseline) return app(req, res);
  answerBaseline(res, baseline[1] !== undefined, baseline[2]!).catch((error: unknown) => {
    res.statusCode = 500;
    res.end(String(error));
  });
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
process.send?.({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });

process.on('message', async (message) => {
  if (message !== 'stop') return;
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await graphql.stop();
  await db.close();
  process.exit(0);
});
