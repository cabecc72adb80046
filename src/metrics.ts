import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { RequestHandler } from 'express';
import type { Database } from './db/client.js';
import type { CallObserver } from './connectors/types.js';

/**
 * Prometheus metrics for one process (prom-client). Each replica exposes its own /metrics;
 * outbox and inbox depths are read from Postgres at scrape time, so every replica reports the
 * same cluster-wide numbers for them.
 */
export class Metrics {
  readonly registry = new Registry();

  readonly crmCalls = new Counter({
    name: 'context_layer_crm_calls_total',
    help: 'CRM API calls by provider, endpoint and HTTP status',
    labelNames: ['provider', 'endpoint', 'status'] as const,
    registers: [this.registry],
  });

  readonly crmCallSeconds = new Histogram({
    name: 'context_layer_crm_call_duration_seconds',
    help: 'CRM API call latency',
    labelNames: ['provider'] as const,
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  readonly rateLimited = new Counter({
    name: 'context_layer_crm_rate_limited_total',
    help: '429 (and concurrency-limit) answers from the CRMs',
    labelNames: ['provider'] as const,
    registers: [this.registry],
  });

  readonly rateLimitWaitSeconds = new Counter({
    name: 'context_layer_crm_rate_limit_wait_seconds_total',
    help: 'Time spent waiting for rate-limit budget or Retry-After',
    labelNames: ['provider'] as const,
    registers: [this.registry],
  });

  readonly syncRunSeconds = new Histogram({
    name: 'context_layer_sync_run_duration_seconds',
    help: 'Sync run durations by provider, stream and outcome',
    labelNames: ['provider', 'stream', 'status'] as const,
    buckets: [0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600],
    registers: [this.registry],
  });

  readonly syncRecords = new Counter({
    name: 'context_layer_sync_records_total',
    help: 'Records seen, written and deleted by sync runs',
    labelNames: ['provider', 'stream', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly webhookEvents = new Counter({
    name: 'context_layer_webhook_events_total',
    help: 'Webhook events received (stored), duplicates, processed and failed',
    labelNames: ['provider', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly graphqlSeconds = new Histogram({
    name: 'context_layer_graphql_duration_seconds',
    help: 'GraphQL operation latency by operation name',
    labelNames: ['operation'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  readonly graphqlRequests = new Counter({
    name: 'context_layer_graphql_requests_total',
    help: 'Requests to /graphql by HTTP status, including those refused before GraphQL runs (401, 400, 413)',
    labelNames: ['status'] as const,
    registers: [this.registry],
  });

  readonly graphqlExecutions = new Counter({
    name: 'context_layer_graphql_executions_total',
    help: 'GraphQL operations by executor: compiled (graphql-jit) or graphql-js (mutations, first uses, variables inside literals, failed queries, and all with GRAPHQL_COMPILED_EXECUTION=off)',
    labelNames: ['executor'] as const,
    registers: [this.registry],
  });

  constructor(db: Database) {
    collectDefaultMetrics({ register: this.registry, prefix: 'context_layer_' });
    new Gauge({
      name: 'context_layer_outbox_rows',
      help: 'Write-back outbox rows by status (DEAD = dead letters)',
      labelNames: ['status'] as const,
      registers: [this.registry],
      async collect() {
        const { rows } = await db.pool.query<{ status: string; n: number }>(`SELECT "status", count(*)::int AS n FROM "WriteBack" GROUP BY "status"`);
        this.reset();
        for (const status of ['PENDING', 'SENDING', 'DONE', 'DEAD']) this.set({ status }, rows.find((r) => r.status === status)?.n ?? 0);
      },
    });
    new Gauge({
      name: 'context_layer_webhook_inbox_rows',
      help: 'Webhook inbox rows by status',
      labelNames: ['status'] as const,
      registers: [this.registry],
      async collect() {
        const { rows } = await db.pool.query<{ status: string; n: number }>(`SELECT "status", count(*)::int AS n FROM "WebhookEvent" GROUP BY "status"`);
        this.reset();
        for (const status of ['PENDING', 'PROCESSED', 'FAILED']) this.set({ status }, rows.find((r) => r.status === status)?.n ?? 0);
      },
    });
    new Gauge({
      name: 'context_layer_db_pool_connections',
      help: 'Database pool connections: total, idle, and requests waiting for one',
      labelNames: ['state'] as const,
      registers: [this.registry],
      collect() {
        this.set({ state: 'total' }, db.pool.totalCount);
        this.set({ state: 'idle' }, db.pool.idleCount);
        this.set({ state: 'waiting' }, db.pool.waitingCount);
      },
    });
  }

  /** For connectors: counts every CRM call. */
  readonly observeCall: CallObserver = (call) => {
    this.crmCalls.inc({ provider: call.provider, endpoint: call.endpoint, status: String(call.status) });
    this.crmCallSeconds.observe({ provider: call.provider }, call.durationMs / 1000);
    if (call.status === 429) this.rateLimited.inc({ provider: call.provider });
  };

  handler(): RequestHandler {
    return async (_req, res) => {
      res.setHeader('content-type', this.registry.contentType);
      res.send(await this.registry.metrics());
    };
  }
}
