/**
 * Access and refresh tokens. Tokens look like Salesforce's (`<orgId>!<opaque>`), expire after the
 * session timeout, and can be expired or refused on demand so clients' 401 handling is testable.
 */
import { randomBytes } from 'node:crypto';

export interface Session {
  accessToken: string;
  userId: string;
  clientId: string;
  issuedAt: number;
  expiresAt: number;
  /** Issued by the refresh_token grant (so "reject refreshed tokens" can target it). */
  viaRefresh: boolean;
}

export interface RefreshGrant {
  userId: string;
  clientId: string;
}

export class SessionStore {
  private readonly sessions = new Map<string, Session>();
  private readonly refreshTokens = new Map<string, RefreshGrant>();
  /** When true, tokens obtained by refreshing answer 401 like expired ones: a server that keeps refusing. */
  rejectRefreshedTokens = false;
  /** Counts refresh grants served, so tests can observe a client stuck refreshing. */
  refreshCount = 0;

  constructor(
    private readonly orgId: string,
    public ttlMs: number,
    private readonly now: () => number,
  ) {}

  issue(userId: string, clientId: string, viaRefresh: boolean): Session {
    const issuedAt = this.now();
    const session: Session = {
      accessToken: `${this.orgId}!${randomBytes(48).toString('base64url')}`,
      userId,
      clientId,
      issuedAt,
      expiresAt: issuedAt + this.ttlMs,
      viaRefresh,
    };
    this.sessions.set(session.accessToken, session);
    return session;
  }

  issueRefreshToken(grant: RefreshGrant): string {
    const token = `5Aep${randomBytes(40).toString('base64url')}`;
    this.refreshTokens.set(token, grant);
    return token;
  }

  /** Registers a refresh token chosen by the caller (options.credentials.refreshTokens). */
  addRefreshToken(token: string, grant: RefreshGrant): void {
    this.refreshTokens.set(token, grant);
  }

  redeemRefreshToken(token: string): RefreshGrant | undefined {
    const grant = this.refreshTokens.get(token);
    if (grant) this.refreshCount += 1;
    return grant;
  }

  revokeRefreshTokens(): void {
    this.refreshTokens.clear();
  }

  revoke(token: string): boolean {
    return this.sessions.delete(token) || this.refreshTokens.delete(token);
  }

  /** The live session for a bearer token, or undefined when unknown, expired or refused. */
  validate(accessToken: string): Session | undefined {
    const session = this.sessions.get(accessToken);
    if (!session) return undefined;
    if (this.now() >= session.expiresAt) {
      this.sessions.delete(accessToken);
      return undefined;
    }
    if (session.viaRefresh && this.rejectRefreshedTokens) return undefined;
    return session;
  }

  /** Ends every live session (as an admin's "expire all sessions"); refresh tokens stay valid. */
  expireAll(): number {
    const count = this.sessions.size;
    this.sessions.clear();
    return count;
  }
}
