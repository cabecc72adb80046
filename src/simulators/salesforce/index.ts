/**
 * Simulated Salesforce org for tests, the demo and benchmarks: OAuth on a login host, the REST API
 * (query, sObjects, composite, collections, describe, replication, Tooling CustomField) on a
 * separate instance host, with limits, faults, CDC webhooks and a control API.
 *
 *   const sf = await startSalesforceSimulator({ seed: 7, contacts: 200 });
 *   const conn = new jsforce.Connection({ oauth2: { loginUrl: sf.loginUrl, clientId, clientSecret }, version: '61.0' });
 *   await conn.login(sf.credentials.username, sf.credentials.password);
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FaultInjector } from '../shared/faults.js';
import type { RequestLog } from '../shared/request-log.js';
import type { World } from '../world/types.js';
import type { CdcTarget } from './cdc.js';
import { SalesforceControl } from './control.js';
import { sendError, serve, type ServerContext } from './http-server.js';
import { SalesforceOrg, type OrgOptions, type SalesforceCredentials } from './org.js';

export interface SalesforceSimulatorOptions extends OrgOptions {
  host?: string;
  /** 0 (default) picks a free port. */
  loginPort?: number;
  instancePort?: number;
  /** Shorthand for the standalone CLI: the login port; the instance listens on port + 1. */
  port?: number;
  /** Seeds the org from this world… */
  world?: World;
  /** …or generates one (defaults: seed 1, 50 contacts). `contacts: 0` starts an empty org. */
  seed?: number;
  contacts?: number;
  /** Restricts the served API versions (e.g. ['61.0']); by default any vXX.X is served. */
  apiVersions?: string[];
  cdc?: CdcTarget;
}

export interface SalesforceSimulator {
  /** The login URL (what clients configure); same as loginUrl. */
  url: string;
  loginUrl: string;
  instanceUrl: string;
  orgId: string;
  credentials: SalesforceCredentials;
  control: SalesforceControl;
  /** The org itself (schema, store, sessions, limits) for white-box assertions. */
  org: SalesforceOrg;
  faults: FaultInjector;
  requests: RequestLog;
  close(): Promise<void>;
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

export async function startSalesforceSimulator(options: SalesforceSimulatorOptions = {}): Promise<SalesforceSimulator> {
  const host = options.host ?? '127.0.0.1';
  const org = new SalesforceOrg(options);
  const control = new SalesforceControl(org);
  const contacts = options.contacts ?? 50;
  if (options.world) control.seed(options.world);
  else if (contacts > 0) control.seed({ seed: options.seed ?? 1, contacts });
  else control.seed({ seed: options.seed ?? 1, owners: [], companies: [], people: [], deals: [], activities: [] });

  const ctx: ServerContext = { org, control, loginUrl: '', instanceUrl: '', apiVersions: options.apiVersions ? new Set(options.apiVersions) : null };
  const handler = (which: 'login' | 'instance') => (req: Parameters<typeof serve>[2], res: Parameters<typeof serve>[3]) => {
    serve(ctx, which, req, res).catch((error: unknown) => sendError(ctx, res, error));
  };
  const loginServer = createServer({ keepAlive: true }, handler('login'));
  const instanceServer = createServer({ keepAlive: true }, handler('instance'));
  const wantedLoginPort = options.loginPort ?? options.port ?? 0;
  const loginPort = await listen(loginServer, wantedLoginPort, host);
  const instancePort = await listen(instanceServer, options.instancePort ?? (wantedLoginPort > 0 ? wantedLoginPort + 1 : 0), host);
  ctx.loginUrl = `http://${host}:${loginPort}`;
  ctx.instanceUrl = `http://${host}:${instancePort}`;

  return {
    url: ctx.loginUrl,
    loginUrl: ctx.loginUrl,
    instanceUrl: ctx.instanceUrl,
    orgId: org.orgId,
    credentials: org.credentials,
    control,
    org,
    faults: org.faults,
    requests: org.requests,
    async close() {
      await org.cdc.flush();
      await Promise.all([closeServer(loginServer), closeServer(instanceServer)]);
    },
  };
}

export { SalesforceControl } from './control.js';
export { SalesforceOrg, DEFAULT_CREDENTIALS, type SalesforceCredentials } from './org.js';
export { generateJwtKeyPair, signJwtAssertion, type JwtKeyPair } from './auth/jwt.js';
export { signPayload as signCdcPayload, type CdcEvent, type CdcTarget } from './cdc.js';
export { parseSoql } from './soql/parser.js';
