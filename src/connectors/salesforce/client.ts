/**
 * The one way this codebase talks to Salesforce: jsforce's Connection (session, refresh on 401,
 * instance_url) with our policy around it: the daily budget, a concurrency cap, the shared retry
 * policy, zod on every response, counters for SyncRun, the call observer, and one log line per
 * call (never a token).
 *
 * Every REST call goes through conn.request with a transport of our own that sees each HTTP
 * exchange: jsforce's errors drop the status code, and its fetch layer would silently retry
 * 5xx answers five times, hiding them from our counters and doubling our own retries.
 */
import PQueue from 'p-queue';
import type { Connection } from 'jsforce';
import { z } from 'zod';
import type { Logger } from '../../log.js';
import type { CrmClock } from '../crm-clock.js';
import { defaultRetryClass, withRetries, type RetryPolicy } from '../policy.js';
import { CrmError, type CallObserver, type CallStats, type CredentialsSink } from '../types.js';
import { SalesforceSession } from './auth.js';
import { classifySalesforceFailure, type ObservedResponse } from './errors.js';
import { DailyBudget, parseLimitInfo, type ApiUsage } from './limits.js';
import type { SalesforceCredentials, SalesforceSettings } from './settings.js';

type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';
type JsforceTransport = Connection['_transport'];
type TransportRequest = Parameters<JsforceTransport['httpRequest']>[0];
type TransportOptions = NonNullable<Parameters<JsforceTransport['httpRequest']>[1]>;

export interface SalesforceRequest<T> {
  method: HttpMethod;
  /** Below /services/data/vXX.X ("/query?q=…") or a full "/services/…" path (nextRecordsUrl). */
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
  schema: z.ZodType<T>;
  /** For the log line: how many records the response held. */
  count?: (value: T) => number;
  /**
   * False for calls that must not be repeated after an ambiguous failure (a 5xx or a dropped
   * connection may come after Salesforce created the records): only limit answers, which mean
   * "not processed", are retried.
   */
  idempotent?: boolean;
}

export interface SalesforceClientOptions {
  settings: SalesforceSettings;
  credentials: SalesforceCredentials;
  saveCredentials?: CredentialsSink;
  logger: Logger;
  observe?: CallObserver;
  now?: () => number;
  /** Learns the org's clock from each response's Date header (see CrmClock). */
  clock?: CrmClock;
}

export const rawRecordSchema = z.looseObject({
  attributes: z.looseObject({ type: z.string() }).optional(),
});

export const queryPageSchema = z.looseObject({
  totalSize: z.number().int().nonnegative(),
  done: z.boolean(),
  nextRecordsUrl: z.string().startsWith('/services/').optional(),
  records: z.array(rawRecordSchema),
});
export type QueryPage = z.infer<typeof queryPageSchema>;

export class SalesforceClient {
  readonly session: SalesforceSession;
  private readonly queue: PQueue;
  private readonly budget: DailyBudget;
  private readonly policy: RetryPolicy;
  private readonly counters: CallStats = { apiCalls: 0, rateLimited: 0, waitedMs: 0 };
  private readonly now: () => number;

  constructor(private readonly options: SalesforceClientOptions) {
    const { settings } = options;
    this.now = options.now ?? Date.now;
    this.session = new SalesforceSession({ ...options, now: this.now });
    this.queue = new PQueue({ concurrency: settings.maxConcurrency });
    this.budget = new DailyBudget(settings.dailyBudgetFraction, settings.limitResetEstimateMs, this.now);
    this.policy = settings.backoff;
  }

  stats(): CallStats {
    return { ...this.counters };
  }

  /** The org's daily usage as last reported (Sforce-Limit-Info), and our share of it. */
  apiUsage(): (ApiUsage & { allowance: number }) | undefined {
    const usage = this.budget.lastUsage;
    return usage ? { ...usage, allowance: this.budget.allowance(usage.limit) } : undefined;
  }

  async close(): Promise<void> {
    this.queue.clear();
    await this.queue.onIdle();
    await this.session.flushSaves();
  }

  async request<T>(request: SalesforceRequest<T>): Promise<T> {
    return withRetries(() => this.attempt(request), {
      policy: this.policy,
      classify: (error) => (request.idempotent === false && error.kind !== 'rate_limited' ? 'none' : defaultRetryClass(error)),
      onRetry: ({ error, attempt, delayMs }) => {
        this.counters.waitedMs += delayMs;
        this.options.logger.warn(
          { method: request.method, path: pathOnly(request.path), status: error.details.status, kind: error.kind, crmCode: error.details.crmCode, attempt, delayMs },
          'salesforce call failed; retrying',
        );
      },
    });
  }

  /** One SOQL page; `all` uses queryAll so deleted rows (IsDeleted = true) come back too. */
  async query(soql: string, options: { all: boolean; batchSize?: number }): Promise<QueryPage> {
    return this.request({
      method: 'GET',
      path: `/${options.all ? 'queryAll' : 'query'}?q=${encodeURIComponent(soql)}`,
      headers: options.batchSize ? { 'Sforce-Query-Options': `batchSize=${options.batchSize}` } : {},
      schema: queryPageSchema,
      count: (page) => page.records.length,
    });
  }

  async queryMore(nextRecordsUrl: string): Promise<QueryPage> {
    return this.request({ method: 'GET', path: nextRecordsUrl, schema: queryPageSchema, count: (page) => page.records.length });
  }

