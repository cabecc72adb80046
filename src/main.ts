import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from './config.js';
import { openDatabase, type Database } from './db/client.js';
import { locateDatabase, resolveSecretKey } from './db/location.js';
import { migrate } from './db/migrate.js';
import type { EmbeddedDatabase } from './db/embedded.js';
import { createApp } from './http/app.js';
import type { Logger } from './log.js';
import { SecretBox } from './crypto.js';
import { Metrics } from './metrics.js';
import { createConnectorCache, type ConnectorCache } from './connections/connectors.js';
import { startScheduler, type Scheduler } from './sync/scheduler.js';
import { createWriteBackWorker, type WriteBackWorker } from './writeback/worker.js';
import { createWebhookRouter } from './webhooks/router.js';
import { applyHubspotPayloads, hubspotReceiver } from './webhooks/hubspot-receiver.js';
import { applySalesforcePayloads, salesforceReceiver } from './webhooks/salesforce-receiver.js';
import { createGraphqlHandler } from './graphql/server.js';
import { ensureAiFields } from './writeback/provision.js';
import { demoBanner, demoWanted, pauseDemoConnections, startDemo, type Demo } from './demo/demo.js';

/** Everything a running process holds, so shutdown can release it in reverse order. */
export interface RunningServer {
  url: string;
  db: Database;
  secrets: SecretBox;
  connectors: ConnectorCache;
  scheduler: Scheduler;
  worker: WriteBackWorker;
  stop(): Promise<void>;
}

export interface Runtime {
  db: Database;
  secrets: SecretBox;
  embedded: EmbeddedDatabase | null;
  close(): Promise<void>;
}

/** config → database (embedded or DATABASE_URL) → migrations. Shared by the server and the CLI. */
export async function openRuntime(config: Config, logger: Logger): Promise<Runtime> {
  const secrets = new SecretBox(resolveSecretKey(config));
  const location = await locateDatabase(config, logger);
  try {
    const result = await migrate(location.url);
    if (result.applied.length) logger.info({ applied: result.applied }, 'applied database migrations');
  } catch (error) {
    await location.embedded?.stop();
    throw error;
  }
  const db = openDatabase({ url: location.url, max: config.DATABASE_POOL_SIZE });
  return {
    db,
    secrets,
    embedded: location.embedded,
    async close() {
      await db.close();
      await location.embedded?.stop();
    },
  };
}

/**
 * The composition root: runtime → connectors → http (GraphQL, webhooks, health, metrics) →
 * scheduler (syncs, recovery, webhook inbox) and the write-back worker.
 */
export async function startServer(config: Config, logger: Logger): Promise<RunningServer> {
  const runtime = await openRuntime(config, logger);
  const { db, secrets } = runtime;
  const metrics = new Metrics(db);
  const connectors = createConnectorCache({ db, secrets, logger, observe: metrics.observeCall });
  const syncContext = { db, logger, metrics };
  const webhooks = createWebhookRouter(
    { db, secrets, logger, metrics, publicUrl: config.PUBLIC_URL, maxBytes: config.WEBHOOK_MAX_BYTES },
    { hubspot: hubspotReceiver, salesforce: salesforceReceiver },
  );
  const scheduler = startScheduler({
    ctx: syncContext,
    connectorFor: (id) => connectors.get(id),
    defaultCron: config.SYNC_CRON,
    fullResyncAfterMs: config.FULL_RESYNC_HOURS * 3_600_000,
    maxConcurrentSyncs: config.SYNC_CONCURRENCY,
    inbox: { handlers: { HUBSPOT: applyHubspotPayloads, SALESFORCE: applySalesforcePayloads } },
  });
  const graphql = await createGraphqlHandler({ db, config, logger, metrics, scheduler });
  const app = createApp({ db, logger, webhooks, graphql: graphql.handle, metrics: metrics.handler() });
  const server: Server = createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.PORT, config.HOST, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const url = `http://${config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST}:${address.port}`;

  let demo: Demo | null = null;
  if (await demoWanted(db, config)) {
    demo = await startDemo({ db, secrets, logger, serverUrl: url });
    const started = demo;
    for (const id of started.connectionIds) {
      // Fresh simulators each start: drop connectors built for the last ports, provision AI fields.
      await connectors.evict(id);
      const connection = await db.prisma.connection.findUniqueOrThrow({ where: { id } });
      await ensureAiFields(db, connection, await connectors.get(id));
    }
    await scheduler.reconcile();
    logger.info('demo mode: simulators started, first sync running');
    void Promise.all(started.connectionIds.map((id) => scheduler.runAndWait(id)))
      .then(async () => process.stdout.write(`${await demoBanner(db, url, started.apiKey)}\n`))
      .catch((error: unknown) => logger.error({ err: error }, 'demo sync failed'));
  } else {
    await pauseDemoConnections(db);
    await scheduler.reconcile();
  }
  const worker = createWriteBackWorker({ db, logger, connectorFor: (id) => connectors.get(id) });
  worker.start();
  logger.info({ url }, 'context-layer is listening');

  let stopping: Promise<void> | null = null;
  const stop = () => {
    stopping ??= (async () => {
      logger.info('shutting down: no new requests, finishing in-flight ones');
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const timer = setTimeout(() => server.closeAllConnections(), config.SHUTDOWN_TIMEOUT_MS);
      // Background work stops after its current page or batch; a CRM wait (Retry-After, a
      // rate-limit window) is not waited out past the shutdown budget: cursors and leases
      // make an interrupted run safe to resume.
      const background = Promise.all([scheduler.stop(), worker.stop()]);
      const budget = new Promise<void>((resolve) => setTimeout(resolve, config.SHUTDOWN_TIMEOUT_MS).unref());
      await Promise.all([closed, Promise.race([background, budget])]);
      clearTimeout(timer);
      await graphql.stop();
      await demo?.stop();
      await connectors.closeAll();
      await runtime.close();
      logger.info('stopped');
    })();
    return stopping;
  };
  return { url, db, secrets, connectors, scheduler, worker, stop };
}
