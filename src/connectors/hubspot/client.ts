/**
 * The one way this codebase talks to HubSpot: undici over a keep-alive Agent, bearer auth
 * (private app or OAuth with refresh), the request budgets, the shared retry policy, zod on
 * every response, and one log line per call (never a token).
 */
import { Agent, errors as undiciErrors, type Dispatcher } from 'undici';
import { z } from 'zod';
import type { Logger } from '../../log.js';
import { defaultRetryClass, withRetries, type RetryClass, type RetryPolicy } from '../policy.js';
import type { CrmClock } from '../crm-clock.js';
import { CrmError, type CallObserver, type CallStats, type CredentialsSink } from '../types.js';
import { createTokenSource, type TokenSource } from './auth.js';
import { RequestBudget } from './budget.js';
import { classifyHubspotFailure, correlationIdOf } from './errors.js';
import type { HubspotCredentials, HubspotSettings } from './settings.js';

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

export interface HubspotRequest<T> {
  method: HttpMethod;
  /** Path below baseUrl, starting with "/". */
  path: string;
  query?: Record<string, string | undefined>;
  body?: unknown;
  /** Validates the response; 204 and empty bodies are parsed as undefined. */
  schema: z.ZodType<T>;
  /** Search has its own per-second budget. */
  budget?: 'general' | 'search';
  /** For the log line: how many records the response held. */
  count?: (value: T) => number;
}

export interface HubspotClientOptions {
  settings: HubspotSettings;
  credentials: HubspotCredentials;
  saveCredentials?: CredentialsSink;
  logger: Logger;
  observe?: CallObserver;
  /** Learns HubSpot's clock from each response's Date header (see CrmClock). */
  clock?: CrmClock;
}

interface RawResponse {
  status: number;
  headers: Dispatcher.ResponseData['headers'];
  text: string;
  durationMs: number;
}

class InvalidJson extends Error {}

export class HubspotClient {
  private readonly agent: Agent;
  private readonly origin: string;
  private readonly pathPrefix: string;
  private readonly general: RequestBudget;
  private readonly search: RequestBudget;
  private readonly tokens: TokenSource;
  private readonly policy: RetryPolicy;
  private readonly counters: CallStats = { apiCalls: 0, rateLimited: 0, waitedMs: 0 };

  constructor(private readonly options: HubspotClientOptions) {
    const { settings } = options;
    const base = new URL(settings.baseUrl);
    this.origin = base.origin;
    this.pathPrefix = base.pathname.replace(/\/+$/, '');
    this.agent = new Agent({
      connect: { timeout: settings.timeouts.connectMs },
      headersTimeout: settings.timeouts.headersMs,
      bodyTimeout: settings.timeouts.bodyMs,
      keepAliveTimeout: 30_000,
      connections: settings.concurrency * 2,
    });
    const onWait = (ms: number): void => {
      this.counters.waitedMs += ms;
    };
    this.general = new RequestBudget(settings.rateLimitPerTenSeconds, 10_000, settings.concurrency, onWait);
    // Search allows N per second; expressed per second so the sliding window stays short.
    this.search = new RequestBudget(settings.searchPerSecond, 1000, Math.min(settings.concurrency, 2), onWait);
    this.policy = settings.backoff;
    this.tokens = createTokenSource(options.credentials, (form) => this.exchangeToken(form), options.saveCredentials);
  }

  stats(): CallStats {
    return { ...this.counters };
  }

  async close(): Promise<void> {
    this.general.clear();
    this.search.clear();
    await this.agent.close();
  }

  async request<T>(request: HubspotRequest<T>): Promise<T> {
    const budget = request.budget === 'search' ? this.search : this.general;
    return withRetries(() => this.attempt(request, budget), {
      policy: this.policy,
      classify: retryClassOf,
      onRetry: ({ error, attempt, delayMs }) => {
        this.counters.waitedMs += delayMs;
        if (error.kind === 'rate_limited') budget.holdFor(delayMs);
        this.options.logger.warn(
          { method: request.method, path: request.path, status: error.details.status, kind: error.kind, attempt, delayMs, correlationId: error.details.correlationId },
          'hubspot call failed; retrying',
        );
      },
    });
  }

