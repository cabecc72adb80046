/**
 * One simulated Salesforce org: metadata, records, sessions, limits, CDC and faults, wired
 * together. The HTTP layer and the control API both work on this object.
 */
import { FaultInjector } from '../shared/faults.js';
import { RequestLog } from '../shared/request-log.js';
import type { OrgServices, OrgSettings } from './api-types.js';
import { SessionStore } from './auth/sessions.js';
import { generateJwtKeyPair } from './auth/jwt.js';
import type { OAuthCredentials } from './auth/token-endpoint.js';
import { CdcPublisher, type CdcTarget } from './cdc.js';
import { createToolingServices, type ToolingServices } from './custom-fields.js';
import { ApiLimits } from './limits.js';
import { QueryService } from './query-service.js';
import type { SchemaRegistry } from './schema.js';
import { createStandardSchema } from './standard-objects.js';
import { RecordStore } from './store.js';

export interface SalesforceCredentials extends OAuthCredentials {
  /** Present when the simulator generated the JWT key pair itself: sign assertions with it. */
  jwtPrivateKey?: string;
  /** Extra refresh tokens accepted from the start (e.g. stored in a test database). */
  refreshTokens: string[];
}

export interface OrgOptions {
  pageSize?: number;
  dailyLimit?: number;
  concurrencyLimit?: number;
  sessionTtlMs?: number;
  credentials?: Partial<SalesforceCredentials>;
  cdc?: CdcTarget;
  faultSeed?: number;
  now?: () => number;
}

export const DEFAULT_CREDENTIALS = {
  username: 'integration@context-layer.test',
  password: 'simulator-password',
  clientId: '3MVG9simulatorConsumerKey',
  clientSecret: 'simulator-consumer-secret',
} as const;

export class SalesforceOrg implements OrgServices {
  readonly orgId: string;
  readonly schema: SchemaRegistry;
  readonly store: RecordStore;
  readonly queries: QueryService;
  readonly limits: ApiLimits;
  readonly settings: OrgSettings;
  readonly tooling: ToolingServices;
  readonly sessions: SessionStore;
  readonly cdc: CdcPublisher;
  readonly faults: FaultInjector;
  readonly requests = new RequestLog();
  readonly credentials: SalesforceCredentials;
  /** World key → record id for the seeded world; tests use it to find "the same person". */
  idsByKey = new Map<string, string>();
  integrationUserId = '';

  constructor(options: OrgOptions = {}) {
    const now = options.now ?? Date.now;
    this.store = new RecordStore(now);
    this.orgId = this.store.ids.next('00D');
    this.schema = createStandardSchema();
    this.queries = new QueryService(this);
    this.limits = new ApiLimits(options.dailyLimit ?? 100_000, options.concurrencyLimit ?? 25);
    this.settings = { pageSize: options.pageSize ?? 2000, toolingAccess: true, clockOffsetMs: 0, readOnlyObjects: new Set() };
    this.tooling = createToolingServices(now);
    this.sessions = new SessionStore(this.orgId, options.sessionTtlMs ?? 2 * 60 * 60_000, now);
    this.cdc = new CdcPublisher(options.cdc ?? null);
    this.faults = new FaultInjector(options.faultSeed ?? 1);
    const given = options.credentials ?? {};
    const generated = given.jwtPublicKey ? undefined : generateJwtKeyPair();
    this.credentials = {
      ...DEFAULT_CREDENTIALS,
      ...given,
      jwtPublicKey: given.jwtPublicKey ?? (generated?.publicKey as string),
      refreshTokens: given.refreshTokens ?? [],
    };
    if (generated) this.credentials.jwtPrivateKey = generated.privateKey;
    this.store.onChange((changes) => this.cdc.publish(changes));
  }

  /** The active User with this username, if any. */
  userIdFor(username: string): string | undefined {
    const wanted = username.toLowerCase();
    for (const user of this.store.table('User').values()) {
      if (user.IsDeleted !== true && user.IsActive === true && String(user.Username).toLowerCase() === wanted) return String(user.Id);
    }
    return undefined;
  }
}
