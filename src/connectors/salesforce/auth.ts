/**
 * Salesforce sessions on one jsforce Connection: the three grants (JWT bearer, refresh token,
 * username-password), refresh on 401, persistence of new tokens, and a guard against the
 * refresh loop jsforce falls into when the server keeps refusing fresh tokens.
 *
 * jsforce retries a request after every successful refresh, with no limit. If Salesforce
 * answers 401 to the refreshed token too (revoked app, IP restriction, a misbehaving proxy),
 * it refreshes and replays forever. Our refresh function refuses to refresh a token that itself
 * came from a refresh and never worked; the request then fails as `auth`.
 */
import { createSign } from 'node:crypto';
import { Connection } from 'jsforce';
import { z } from 'zod';
import type { Logger } from '../../log.js';
import { CrmError, type CredentialsSink } from '../types.js';
import { classifyOAuthFailure } from './errors.js';
import type { SalesforceCredentials, SalesforceSettings } from './settings.js';

const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
/** Salesforce accepts assertions valid for at most 3 minutes. */
const ASSERTION_LIFETIME_S = 180;
/** A backstop against refresh storms that the "unproven token" rule would not catch. */
const MAX_REFRESHES_PER_MINUTE = 5;

const tokenResponseSchema = z.looseObject({
  access_token: z.string().min(1),
  instance_url: z.url(),
  refresh_token: z.string().min(1).optional(),
});

/** RS256 JWT for the OAuth 2.0 JWT bearer flow (RFC 7523), signed with node:crypto. */
export function signJwtBearerAssertion(input: { clientId: string; username: string; audience: string; privateKey: string; nowMs: number }): string {
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const claims = { iss: input.clientId, sub: input.username, aud: input.audience, exp: Math.floor(input.nowMs / 1000) + ASSERTION_LIFETIME_S };
  const unsigned = `${encode({ alg: 'RS256', typ: 'JWT' })}.${encode(claims)}`;
  const signature = createSign('RSA-SHA256').update(unsigned).sign(input.privateKey).toString('base64url');
  return `${unsigned}.${signature}`;
}

export interface SalesforceSessionOptions {
  credentials: SalesforceCredentials;
  settings: SalesforceSettings;
  saveCredentials?: CredentialsSink;
  logger: Logger;
  now: () => number;
}

export class SalesforceSession {
  readonly conn: Connection;
  private establishing: Promise<void> | null = null;
  /** The token the last refresh produced, until a call succeeds with it. */
  private unprovenRefreshedToken: string | null = null;
  private readonly refreshTimes: number[] = [];
  private readonly pendingSaves = new Set<Promise<void>>();

