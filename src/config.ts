import cron from 'node-cron';
import { z } from 'zod';

/**
 * Every environment variable the server reads, in one schema, parsed once at start-up.
 * Nothing else in the code reads process.env.
 */
const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const postgresUrl = z
  .string()
  .regex(/^postgres(ql)?:\/\/.+/, 'a postgres:// or postgresql:// connection URL');

const secretKey = z
  .string()
  .refine((v) => decodeKey(v) !== null, '32 bytes as 64 hex characters or base64 (openssl rand -hex 32)');

const port = z.coerce.number({ error: 'a port number from 0 to 65535' }).int().min(0).max(65535);

const envSchema = z.object({
  DATABASE_URL: postgresUrl.optional(),
  /** Connections per process; the API, syncs (one each, for their lock), webhooks and the worker share them. */
  DATABASE_POOL_SIZE: z.coerce.number().int().min(4).max(200).default(10),
  DATA_DIR: z.string().min(1).default('.data'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: port.default(4000),
  /** The externally visible base URL (behind a proxy); HubSpot signs the full URI it called. */
  PUBLIC_URL: z.url({ error: 'an absolute URL such as https://context.example.com' }).optional(),
  WEBHOOK_MAX_BYTES: z.coerce.number().int().positive().default(1_000_000),
  LOG_LEVEL: z.enum(logLevels).default('info'),
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  SECRET_KEY: secretKey.optional(),
  EMBEDDED_PG_PORT: port.default(0),
  DEMO: z.enum(['auto', 'on', 'off']).default('auto'),
  SYNC_CRON: z
    .string()
    .refine((v) => cron.validate(v), 'a cron expression such as "*/10 * * * *"')
    .default('*/10 * * * *'),
  FULL_RESYNC_HOURS: z.coerce.number().positive().default(24),
  /** Connections syncing at once per process; each run holds a pooled connection for its lock. */
  SYNC_CONCURRENCY: z.coerce.number().int().min(1).max(50).default(3),
  STALE_AFTER_HOURS: z.coerce.number().positive().default(24),
  SCORE_REVIEW_THRESHOLD: z.coerce.number().int().min(0).max(100).default(20),
  GRAPHQL_MAX_DEPTH: z.coerce.number().int().positive().default(10),
  GRAPHQL_MAX_COMPLEXITY: z.coerce.number().int().positive().default(5000),
  /** Queries run compiled by graphql-jit from their second use (on), or all operations by graphql-js (off, the escape hatch). */
  GRAPHQL_COMPILED_EXECUTION: z.enum(['on', 'off']).default('on'),
  /** How long a verified API key is trusted without asking the database again (0 = every request); also how long a revocation takes to bite. */
  API_KEY_CACHE_SECONDS: z.coerce.number().int().min(0).max(300).default(10),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
});

/** The embedded PostgreSQL's 100 connections, less room for the CLI, a worker and psql. */
const MAX_EMBEDDED_POOL_SIZE = 80;

/** Pooled connections kept free of syncs. */
const RESERVED_POOL_CONNECTIONS = 3;

const SECRET_VARIABLES = new Set(['DATABASE_URL', 'SECRET_KEY']);

export type Config = z.infer<typeof envSchema>;

/** Every variable the schema reads, for the README's configuration table (kept in step by a test). */
export const CONFIG_VARIABLES = Object.keys(envSchema.shape);

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses the environment; throws ConfigError naming each bad variable and what it expects. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // An empty variable means "unset", as in most twelve-factor tooling.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(present);
  if (parsed.success) {
    const { data } = parsed;
    if (data.NODE_ENV === 'production' && !data.SECRET_KEY) {
      throw new ConfigError(['SECRET_KEY: required when NODE_ENV=production (32 bytes, e.g. openssl rand -hex 32)']);
    }
    if (!data.DATABASE_URL && data.DATABASE_POOL_SIZE > MAX_EMBEDDED_POOL_SIZE) {
      throw new ConfigError([
        `DATABASE_POOL_SIZE: at most ${MAX_EMBEDDED_POOL_SIZE} with the embedded PostgreSQL, which allows 100 connections for every process using it; set DATABASE_URL for a larger pool (got ${data.DATABASE_POOL_SIZE})`,
      ]);
    }
    // Syncs must leave connections for the API, the webhook inbox and the write-back worker.
    if (data.SYNC_CONCURRENCY > data.DATABASE_POOL_SIZE - RESERVED_POOL_CONNECTIONS) {
      throw new ConfigError([
        `SYNC_CONCURRENCY: at most DATABASE_POOL_SIZE - ${RESERVED_POOL_CONNECTIONS} (${data.DATABASE_POOL_SIZE - RESERVED_POOL_CONNECTIONS}), so syncs leave connections for the API, webhooks and the worker (got ${data.SYNC_CONCURRENCY})`,
      ]);
    }
    return data;
  }
  throw new ConfigError(
    parsed.error.issues.map((issue) => {
      const name = issue.path.join('.');
      // Never echo a secret back: a connection URL carries a password.
      const shown = SECRET_VARIABLES.has(name) ? '' : ` (got ${JSON.stringify(present[name])})`;
      return `${name}: ${issue.message}${shown}`;
    }),
  );
}

/** 32-byte keys as hex or base64; null when the text is neither. */
export function decodeKey(text: string): Buffer | null {
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, 'hex');
  const b64 = Buffer.from(text, 'base64');
  return b64.length === 32 && /^[A-Za-z0-9+/_-]+=*$/.test(text) ? b64 : null;
}
