import { createHash, randomBytes } from 'node:crypto';
import type pg from 'pg';
import type { PrismaClient } from '../generated/prisma/client.js';
import { isScope, type Scope } from './scopes.js';

/**
 * API keys look like clk_<32 base64url characters> (192 random bits). Only their SHA-256 is
 * stored: a fast hash is right here because the key is random and long, unlike a password.
 * The prefix (the first 12 characters) is kept in clear so a listing can identify a key.
 */
const KEY_PREFIX = 'clk_';
const SHOWN_PREFIX_LENGTH = 12;
const KEY_PATTERN = /^clk_[A-Za-z0-9_-]{32}$/;

export interface ApiKeyPrincipal {
  id: string;
  name: string;
  scopes: string[];
}

export interface CreatedApiKey {
  id: string;
  /** The key itself: shown once, never stored. */
  key: string;
  prefix: string;
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export function generateApiKey(): string {
  return `${KEY_PREFIX}${randomBytes(24).toString('base64url')}`;
}

export class InvalidScopeError extends Error {
  constructor(readonly scope: string) {
    super(`unknown scope "${scope}"`);
    this.name = 'InvalidScopeError';
  }
}

export async function createApiKey(
  prisma: PrismaClient,
  input: { name: string; scopes: readonly string[] },
): Promise<CreatedApiKey> {
  const unknown = input.scopes.find((s) => !isScope(s));
  if (unknown !== undefined) throw new InvalidScopeError(unknown);
  if (!input.name.trim()) throw new Error('an API key needs a name');
  const key = generateApiKey();
  const prefix = key.slice(0, SHOWN_PREFIX_LENGTH);
  const scopes = [...new Set(input.scopes)] as Scope[];
  const row = await prisma.apiKey.create({ data: { name: input.name.trim(), prefix, hash: hashApiKey(key), scopes } });
  return { id: row.id, key, prefix };
}

interface PrincipalRow {
  id: string;
  name: string;
  scopes: string[];
}

/**
 * Finds the live key in ONE statement, and records lastUsedAt at most once a minute so that
 * a busy client does not turn every read into a write.
 */
const VERIFY_SQL = `
WITH found AS (
  SELECT id, name, scopes, "lastUsedAt" FROM "ApiKey" WHERE hash = $1 AND "revokedAt" IS NULL
), touched AS (
  UPDATE "ApiKey" SET "lastUsedAt" = now()
  WHERE id IN (SELECT id FROM found WHERE "lastUsedAt" IS NULL OR "lastUsedAt" < now() - interval '1 minute')
)
SELECT id, name, scopes FROM found`;

/** The key's principal, or null when the key is malformed, unknown or revoked. */
export async function verifyApiKey(pool: pg.Pool, key: string): Promise<ApiKeyPrincipal | null> {
  if (!KEY_PATTERN.test(key)) return null;
  const { rows } = await pool.query<PrincipalRow>(VERIFY_SQL, [hashApiKey(key)]);
  const row = rows[0];
  return row ? { id: row.id, name: row.name, scopes: row.scopes } : null;
}

export type ApiKeyVerifier = (key: string) => Promise<ApiKeyPrincipal | null>;

/**
 * verifyApiKey with a short in-process memory of keys found valid. On the hot path this saves
 * one round trip per request (half the statements of a context packet); the price is that a
 * revoked key keeps working on this replica for up to `cacheMs`, never longer. Unknown keys
 * are never remembered, so a new key works at once.
 *
 * A key in use is verified again in the background once half its time is up, while requests
 * go on using the remembered answer, so a busy client does not wait for its key: otherwise every
 * request in flight at expiry waits for the one verification, which itself queues behind
 * their store reads. Requests that miss at the same moment share one verification.
 */
export function createApiKeyVerifier(
  pool: pg.Pool,
  cacheMs: number,
  options: {
    /** Milliseconds on a clock that never steps back (wall-clock steps must not stretch an entry). */
    clock?: () => number;
    /** A background verification failed; the entry still expires on time. */
    onRefreshError?: (error: unknown) => void;
  } = {},
): ApiKeyVerifier {
  const { clock = () => performance.now(), onRefreshError } = options;
  const verified = new Map<string, { principal: ApiKeyPrincipal; until: number; refreshAt: number }>();
  const verifying = new Map<string, Promise<ApiKeyPrincipal | null>>();
  const MAX_ENTRIES = 10_000;
  const REFRESH_RETRY_MS = 1_000;
  const verifyAndRemember = (key: string) => {
    let pending = verifying.get(key);
    if (pending) return pending;
    pending = (async () => {
      try {
        const checkedAt = clock();
        const principal = await verifyApiKey(pool, key);
        verified.delete(key);
        if (principal) {
          // Re-inserted, so the Map's order is least recently verified first.
          if (verified.size >= MAX_ENTRIES) verified.delete(verified.keys().next().value!);
          verified.set(key, { principal, until: checkedAt + cacheMs, refreshAt: checkedAt + cacheMs / 2 });
        }
        return principal;
      } finally {
        verifying.delete(key);
      }
    })();
    verifying.set(key, pending);
    return pending;
  };
  return async (key) => {
    if (cacheMs <= 0) return verifyApiKey(pool, key);
    const now = clock();
    const hit = verified.get(key);
    if (!hit || hit.until <= now) return verifyAndRemember(key);
    // A failed refresh changes nothing: the entry still expires on time, and the next
    // request after that verifies in the foreground and sees the error.
    if (hit.refreshAt <= now) {
      verifyAndRemember(key).catch((error: unknown) => {
        // Not again for a second: during an outage every request would start one (and warn).
        hit.refreshAt = clock() + REFRESH_RETRY_MS;
        onRefreshError?.(error);
      });
    }
    return hit.principal;
  };
}

export interface ApiKeyListing {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

export async function listApiKeys(prisma: PrismaClient): Promise<ApiKeyListing[]> {
  return prisma.apiKey.findMany({
    orderBy: { createdAt: 'asc' },
    select: { id: true, name: true, prefix: true, scopes: true, createdAt: true, lastUsedAt: true, revokedAt: true },
  });
}

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type RevokeResult =
  | { kind: 'revoked'; key: ApiKeyListing }
  | { kind: 'already-revoked'; key: ApiKeyListing }
  | { kind: 'not-found' }
  | { kind: 'ambiguous'; matches: number };

/** Revokes one key by id or by its shown prefix (which must match exactly one key). */
export async function revokeApiKey(prisma: PrismaClient, idOrPrefix: string): Promise<RevokeResult> {
  const matches = await prisma.apiKey.findMany({
    where: UUID_PATTERN.test(idOrPrefix) ? { id: idOrPrefix } : { prefix: idOrPrefix },
  });
  const [match] = matches;
  if (!match) return { kind: 'not-found' };
  if (matches.length > 1) return { kind: 'ambiguous', matches: matches.length };
  if (match.revokedAt) return { kind: 'already-revoked', key: match };
  const key = await prisma.apiKey.update({ where: { id: match.id }, data: { revokedAt: new Date() } });
  return { kind: 'revoked', key };
}
