/**
 * Bearer tokens for HubSpot calls. Private-app tokens never expire. OAuth access tokens last
 * 30 minutes: we refresh a minute before expiry, and once more when HubSpot answers 401 to a
 * token we believed valid. Concurrent callers share one refresh, so each refresh is saved
 * through the CredentialsSink exactly once.
 */
import { z } from 'zod';
import { CrmError, type CredentialsSink } from '../types.js';
import type { HubspotCredentials, HubspotOAuthCredentials } from './settings.js';

/** Refresh this long before the recorded expiry, so no call races the deadline. */
const EXPIRY_MARGIN_MS = 60_000;

const tokenGrantSchema = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1).optional(),
  expires_in: z.number().positive(),
});

/** Posts the refresh form; the client supplies it so the call shares its dispatcher and retries. */
export type TokenRefresher = (form: URLSearchParams) => Promise<unknown>;

export interface TokenSource {
  /** The token to send now. */
  current(): Promise<string>;
  /** After a 401 for `rejected`: true when a new token is available to retry with. */
  renewAfterRejection(rejected: string): Promise<boolean>;
}

export function createTokenSource(credentials: HubspotCredentials, refresher: TokenRefresher, save: CredentialsSink | undefined): TokenSource {
  if (credentials.kind === 'private_app') {
    return {
      current: () => Promise.resolve(credentials.token),
      renewAfterRejection: () => Promise.resolve(false),
    };
  }
  return new OAuthTokens(credentials, refresher, save);
}

class OAuthTokens implements TokenSource {
  private state: HubspotOAuthCredentials;
  private refreshing: Promise<string> | null = null;

  constructor(
    credentials: HubspotOAuthCredentials,
    private readonly refresher: TokenRefresher,
    private readonly save: CredentialsSink | undefined,
  ) {
    this.state = { ...credentials };
  }

  async current(): Promise<string> {
    const { accessToken, expiresAt } = this.state;
    const fresh = accessToken !== undefined && expiresAt !== undefined && Date.parse(expiresAt) - EXPIRY_MARGIN_MS > Date.now();
    if (fresh) return accessToken;
    return this.refresh();
  }

  async renewAfterRejection(rejected: string): Promise<boolean> {
    // Another call may have refreshed already while this one was in flight.
    if (this.state.accessToken !== undefined && this.state.accessToken !== rejected) return true;
    const renewed = await this.refresh();
    return renewed !== rejected;
  }

  private refresh(): Promise<string> {
    this.refreshing ??= this.exchange().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  private async exchange(): Promise<string> {
    const form = new URLSearchParams({
      grant_type: 'refresh_token',
      client_id: this.state.clientId,
      client_secret: this.state.clientSecret,
      refresh_token: this.state.refreshToken,
    });
    const parsed = tokenGrantSchema.safeParse(await this.refresher(form));
    if (!parsed.success) throw new CrmError('HUBSPOT', 'protocol', 'HubSpot token endpoint answered without an access token', { origin: 'crm' });
    const grant = parsed.data;
    this.state = {
      ...this.state,
      accessToken: grant.access_token,
      refreshToken: grant.refresh_token ?? this.state.refreshToken,
      expiresAt: new Date(Date.now() + grant.expires_in * 1000).toISOString(),
    };
    // The caller encrypts and stores them; a crash after this point still has a usable refresh token.
    await this.save?.({ ...this.state });
    return grant.access_token;
  }
}
