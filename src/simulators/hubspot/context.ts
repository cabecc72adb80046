/**
 * What every route handler gets: the request, its parsed URL and path parameters, the
 * simulator's state, and reply helpers that attach the rate-limit headers decided upstream.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import type { FaultInjector } from '../shared/faults.js';
import { BodyTooLargeError, InvalidJsonError, readJsonBody, sendJson } from '../shared/http.js';
import type { RequestLog } from '../shared/request-log.js';
import type { HubspotAuth } from './auth.js';
import { sendHubspotError, validation, type HubspotError } from './errors.js';
import type { HubspotLimits } from './limits.js';
import type { HubspotStore } from './store.js';
import type { WebhookDispatcher } from './webhooks.js';

export interface SimulatorState {
  store: HubspotStore;
  limits: HubspotLimits;
  auth: HubspotAuth;
  faults: FaultInjector;
  requests: RequestLog;
  webhooks: WebhookDispatcher;
  /** Records written less than this long ago are not yet visible to search. */
  searchLagMs: number;
  /** Whether API writes (not only control-API "UI" edits) produce webhook events. */
  webhooksForApiWrites: boolean;
  /** How far the clock in the API's Date headers runs ahead of this machine's (negative: behind). */
  clockOffsetMs: number;
}

export class RequestContext {
  /** Headers every reply carries (rate-limit headers for the general API). */
  headers: Record<string, string> = {};

  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    readonly url: URL,
    readonly params: string[],
    readonly sim: SimulatorState,
  ) {}

  param(index: number): string {
    return decodeURIComponent(this.params[index] ?? '');
  }

  json(status: number, body: unknown): void {
    sendJson(this.res, status, body, this.headers);
  }

  /** A body already serialized (the list endpoint assembles cached record JSON). */
  rawJson(status: number, text: string): void {
    this.res.writeHead(status, { 'content-type': 'application/json;charset=utf-8', 'content-length': Buffer.byteLength(text), ...this.headers });
    this.res.end(text);
  }

  error(error: HubspotError): void {
    sendHubspotError(this.res, error, this.headers);
  }

  /** Reads and validates a JSON body; on failure it has already answered 400 and returns undefined. */
  async body<T extends z.ZodType>(schema: T): Promise<z.infer<T> | undefined> {
    let raw: unknown;
    try {
      raw = await readJsonBody(this.req);
    } catch (error) {
      if (error instanceof BodyTooLargeError) this.error({ ...validation(error.message), status: 413 });
      else if (error instanceof InvalidJsonError) this.error(validation(`Invalid input JSON: ${error.detail}`));
      else throw error;
      return undefined;
    }
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      this.error(validation(`Invalid input JSON: ${issue ? `${issue.path.join('.') || 'body'}: ${issue.message}` : 'malformed body'}`));
      return undefined;
    }
    return parsed.data;
  }

  /** `properties=a,b&properties=c` → [a, b, c]; null when absent. */
  listParam(name: string): string[] | null {
    const values = this.url.searchParams.getAll(name);
    if (values.length === 0) return null;
    return values.flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v.length > 0);
  }
}

export type Handler = (ctx: RequestContext) => Promise<void> | void;

export interface Route {
  method: string;
  pattern: RegExp;
  handler: Handler;
  /** Search is limited separately and answers without rate-limit headers. */
  limit: 'general' | 'search' | 'none';
  /** OAuth token exchange needs no bearer token. */
  auth: boolean;
}

export function route(method: string, pattern: RegExp, handler: Handler, options: Partial<Pick<Route, 'limit' | 'auth'>> = {}): Route {
  return { method, pattern, handler, limit: options.limit ?? 'general', auth: options.auth ?? true };
}