  /** One attempt, including the single token renewal a 401 earns. */
  private async attempt<T>(request: HubspotRequest<T>, budget: RequestBudget): Promise<T> {
    let token = await this.tokens.current();
    let response = await budget.run(() => this.send(request, token));
    if (response.status === 401 && (await this.tokens.renewAfterRejection(token))) {
      this.options.logger.debug(
        { method: request.method, path: request.path, status: 401, durationMs: response.durationMs, correlationId: headerValue(response.headers, 'x-hubspot-correlation-id') },
        'hubspot call rejected the access token; renewed it',
      );
      token = await this.tokens.current();
      response = await budget.run(() => this.send(request, token));
    }
    return this.interpret(request, response);
  }

  private async send(request: Pick<HubspotRequest<unknown>, 'method' | 'path' | 'query' | 'body'>, token: string): Promise<RawResponse> {
    const path = this.fullPath(request.path, request.query);
    const body = request.body === undefined ? undefined : JSON.stringify(request.body);
    return this.call(request.method, request.path, {
      origin: this.origin,
      path,
      method: request.method,
      headers: {
        authorization: `Bearer ${token}`,
        accept: 'application/json',
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body } : {}),
    });
  }

  /** Sends, counts and observes one HTTP call; network failures become CrmError 'network'. */
  private async call(method: HttpMethod, logPath: string, options: Dispatcher.RequestOptions): Promise<RawResponse> {
    const startedAt = Date.now();
    this.counters.apiCalls++;
    try {
      const res = await this.agent.request(options);
      // Before the body: the Date header is best compared with the moment the headers arrived.
      this.options.clock?.observe(res.headers['date']);
      const text = await res.body.text();
      const durationMs = Date.now() - startedAt;
      if (res.statusCode === 429) this.counters.rateLimited++;
      this.options.observe?.({ provider: 'HUBSPOT', endpoint: `${method} ${endpointTemplate(logPath)}`, status: res.statusCode, durationMs });
      if (options.path.includes('/search')) {
        // Search answers carry no rate-limit headers; they would wrongly shrink the general budget.
      } else {
        this.general.observe(rateLimitHeaders(res.headers));
      }
      return { status: res.statusCode, headers: res.headers, text, durationMs };
    } catch (error) {
      const durationMs = Date.now() - startedAt;
      this.options.observe?.({ provider: 'HUBSPOT', endpoint: `${method} ${endpointTemplate(logPath)}`, status: 'error', durationMs });
      throw networkError(error);
    }
  }

  private interpret<T>(request: HubspotRequest<T>, response: RawResponse): T {
    const { logger } = this.options;
    const correlationId = headerValue(response.headers, 'x-hubspot-correlation-id');
    if (response.status >= 200 && response.status < 300) {
      let json: unknown;
      try {
        json = parseJson(response.text);
      } catch {
        throw new CrmError('HUBSPOT', 'protocol', `HubSpot answered ${request.method} ${request.path} with a body that is not JSON`, {
          status: response.status,
          crmCode: 'INVALID_JSON',
          origin: 'crm',
          ...(correlationId ? { correlationId } : {}),
        });
      }
      const parsed = request.schema.safeParse(json);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new CrmError('HUBSPOT', 'protocol', `Unexpected HubSpot response to ${request.method} ${request.path}: ${issue ? `${issue.path.join('.')}: ${issue.message}` : 'invalid'}`, {
          status: response.status,
          crmCode: 'UNEXPECTED_SHAPE',
          origin: 'crm',
        });
      }
      const records = request.count ? request.count(parsed.data) : undefined;
      logger.debug({ method: request.method, path: request.path, status: response.status, durationMs: response.durationMs, records, correlationId }, 'hubspot call');
      return parsed.data;
    }
    let body: unknown;
    try {
      body = parseJson(response.text);
    } catch {
      body = undefined;
    }
    const failure = classifyHubspotFailure(response.status, body, headerValue(response.headers, 'retry-after'), correlationId ?? correlationIdOf(body));
    // Retries are logged at warn by the retry loop; this line records the call itself.
    logger.debug({ method: request.method, path: request.path, status: response.status, durationMs: response.durationMs, kind: failure.kind, correlationId: failure.details.correlationId }, 'hubspot call failed');
    throw failure;
  }

  /** POST {baseUrl}/oauth/v1/token, form-encoded; outside the budgets (it is not a CRM call). */
  private async exchangeToken(form: URLSearchParams): Promise<unknown> {
    return withRetries(
      async () => {
        const response = await this.call('POST', '/oauth/v1/token', {
          origin: this.origin,
          path: `${this.pathPrefix}/oauth/v1/token`,
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
          body: form.toString(),
        });
        let body: unknown;
        try {
          body = parseJson(response.text);
        } catch {
          body = undefined;
        }
        if (response.status === 200) return body;
        const failure = classifyHubspotFailure(response.status, body, headerValue(response.headers, 'retry-after'), undefined);
        // A refused refresh token is an authentication problem whatever status carried it.
        if (response.status >= 400 && response.status < 500 && response.status !== 429) {
          throw new CrmError('HUBSPOT', 'auth', `HubSpot refused the OAuth refresh: ${failure.message}`, { status: response.status, origin: 'crm' });
        }
        throw failure;
      },
      { policy: this.policy, classify: retryClassOf },
    );
  }

  private fullPath(path: string, query: Record<string, string | undefined> | undefined): string {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query ?? {})) if (value !== undefined) params.set(key, value);
    const search = params.toString();
    return `${this.pathPrefix}${path}${search ? `?${search}` : ''}`;
  }
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new InvalidJson();
  }
}