  constructor(private readonly options: SalesforceSessionOptions) {
    const { credentials, settings } = options;
    const stored = credentials.accessToken && credentials.instanceUrl;
    this.conn = new Connection({
      loginUrl: settings.loginUrl,
      version: settings.apiVersion,
      oauth2: {
        loginUrl: settings.loginUrl,
        clientId: credentials.clientId,
        ...('clientSecret' in credentials && credentials.clientSecret ? { clientSecret: credentials.clientSecret } : {}),
      },
      ...(stored ? { accessToken: credentials.accessToken, instanceUrl: credentials.instanceUrl } : {}),
      refreshFn: (_conn, callback) => {
        this.refresh().then(
          (token) => callback(null, token.access_token, token as Parameters<typeof callback>[2]),
          (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))),
        );
      },
    });
    if (stored) this.establishing = Promise.resolve();
    this.conn.on('refresh', (accessToken: string) => {
      options.logger.info({ instanceUrl: this.conn.instanceUrl }, 'salesforce session refreshed');
      this.persist({ accessToken, instanceUrl: this.conn.instanceUrl });
    });
  }

  /** Logs in unless a session exists; concurrent callers share one login. */
  async ensure(): Promise<void> {
    if (!this.establishing) {
      this.establishing = this.login().catch((error: unknown) => {
        this.establishing = null;
        throw classifyOAuthFailure(error);
      });
    }
    await this.establishing;
  }

  /** A call succeeded with this token: a refresh that produced it worked. */
  markProven(token: string | undefined): void {
    if (token && token === this.unprovenRefreshedToken) this.unprovenRefreshedToken = null;
  }

  /** Waits for token persistence started by refreshes, so callers see the stored state. */
  async flushSaves(): Promise<void> {
    while (this.pendingSaves.size) await Promise.all([...this.pendingSaves]);
  }

  private async login(): Promise<void> {
    const { credentials, settings, now, logger } = this.options;
    const started = now();
    switch (credentials.kind) {
      case 'jwt':
        await this.conn.authorize({
          grant_type: JWT_BEARER_GRANT,
          assertion: signJwtBearerAssertion({
            clientId: credentials.clientId,
            username: credentials.username,
            audience: settings.loginUrl,
            privateKey: credentials.privateKey,
            nowMs: now(),
          }),
        });
        break;
      case 'password':
        // authorize(), not login(): login() would replace our guarded refresh function with its own.
        await this.conn.authorize({ grant_type: 'password', username: credentials.username, password: credentials.password });
        break;
      case 'refresh_token': {
        const token = await this.refresh();
        this.conn.accessToken = token.access_token;
        break;
      }
    }
    if (!/^https?:\/\//.test(this.conn.instanceUrl)) {
      throw new CrmError('SALESFORCE', 'protocol', 'Salesforce login returned no instance_url', { origin: 'crm' });
    }
    logger.info({ grant: credentials.kind, instanceUrl: this.conn.instanceUrl, durationMs: now() - started }, 'salesforce session established');
    this.persist({ accessToken: this.conn.accessToken ?? undefined, instanceUrl: this.conn.instanceUrl });
  }

  /** A new access token for the configured grant; refuses when refreshing cannot help. */
  private async refresh(): Promise<z.infer<typeof tokenResponseSchema>> {
    const { credentials, settings, now } = this.options;
    const rejected = this.conn.accessToken;
    if (rejected && rejected === this.unprovenRefreshedToken) {
      throw new CrmError('SALESFORCE', 'auth', 'Salesforce rejected a freshly refreshed session; not refreshing again', { status: 401, crmCode: 'INVALID_SESSION_ID', origin: 'crm' });
    }
    const minuteAgo = now() - 60_000;
    while (this.refreshTimes.length && this.refreshTimes[0]! < minuteAgo) this.refreshTimes.shift();
    if (this.refreshTimes.length >= MAX_REFRESHES_PER_MINUTE) {
      throw new CrmError('SALESFORCE', 'auth', `Salesforce sessions keep expiring (${MAX_REFRESHES_PER_MINUTE} refreshes within a minute)`, { status: 401, origin: 'us' });
    }
    this.refreshTimes.push(now());
    let raw: unknown;
    try {
      switch (credentials.kind) {
        case 'refresh_token':
          raw = await this.conn.oauth2.refreshToken(credentials.refreshToken);
          break;
        case 'jwt':
          raw = await this.conn.oauth2.requestToken({
            grant_type: JWT_BEARER_GRANT,
            assertion: signJwtBearerAssertion({ clientId: credentials.clientId, username: credentials.username, audience: settings.loginUrl, privateKey: credentials.privateKey, nowMs: now() }),
          });
          break;
        case 'password':
          raw = await this.conn.oauth2.requestToken({ grant_type: 'password', username: credentials.username, password: credentials.password });
          break;
      }
    } catch (error) {
      throw classifyOAuthFailure(error);
    }
    const token = tokenResponseSchema.safeParse(raw);
    if (!token.success) throw new CrmError('SALESFORCE', 'protocol', 'Salesforce token response lacks access_token or instance_url', { origin: 'crm' });
    this.conn.instanceUrl = token.data.instance_url;
    this.unprovenRefreshedToken = token.data.access_token;
    if (token.data.refresh_token && credentials.kind === 'refresh_token' && token.data.refresh_token !== credentials.refreshToken) {
      // Orgs with refresh-token rotation hand out a new one; losing it would lock us out.
      this.persist({ refreshToken: token.data.refresh_token });
    }
    return token.data;
  }

  private persist(update: Record<string, string | undefined>): void {
    const save = this.options.saveCredentials;
    if (!save) return;
    const clean = Object.fromEntries(Object.entries(update).filter(([, v]) => v !== undefined));
    const pending: Promise<void> = save(clean)
      .catch((error: unknown) => this.options.logger.error({ err: error }, 'could not persist refreshed Salesforce credentials'))
      .finally(() => this.pendingSaves.delete(pending));
    this.pendingSaves.add(pending);
  }
}