  /** Every row of a (small) query, following nextRecordsUrl. */
  async queryEverything(soql: string, options: { all: boolean }): Promise<QueryPage['records']> {
    let page = await this.query(soql, options);
    const records = [...page.records];
    while (!page.done && page.nextRecordsUrl) {
      page = await this.queryMore(page.nextRecordsUrl);
      records.push(...page.records);
    }
    return records;
  }

  private async attempt<T>(request: SalesforceRequest<T>): Promise<T> {
    await this.session.ensure();
    this.budget.check();
    const enqueuedAt = this.now();
    return this.queue.add(
      async () => {
        const waited = this.now() - enqueuedAt;
        if (waited > 0) this.counters.waitedMs += waited;
        // The budget may have been spent while this call waited for its slot.
        this.budget.check();
        return this.send(request);
      },
    );
  }

  private async send<T>(request: SalesforceRequest<T>): Promise<T> {
    const { conn } = this.session;
    const exchanges: ObservedResponse[] = [];
    const started = this.now();
    const body = request.body === undefined ? undefined : JSON.stringify(request.body);
    let result: unknown;
    try {
      result = await conn.request(
        {
          method: request.method,
          url: request.path,
          headers: { accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...request.headers },
          ...(body !== undefined ? { body } : {}),
        },
        {
          transport: this.observingTransport(request, exchanges),
          // Our retry policy decides; jsforce's fetch layer must not retry behind our back.
          retry: { maxRetries: 0 },
          timeout: this.options.settings.requestTimeoutMs,
        },
      );
    } catch (error) {
      const failure = classifySalesforceFailure(error, exchanges.at(-1), { resumeAt: () => this.budget.resumeAt() });
      if (failure.kind === 'limit_exhausted' && failure.details.origin === 'crm') this.budget.block();
      if (failure.kind === 'rate_limited' || (failure.kind === 'limit_exhausted' && failure.details.origin === 'crm')) this.counters.rateLimited++;
      this.options.logger.debug(
        { method: request.method, path: pathOnly(request.path), status: failure.details.status, kind: failure.kind, crmCode: failure.details.crmCode, durationMs: this.now() - started, exchanges: exchanges.length },
        'salesforce call failed',
      );
      throw failure;
    } finally {
      await this.session.flushSaves();
    }
    const parsed = request.schema.safeParse(result);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new CrmError('SALESFORCE', 'protocol', `Unexpected Salesforce response to ${request.method} ${pathOnly(request.path)}: ${issue ? `${issue.path.join('.')}: ${issue.message}` : 'invalid'}`, {
        status: exchanges.at(-1)?.status,
        crmCode: 'UNEXPECTED_SHAPE',
        origin: 'crm',
      });
    }
    this.options.logger.debug(
      {
        method: request.method,
        path: pathOnly(request.path),
        ...soqlSummary(request.path),
        status: exchanges.at(-1)?.status,
        durationMs: this.now() - started,
        records: request.count?.(parsed.data),
        exchanges: exchanges.length,
      },
      'salesforce call',
    );
    return parsed.data;
  }

  /**
   * jsforce's own transport, watched: counts and observes every HTTP exchange (the replay after
   * a refresh included), reads Sforce-Limit-Info, and tells the session which tokens work.
   */
  private observingTransport(request: { method: HttpMethod }, exchanges: ObservedResponse[]): Pick<JsforceTransport, 'httpRequest'> {
    const inner = this.session.conn._transport;
    return {
      httpRequest: (req: TransportRequest, options?: TransportOptions) => {
        const started = this.now();
        this.counters.apiCalls++;
        const endpoint = `${request.method} ${endpointTemplate(req.url)}`;
        const pending = inner.httpRequest(req, options);
        pending.then(
          (res) => {
            const durationMs = this.now() - started;
            exchanges.push({ status: res.statusCode });
            this.options.clock?.observe(res.headers['date']);
            this.options.observe?.({ provider: 'SALESFORCE', endpoint, status: res.statusCode, durationMs });
            const usage = parseLimitInfo(res.headers['sforce-limit-info']);
            if (usage) this.budget.observe(usage);
            if (res.statusCode < 400) this.session.markProven(bearerOf(req));
          },
          () => this.options.observe?.({ provider: 'SALESFORCE', endpoint, status: 'error', durationMs: this.now() - started }),
        );
        return pending;
      },
    };
  }
}

function bearerOf(req: TransportRequest): string | undefined {
  const header = req.headers?.Authorization ?? req.headers?.authorization;
  return header?.replace(/^Bearer\s+/i, '');
}

function pathOnly(path: string): string {
  const q = path.indexOf('?');
  return q === -1 ? path : path.slice(0, q);
}

/** The object a logged query reads, so a log line says what was fetched without the whole SOQL. */
function soqlSummary(path: string): { from?: string } {
  const q = /[?&]q=([^&]+)/.exec(path);
  if (!q?.[1]) return {};
  const from = /\bFROM\s+(\w+)/i.exec(decodeURIComponent(q[1]));
  return from?.[1] ? { from: from[1] } : {};
}

/** ".../v61.0/sobjects/Contact/003…/" → "/sobjects/Contact/{id}", so metrics stay low-cardinality. */
export function endpointTemplate(url: string): string {
  const path = pathOnly(url.replace(/^https?:\/\/[^/]+/, '')).replace(/^\/services\/data\/v\d+\.\d/, '');
  return path
    .replace(/\/(query|queryAll)\/[^/]+$/, '/$1/{locator}')
    .replace(/\/[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?(?=\/|$)/g, (segment) => (/\d/.test(segment) ? '/{id}' : segment));
}
