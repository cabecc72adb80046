/**
 * POST {loginUrl}/services/oauth2/token for the three grants our connector may use: password
 * (development), refresh_token, and JWT bearer (production; no refresh token is returned).
 * Errors use the OAuth shape `{error, error_description}` with HTTP 400, as Salesforce does.
 */
import { createHmac } from 'node:crypto';
import { OAuthError } from '../errors.js';
import type { SessionStore } from './sessions.js';
import { verifyJwtAssertion } from './jwt.js';

export interface OAuthCredentials {
  username: string;
  password: string;
  clientId: string;
  clientSecret: string;
  jwtPublicKey: string;
}

export interface TokenResponseBody {
  access_token: string;
  refresh_token?: string;
  signature: string;
  scope: string;
  instance_url: string;
  id: string;
  token_type: 'Bearer';
  issued_at: string;
}

export interface TokenEndpointContext {
  credentials: OAuthCredentials;
  sessions: SessionStore;
  loginUrl: string;
  instanceUrl: string;
  orgId: string;
  /** Resolves a username to its User id, or undefined when no active user has it. */
  userIdFor(username: string): string | undefined;
  now(): number;
}

const JWT_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

function checkClient(ctx: TokenEndpointContext, params: URLSearchParams, secretRequired: boolean): void {
  if (params.get('client_id') !== ctx.credentials.clientId) throw new OAuthError(400, 'invalid_client_id', 'client identifier invalid');
  const secret = params.get('client_secret');
  if ((secretRequired || secret !== null) && secret !== ctx.credentials.clientSecret) {
    throw new OAuthError(400, 'invalid_client', 'invalid client credentials');
  }
}

function respond(ctx: TokenEndpointContext, userId: string, viaRefresh: boolean, refreshToken?: string): TokenResponseBody {
  const session = ctx.sessions.issue(userId, ctx.credentials.clientId, viaRefresh);
  const id = `${ctx.loginUrl}/id/${ctx.orgId}/${userId}`;
  const issuedAt = String(session.issuedAt);
  const body: TokenResponseBody = {
    access_token: session.accessToken,
    signature: createHmac('sha256', ctx.credentials.clientSecret).update(id + issuedAt).digest('base64'),
    scope: refreshToken ? 'refresh_token api' : 'api',
    instance_url: ctx.instanceUrl,
    id,
    token_type: 'Bearer',
    issued_at: issuedAt,
  };
  if (refreshToken) body.refresh_token = refreshToken;
  return body;
}

function audienceMatches(aud: unknown, loginUrl: string): boolean {
  const accepted = new Set([loginUrl, `${loginUrl}/`]);
  if (typeof aud === 'string') return accepted.has(aud);
  return Array.isArray(aud) && aud.some((entry) => typeof entry === 'string' && accepted.has(entry));
}

export function handleTokenRequest(ctx: TokenEndpointContext, params: URLSearchParams): TokenResponseBody {
  const grantType = params.get('grant_type');
  switch (grantType) {
    case 'password': {
      checkClient(ctx, params, true);
      const username = params.get('username') ?? '';
      const userId = ctx.userIdFor(username);
      if (!userId || username !== ctx.credentials.username || params.get('password') !== ctx.credentials.password) {
        throw new OAuthError(400, 'invalid_grant', 'authentication failure');
      }
      return respond(ctx, userId, false, ctx.sessions.issueRefreshToken({ userId, clientId: ctx.credentials.clientId }));
    }
    case 'refresh_token': {
      checkClient(ctx, params, false);
      const grant = ctx.sessions.redeemRefreshToken(params.get('refresh_token') ?? '');
      if (!grant) throw new OAuthError(400, 'invalid_grant', 'expired access/refresh token');
      return respond(ctx, grant.userId, true);
    }
    case JWT_GRANT: {
      const verified = verifyJwtAssertion(params.get('assertion') ?? '', ctx.credentials.jwtPublicKey);
      if ('reason' in verified) throw new OAuthError(400, 'invalid_grant', verified.reason);
      const { iss, sub, aud, exp } = verified.claims;
      if (iss !== ctx.credentials.clientId) throw new OAuthError(400, 'invalid_client_id', 'client identifier invalid');
      if (!audienceMatches(aud, ctx.loginUrl)) throw new OAuthError(400, 'invalid_grant', 'audience is invalid');
      if (typeof exp !== 'number' || exp * 1000 <= ctx.now()) throw new OAuthError(400, 'invalid_grant', 'expired authorization code');
      const userId = typeof sub === 'string' ? ctx.userIdFor(sub) : undefined;
      if (!userId) throw new OAuthError(400, 'invalid_grant', 'user hasn\'t approved this consumer');
      return respond(ctx, userId, false);
    }
    default:
      throw new OAuthError(400, 'unsupported_grant_type', 'grant type not supported');
  }
}
