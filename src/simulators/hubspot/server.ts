/**
 * The HubSpot simulator's HTTP server (plain node:http, for speed). Every CRM call goes
 * through the same pipeline as on api.hubapi.com: faults (ours), authentication, rate
 * limits, then the handler; the request log records what the client saw.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { applyFault, FaultInjector, type FaultResponders } from '../shared/faults.js';
import { sendJson } from '../shared/http.js';
import { RequestLog } from '../shared/request-log.js';
import type { World } from '../world/types.js';
import { expired, HubspotAuth, type AuthOptions } from './auth.js';
import { RequestContext, type Route, type SimulatorState } from './context.js';
import { HubspotControl } from './control.js';
import { controlRoutes } from './control-routes.js';
import { hubspotError, sendHubspotError } from './errors.js';
import { HubspotLimits, rateLimitBody, type RateLimitOptions } from './limits.js';
import { associationRoutes } from './routes/associations.js';
import { batchRoutes } from './routes/batch.js';
import { metaRoutes } from './routes/meta.js';
import { objectRoutes } from './routes/objects.js';
import { searchRoutes } from './routes/search.js';
import { HubspotStore } from './store.js';
import { WebhookDispatcher, type WebhookOptions } from './webhooks.js';

export interface HubspotSimulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** Seed a generated world of this many people (only those with inHubspot become contacts). */
  seed?: number;
  contacts?: number;
  now?: Date;
  /** Or seed an explicit world. */
  world?: World;
  /** false lifts the limits (benchmarks). */
  rateLimit?: RateLimitOptions | false;
  searchPerSecond?: number;
  searchLagMs?: number;
  auth?: AuthOptions;
  webhook?: WebhookOptions;
  /** Emit webhooks for API writes too (HubSpot does; off by default so write-back tests stay quiet). */
  webhooksForApiWrites?: boolean;
  /** Seed for probabilistic fault rules. */
  faultSeed?: number;
  requestLogSize?: number;
}

export interface HubspotSimulator {
  /** Base URL, e.g. http://127.0.0.1:41234; point basePath / the connector here. */
  url: string;
  port: number;
  control: HubspotControl;
  store: HubspotStore;
  faults: FaultInjector;
  requests: RequestLog;
  webhooks: WebhookDispatcher;
  limits: HubspotLimits;
  close(): Promise<void>;
}

const UNLIMITED = Number.MAX_SAFE_INTEGER;

