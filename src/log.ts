import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger };

/**
 * Secrets never reach logs. Keys with these names are censored at any of the first levels of
 * a logged object, and bearer tokens or key-looking strings inside messages are masked.
 */
const SECRET_KEYS = [
  'authorization',
  'Authorization',
  'token',
  'accessToken',
  'access_token',
  'refreshToken',
  'refresh_token',
  'clientSecret',
  'client_secret',
  'password',
  'apiKey',
  'secret',
  'secretKey',
  'signature',
  'credentials',
  'assertion',
  'cookie',
];

/** Header names with dashes need bracket paths. */
const SECRET_HEADERS = ['x-hubspot-signature-v3', 'x-hubspot-signature', 'x-context-layer-signature'];

const REDACT_PATHS = [
  ...SECRET_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`, `*.*.*.${k}`]),
  ...SECRET_HEADERS.flatMap((h) => [`headers["${h}"]`, `*.headers["${h}"]`, `*.*.headers["${h}"]`]),
];

const SECRET_PATTERNS: RegExp[] = [
  /(Bearer\s+)[A-Za-z0-9._~+/=-]+/gi,
  /((?:access_token|refresh_token|client_secret|password|assertion|hapikey|api_key)=)[^&\s"]+/gi,
  /("(?:access_token|refresh_token|client_secret|accessToken|refreshToken|clientSecret|password|token|apiKey|assertion)"\s*:\s*")[^"]+/g,
  /(postgres(?:ql)?:\/\/[^:/\s]+:)[^@\s]+(@)/gi,
  /\b(clk_)[A-Za-z0-9_-]{8,}/g,
];

/** Masks secrets inside free text (error messages, URLs) before they are logged. */
export function scrubSecrets(text: string): string {
  return SECRET_PATTERNS.reduce((acc, re) => acc.replace(re, (_m, head: string, tail?: string) => `${head}[REDACTED]${typeof tail === 'string' ? tail : ''}`), text);
}

export interface LoggerOptions {
  level: string;
  pretty?: boolean;
  destination?: DestinationStream;
}

export function createLogger(options: LoggerOptions): Logger {
  const base = {
    level: options.level,
    redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
    hooks: {
      logMethod(this: Logger, args: unknown[], method: (...a: unknown[]) => void) {
        const scrubbed = args.map((a) => (typeof a === 'string' ? scrubSecrets(a) : a));
        // logger.error(err) makes err.message the line's msg, past the serializer: scrub it here.
        if (scrubbed[0] instanceof Error && typeof scrubbed[1] !== 'string') scrubbed.splice(1, 0, scrubSecrets(scrubbed[0].message));
        method.apply(this, scrubbed);
      },
    },
    serializers: {
      err: (err: unknown) => {
        const serialized = pino.stdSerializers.err(err as Error);
        return { ...serialized, message: scrubSecrets(serialized.message ?? ''), stack: scrubSecrets(serialized.stack ?? '') };
      },
    },
  };
  if (options.destination) return pino(base, options.destination);
  if (options.pretty) return pino({ ...base, transport: { target: 'pino-pretty', options: { colorize: true } } });
  return pino(base);
}
