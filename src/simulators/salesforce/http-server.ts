/**
 * The two listeners of a simulated org. The login host serves OAuth and identity; the instance
 * host (a different port, like a My Domain) serves the REST API. A client that ignores
 * `instance_url` and calls the API on the login host gets 404, as it would in production.
 *
 * Per API request: faults → authentication → limits (daily, concurrent) → injected latency →
 * route. Every response carries Sforce-Limit-Info; every error has Salesforce's array shape.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { applyFault, type FaultResponders, type FaultRule } from '../shared/faults.js';
import { BodyTooLargeError, InvalidJsonError, readFormBody, readJsonBody } from '../shared/http.js';
import type { ApiRequest, ApiResponse } from './api-types.js';
import { routeApi } from './api-router.js';
import { handleTokenRequest } from './auth/token-endpoint.js';
import type { Session } from './auth/sessions.js';
import { OAuthError, SalesforceApiError, invalidSession, notFound, type SalesforceErrorItem } from './errors.js';
import type { SalesforceOrg } from './org.js';
import { handleControl } from './control-routes.js';
import type { SalesforceControl } from './control.js';

export interface ServerContext {
  org: SalesforceOrg;
  control: SalesforceControl;
  loginUrl: string;
  instanceUrl: string;
  /** When set, only these API versions are served (others answer 404). */
  apiVersions: ReadonlySet<string> | null;
}

const JSON_TYPE = 'application/json;charset=UTF-8';
const VERSIONED = /^\/services\/data\/v(\d+\.\d)(\/.*)?$/;

function send(res: ServerResponse, status: number, body: string | null, headers: Record<string, string> = {}): void {
  if (body === null) {
    res.writeHead(status, headers);
    res.end();
    return;
  }
  res.writeHead(status, { 'content-type': JSON_TYPE, 'content-length': String(Buffer.byteLength(body)), ...headers });
  res.end(body);
}

function sendErrors(res: ServerResponse, status: number, errors: SalesforceErrorItem[], headers: Record<string, string> = {}): void {
  send(res, status, JSON.stringify(errors), headers);
}

function responders(ctx: ServerContext, token: string | null): FaultResponders {
  return {
    status(res, status) {
      const errorCode = status === 503 ? 'SERVER_UNAVAILABLE' : 'UNKNOWN_EXCEPTION';
      const message = status === 503 ? 'Server temporarily unavailable, please retry.' : 'An unexpected error occurred. Please include this ErrorId if you contact support: 1234567890-12345 (-123456789)';
      sendErrors(res, status, [{ errorCode, message }]);
    },
    rateLimit(res) {
      sendErrors(res, 403, [{ errorCode: 'REQUEST_LIMIT_EXCEEDED', message: 'TotalRequests Limit exceeded.' }], { 'sforce-limit-info': ctx.org.limits.header() });
    },
    expireToken(res) {
      if (token) ctx.org.sessions.revoke(token);
      sendErrors(res, 401, invalidSession().toBody());
    },
  };
}

function bearerToken(req: IncomingMessage): string | null {
  const header = req.headers.authorization;
  if (!header) return null;
  const match = /^(?:Bearer|OAuth)\s+(.+)$/i.exec(header);
  return match ? (match[1] as string).trim() : null;
}

function splitUrl(rawUrl: string): { path: string; query: URLSearchParams; search: string } {
  const q = rawUrl.indexOf('?');
  const search = q === -1 ? '' : rawUrl.slice(q + 1);
  return { path: q === -1 ? rawUrl : rawUrl.slice(0, q), query: new URLSearchParams(search), search };
}

async function readApiBody(req: IncomingMessage): Promise<unknown> {
  if (req.method === 'GET' || req.method === 'HEAD') return undefined;
  return readJsonBody(req);
}