export async function startHubspotSimulator(options: HubspotSimulatorOptions = {}): Promise<HubspotSimulator> {
  const limitOptions: RateLimitOptions = options.rateLimit === false ? { perTenSeconds: UNLIMITED, daily: UNLIMITED } : (options.rateLimit ?? {});
  const sim: SimulatorState = {
    store: new HubspotStore(),
    limits: new HubspotLimits(limitOptions, options.rateLimit === false ? UNLIMITED : (options.searchPerSecond ?? 5)),
    auth: new HubspotAuth(options.auth),
    faults: new FaultInjector(options.faultSeed ?? 1),
    requests: new RequestLog(options.requestLogSize ?? 2000),
    webhooks: new WebhookDispatcher(),
    searchLagMs: options.searchLagMs ?? 0,
    webhooksForApiWrites: options.webhooksForApiWrites ?? false,
    clockOffsetMs: 0,
  };
  if (options.webhook) sim.webhooks.configure(options.webhook);
  const control = new HubspotControl(sim);
  if (options.world) control.seed(options.world);
  else if (options.contacts !== undefined) control.seed({ seed: options.seed ?? 1, contacts: options.contacts, ...(options.now ? { now: options.now } : {}) });

  // Specific paths before the generic /objects/{type}/{id} ones.
  const apiRoutes: Route[] = [...searchRoutes, ...batchRoutes, ...objectRoutes, ...associationRoutes, ...metaRoutes];
  const ctlRoutes = controlRoutes(control);

  const server = createServer((req, res) => {
    handle(sim, apiRoutes, ctlRoutes, req, res).catch((error: unknown) => {
      if (!res.headersSent) {
        sendHubspotError(res, hubspotError(500, 'INTERNAL_ERROR', `Simulator error: ${error instanceof Error ? error.message : String(error)}`));
      } else {
        res.destroy();
      }
    });
  });
  // Clients keep connections alive; the simulator must not be the one that drops them mid-test.
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${options.host ?? '127.0.0.1'}:${port}`;

  return {
    url,
    port,
    control,
    store: sim.store,
    faults: sim.faults,
    requests: sim.requests,
    webhooks: sim.webhooks,
    limits: sim.limits,
    close: async () => {
      sim.webhooks.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function findRoute(routes: Route[], method: string, path: string): { route: Route; params: string[] } | undefined {
  for (const candidate of routes) {
    if (candidate.method !== method) continue;
    const match = candidate.pattern.exec(path);
    if (match) return { route: candidate, params: match.slice(1) };
  }
  return undefined;
}

async function handle(sim: SimulatorState, apiRoutes: Route[], ctlRoutes: Route[], req: IncomingMessage, res: ServerResponse): Promise<void> {
  const method = req.method ?? 'GET';
  const url = new URL(req.url ?? '/', `http://${req.headers.host ?? '127.0.0.1'}`);
  const path = url.pathname;

  if (path.startsWith('/_control/')) {
    const found = findRoute(ctlRoutes, method, path);
    if (!found) sendJson(res, 404, { status: 'error', message: `No control route ${method} ${path}` });
    else await found.route.handler(new RequestContext(req, res, url, found.params, sim));
    return;
  }

  const startedAt = Date.now();
  res.setHeader('date', new Date(startedAt + sim.clockOffsetMs).toUTCString());
  const logged = { done: false };
  const log = (status: number): void => {
    if (logged.done) return;
    logged.done = true;
    sim.requests.push({ method, path: req.url ?? path, status, at: startedAt, durationMs: Date.now() - startedAt });
  };
  res.once('finish', () => log(res.statusCode));
  // A reset fault closes the socket without a response: logged as status 0.
  res.once('close', () => log(res.writableFinished ? res.statusCode : 0));

  const rule = sim.faults.next(method, path);
  if (rule && (await applyFault(rule, res, faultResponders(sim, req)))) return;

  const found = findRoute(apiRoutes, method, path);
  if (!found) {
    sendHubspotError(res, hubspotError(404, 'OBJECT_NOT_FOUND', `No route for ${method} ${path}`));
    return;
  }
  const { route } = found;
  if (route.auth) {
    const authError = sim.auth.check(req.headers.authorization);
    if (authError) {
      sendHubspotError(res, authError);
      return;
    }
  }
  const ctx = new RequestContext(req, res, url, found.params, sim);
  if (route.limit !== 'none') {
    const decision = route.limit === 'search' ? sim.limits.checkSearch() : sim.limits.checkGeneral();
    if (!decision.allowed) {
      sendJson(res, 429, rateLimitBody(decision.policy, crypto.randomUUID()), decision.headers);
      return;
    }
    ctx.headers = decision.headers;
  }
  await route.handler(ctx);
}

function faultResponders(sim: SimulatorState, req: IncomingMessage): FaultResponders {
  return {
    status: (res, status) =>
      sendHubspotError(
        res,
        hubspotError(status, status >= 500 ? (status === 500 ? 'INTERNAL_ERROR' : 'SERVICE_UNAVAILABLE') : 'VALIDATION_ERROR', status >= 500 ? 'internal error' : `Injected ${status}`),
      ),
    rateLimit: (res, rule) =>
      sendJson(res, 429, rateLimitBody('TEN_SECONDLY_ROLLING', crypto.randomUUID()), {
        // An unlimited simulator has no window to report: "0 of 2^53 left" would be nonsense.
        ...(sim.limits.perWindow < UNLIMITED ? { 'X-HubSpot-RateLimit-Max': String(sim.limits.perWindow), 'X-HubSpot-RateLimit-Remaining': '0' } : {}),
        'X-HubSpot-RateLimit-Interval-Milliseconds': '10000',
        ...(rule.retryAfterSeconds !== undefined ? { 'Retry-After': String(rule.retryAfterSeconds) } : {}),
      }),
    expireToken: (res) => {
      // The token presented is now expired for good, so a refresh is the only way forward.
      sim.auth.expire(req.headers.authorization);
      sendHubspotError(res, expired(0));
    },
  };
}