/** A truncated body (a proxy cut the response) is transient like a reset; a wrong shape is not. */
function retryClassOf(error: CrmError): RetryClass {
  if (error.kind === 'protocol' && error.details.crmCode === 'INVALID_JSON') return 'transient';
  return defaultRetryClass(error);
}

function networkError(error: unknown): CrmError {
  if (error instanceof CrmError) return error;
  const timeout =
    error instanceof undiciErrors.ConnectTimeoutError || error instanceof undiciErrors.HeadersTimeoutError || error instanceof undiciErrors.BodyTimeoutError;
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return new CrmError('HUBSPOT', 'network', timeout ? `HubSpot call timed out (${message})` : `HubSpot call failed (${message})`, { origin: 'us' });
}

function headerValue(headers: Dispatcher.ResponseData['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function rateLimitHeaders(headers: Dispatcher.ResponseData['headers']): { max?: number; remaining?: number; intervalMs?: number } {
  const num = (name: string): number | undefined => {
    const raw = headerValue(headers, name);
    const n = raw === undefined ? Number.NaN : Number(raw);
    return Number.isFinite(n) ? n : undefined;
  };
  const out: { max?: number; remaining?: number; intervalMs?: number } = {};
  const max = num('x-hubspot-ratelimit-max');
  const remaining = num('x-hubspot-ratelimit-remaining');
  const intervalMs = num('x-hubspot-ratelimit-interval-milliseconds');
  if (max !== undefined) out.max = max;
  if (remaining !== undefined) out.remaining = remaining;
  if (intervalMs !== undefined) out.intervalMs = intervalMs;
  return out;
}

/** "/crm/v3/objects/contacts/123" → "/crm/v3/objects/contacts/{id}", so metrics stay low-cardinality. */
function endpointTemplate(path: string): string {
  return path.replace(/\/\d+(?=\/|$)/g, '/{id}');
}