/** Serves one request on either listener. */
export async function serve(ctx: ServerContext, host: 'login' | 'instance', req: IncomingMessage, res: ServerResponse): Promise<void> {
  const rawUrl = req.url ?? '/';
  const { path, query } = splitUrl(rawUrl);
  if (path.startsWith('/_control/')) {
    await handleControl(ctx, req, res, path, query);
    return;
  }
  const started = Date.now();
  res.setHeader('date', new Date(started + ctx.org.settings.clockOffsetMs).toUTCString());
  res.on('close', () => {
    ctx.org.requests.push({ method: req.method ?? 'GET', path: rawUrl, status: res.headersSent ? res.statusCode : 0, at: started, durationMs: Date.now() - started });
  });
  const token = bearerToken(req);
  const rule: FaultRule | undefined = ctx.org.faults.next(req.method ?? 'GET', path);
  if (rule && rule.kind !== 'latency' && (await applyFault(rule, res, responders(ctx, token)))) return;
  try {
    if (path === '/services/oauth2/token' && req.method === 'POST') {
      if (rule) await applyFault(rule, res, responders(ctx, token));
      const { org } = ctx;
      const body = handleTokenRequest(
        {
          credentials: org.credentials,
          sessions: org.sessions,
          loginUrl: ctx.loginUrl,
          instanceUrl: ctx.instanceUrl,
          orgId: org.orgId,
          userIdFor: (username) => org.userIdFor(username),
          now: org.store.now,
        },
        await readFormBody(req),
      );
      send(res, 200, JSON.stringify(body));
      return;
    }
    if (path === '/services/oauth2/revoke' && req.method === 'POST') {
      ctx.org.sessions.revoke((await readFormBody(req)).get('token') ?? '');
      send(res, 200, null);
      return;
    }
    if (host === 'login' && path.startsWith('/id/')) {
      serveIdentity(ctx, token ?? query.get('oauth_token'), res);
      return;
    }
    if (host === 'instance' && (path === '/services/data' || path === '/services/data/')) {
      send(res, 200, JSON.stringify(['58.0', '59.0', '60.0', '61.0', '62.0'].map((version) => ({ label: 'Simulated', url: `/services/data/v${version}`, version }))));
      return;
    }
    const match = host === 'instance' ? VERSIONED.exec(path) : null;
    if (!match || (ctx.apiVersions && !ctx.apiVersions.has(match[1] as string))) throw notFound();
    const session = token ? ctx.org.sessions.validate(token) : undefined;
    if (!session) throw invalidSession();
    await serveApi(ctx, req, res, { apiVersion: match[1] as string, rest: match[2] ?? '', query, session, latency: rule });
  } catch (error) {
    sendError(ctx, res, error);
  }
}

async function serveApi(
  ctx: ServerContext,
  req: IncomingMessage,
  res: ServerResponse,
  call: { apiVersion: string; rest: string; query: URLSearchParams; session: Session; latency: FaultRule | undefined },
): Promise<void> {
  ctx.org.limits.admit();
  try {
    if (call.latency) await applyFault(call.latency, res, responders(ctx, null));
    const request: ApiRequest = {
      method: req.method ?? 'GET',
      segments: call.rest.split('/').filter(Boolean).map(decodeURIComponent),
      query: call.query,
      headers: req.headers,
      body: await readApiBody(req),
      apiVersion: call.apiVersion,
      session: call.session,
    };
    writeApiResponse(ctx, res, routeApi(ctx.org, request));
  } finally {
    ctx.org.limits.release();
  }
}

function writeApiResponse(ctx: ServerContext, res: ServerResponse, response: ApiResponse): void {
  const headers = { 'sforce-limit-info': ctx.org.limits.header(), ...response.headers };
  if (response.rawJson !== undefined) send(res, response.status, response.rawJson, headers);
  else if (response.body === undefined || response.status === 204) send(res, response.status, null, headers);
  else send(res, response.status, JSON.stringify(response.body), headers);
}

function serveIdentity(ctx: ServerContext, token: string | null, res: ServerResponse): void {
  const session = token ? ctx.org.sessions.validate(token) : undefined;
  if (!session) {
    send(res, 403, JSON.stringify('Bad_OAuth_Token'));
    return;
  }
  const user = ctx.org.store.get('User', session.userId);
  send(res, 200, JSON.stringify({
    id: `${ctx.loginUrl}/id/${ctx.org.orgId}/${session.userId}`,
    user_id: session.userId,
    organization_id: ctx.org.orgId,
    username: user?.Username ?? null,
    email: user?.Email ?? null,
    display_name: user?.Name ?? null,
    active: true,
    urls: { rest: `${ctx.instanceUrl}/services/data/v{version}/`, query: `${ctx.instanceUrl}/services/data/v{version}/query/` },
  }));
}

export function sendError(ctx: ServerContext, res: ServerResponse, error: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const headers = { 'sforce-limit-info': ctx.org.limits.header() };
  if (error instanceof SalesforceApiError) sendErrors(res, error.status, error.toBody(), headers);
  else if (error instanceof OAuthError) send(res, error.status, JSON.stringify(error.toBody()));
  else if (error instanceof InvalidJsonError) sendErrors(res, 400, [{ errorCode: 'JSON_PARSER_ERROR', message: error.message }], headers);
  else if (error instanceof BodyTooLargeError) sendErrors(res, 413, [{ errorCode: 'REQUEST_ENTITY_TOO_LARGE', message: error.message }], headers);
  else sendErrors(res, 500, [{ errorCode: 'UNKNOWN_EXCEPTION', message: error instanceof Error ? error.message : String(error) }], headers);
}
