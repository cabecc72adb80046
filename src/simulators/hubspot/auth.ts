/**
 * Bearer-token checks and the OAuth refresh flow. Private-app tokens never expire; OAuth
 * access tokens expire after their TTL (or when a test or fault expires them), which is
 * what the connector's "401 → refresh once" path must handle.
 */
import { randomBytes } from 'node:crypto';
import { hubspotError, type HubspotError } from './errors.js';

export interface OAuthAppOptions {
  clientId: string;
  clientSecret: string;
  refreshTokens: string[];
  /** Access-token lifetime; HubSpot's is 30 minutes. */
  accessTokenTtlMs?: number;
}

export interface AuthOptions {
  privateAppTokens?: string[];
  oauth?: OAuthAppOptions;
}

export const DEFAULT_PRIVATE_APP_TOKEN = 'pat-na1-simulator-token';

interface AccessToken {
  expiresAt: number;
  refreshToken: string;
}

export type TokenGrant = { access_token: string; refresh_token: string; expires_in: number; token_type: 'bearer' };

export class HubspotAuth {
  private privateTokens: Set<string>;
  private accessTokens = new Map<string, AccessToken>();
  readonly oauth: OAuthAppOptions | undefined;

  constructor(options: AuthOptions = {}) {
    this.privateTokens = new Set(options.privateAppTokens ?? [DEFAULT_PRIVATE_APP_TOKEN]);
    this.oauth = options.oauth;
  }

  /** undefined when the request may proceed. */
  check(authorization: string | undefined, now = Date.now()): HubspotError | undefined {
    const token = authorization?.startsWith('Bearer ') ? authorization.slice(7).trim() : undefined;
    if (!token) {
      return hubspotError(401, 'INVALID_AUTHENTICATION', 'Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview');
    }
    if (this.privateTokens.has(token)) return undefined;
    const access = this.accessTokens.get(token);
    if (!access) return hubspotError(401, 'INVALID_AUTHENTICATION', 'The OAuth token used to make this call is not valid.');
    if (access.expiresAt <= now) return expired(now - access.expiresAt);
    return undefined;
  }

  /** POST /oauth/v1/token with grant_type=refresh_token. */
  refresh(form: URLSearchParams, now = Date.now()): { ok: true; grant: TokenGrant } | { ok: false; status: number; body: Record<string, string> } {
    const oauth = this.oauth;
    if (!oauth) return { ok: false, status: 400, body: { status: 'BAD_CLIENT_ID', message: 'OAuth is not configured on this account' } };
    if (form.get('grant_type') !== 'refresh_token') {
      return { ok: false, status: 400, body: { status: 'UNSUPPORTED_GRANT_TYPE', message: `unsupported grant type: ${form.get('grant_type') ?? ''}` } };
    }
    if (form.get('client_id') !== oauth.clientId) return { ok: false, status: 400, body: { status: 'BAD_CLIENT_ID', message: 'missing or invalid client_id' } };
    if (form.get('client_secret') !== oauth.clientSecret) return { ok: false, status: 400, body: { status: 'BAD_CLIENT_SECRET', message: 'missing or invalid client_secret' } };
    const refreshToken = form.get('refresh_token') ?? '';
    if (!oauth.refreshTokens.includes(refreshToken)) {
      return { ok: false, status: 400, body: { status: 'BAD_REFRESH_TOKEN', message: 'missing or unknown refresh token' } };
    }
    const ttl = oauth.accessTokenTtlMs ?? 1_800_000;
    const accessToken = `sim-at-${randomBytes(16).toString('hex')}`;
    this.accessTokens.set(accessToken, { expiresAt: now + ttl, refreshToken });
    // HubSpot refresh tokens do not rotate: the same one comes back.
    return { ok: true, grant: { access_token: accessToken, refresh_token: refreshToken, expires_in: Math.round(ttl / 1000), token_type: 'bearer' } };
  }

  /** Expires one OAuth token (the one presented) or all of them. */
  expire(authorization?: string, now = Date.now()): void {
    const token = authorization?.startsWith('Bearer ') ? authorization.slice(7).trim() : undefined;
    for (const [key, access] of this.accessTokens) {
      if (token === undefined || key === token) access.expiresAt = Math.min(access.expiresAt, now);
    }
  }
}

export function expired(agoMs: number): HubspotError {
  const minutes = Math.max(0, Math.floor(agoMs / 60_000));
  return hubspotError(401, 'EXPIRED_AUTHENTICATION', `The OAuth token used to make this call expired ${minutes} minute(s) ago.`);
}
