import { readFileSync } from 'node:fs';
import { hubspotCredentialsSchema, hubspotSettingsSchema } from '../connectors/hubspot/index.js';
import { salesforceCredentialsSchema, salesforceSettingsSchema } from '../connectors/salesforce/index.js';
import type { Provider } from '../connectors/types.js';
import { createConnection } from '../connections/repository.js';
import { stringOption, UsageError, type Command, type ParsedArgs } from './command.js';

/** Credentials and settings from flags, validated by the connector's own schemas. */
function hubspotInput(args: ParsedArgs) {
  const token = stringOption(args, 'token');
  const refreshToken = stringOption(args, 'refresh-token');
  const credentials = token
    ? { kind: 'private_app', token }
    : { kind: 'oauth', clientId: stringOption(args, 'client-id'), clientSecret: stringOption(args, 'client-secret'), refreshToken };
  if (!token && !refreshToken) throw new UsageError('hubspot needs --token (private app) or --client-id, --client-secret and --refresh-token (OAuth)');
  const parsedCredentials = hubspotCredentialsSchema.safeParse(credentials);
  if (!parsedCredentials.success) throw new UsageError(`invalid HubSpot credentials: ${parsedCredentials.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`);
  const settings: Record<string, unknown> = {};
  const baseUrl = stringOption(args, 'base-url');
  if (baseUrl) settings.baseUrl = baseUrl;
  const limit = stringOption(args, 'rate-limit');
  if (limit) settings.rateLimitPerTenSeconds = Number(limit);
  const parsedSettings = hubspotSettingsSchema.safeParse(settings);
  if (!parsedSettings.success) throw new UsageError(`invalid HubSpot settings: ${parsedSettings.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`);
  const webhookSecret = stringOption(args, 'webhook-secret');
  const portalId = stringOption(args, 'portal-id');
  return {
    credentials: parsedCredentials.data as Record<string, unknown>,
    settings: { ...settings, ...(webhookSecret ? { webhookSecret } : {}), ...(portalId ? { portalId } : {}), ...cronSetting(args) },
  };
}

function cronSetting(args: ParsedArgs): Record<string, string> {
  const syncCron = stringOption(args, 'sync-cron');
  return syncCron ? { syncCron } : {};
}

export const connectionsCommand: Command = {
  name: 'connections',
  summary: 'Add and list CRM connections (credentials are stored encrypted)',
  help: `Usage: context-layer connections list
       context-layer connections add hubspot --name NAME (--token TOKEN | --client-id ID --client-secret SECRET --refresh-token TOKEN) [options]
       context-layer connections add salesforce --name NAME --client-id ID (--private-key-file KEY.pem --username U | --refresh-token T | --username U --password P --client-secret S) [options]

Credentials are validated, then sealed with SECRET_KEY (AES-256-GCM) before they are stored;
they are never printed or logged.

HubSpot options:
  --token TOKEN            private-app access token
  --client-id, --client-secret, --refresh-token   OAuth app credentials (tokens refresh before expiry)
  --webhook-secret SECRET  the app's client secret, to verify webhook signatures (OAuth apps use --client-secret)
  --portal-id ID           the HubSpot account id, to route webhook events
  --rate-limit N           the account's limit per 10 s (default 190; we budget 80% of it)
  --base-url URL           API base (default https://api.hubapi.com; a simulator in tests)
  --sync-cron EXPR         this connection's sync schedule (default SYNC_CRON)

Salesforce options:
  --flow jwt|refresh_token|password   the OAuth grant (inferred from the other flags)
  --client-id ID           the connected app's consumer key
  --private-key-file FILE  JWT bearer: the PEM key of the app's certificate (with --username)
  --refresh-token TOKEN    refresh-token grant (with --client-secret for confidential apps)
  --username, --password, --client-secret   username-password grant (development orgs only)
  --login-url URL          https://login.salesforce.com (default), https://test.salesforce.com for sandboxes
  --api-version V          pinned REST API version (default 61.0)
  --webhook-secret SECRET  shared secret of the change-event relay (see README)
  --sync-cron EXPR         this connection's sync schedule (default SYNC_CRON)

Examples:
  context-layer connections add salesforce --name prod-sf --client-id 3MVG9... --private-key-file server.key --username integration@acme.com
  context-layer connections add hubspot --name prod-hubspot --token pat-na1-... --portal-id 123456
  context-layer connections list`,
  options: {
    name: { type: 'string' },
    token: { type: 'string' },
    'client-id': { type: 'string' },
    'client-secret': { type: 'string' },
    'refresh-token': { type: 'string' },
    'webhook-secret': { type: 'string' },
    'portal-id': { type: 'string' },
    'rate-limit': { type: 'string' },
    'base-url': { type: 'string' },
    'sync-cron': { type: 'string' },
    flow: { type: 'string' },
    username: { type: 'string' },
    password: { type: 'string' },
    'private-key-file': { type: 'string' },
    'login-url': { type: 'string' },
    'api-version': { type: 'string' },
  },
  async run(args, ctx) {
    const [action, providerName] = args.positionals;
    if (action === 'list') {
      const runtime = await ctx.openRuntime();
      try {
        const rows = await runtime.db.prisma.connection.findMany({ orderBy: { createdAt: 'asc' } });
        if (!rows.length) ctx.print('No connections. Add one with: context-layer connections add hubspot --help');
        for (const c of rows) {
          const paused = c.pausedUntil && c.pausedUntil > new Date() ? ` (paused until ${c.pausedUntil.toISOString()})` : '';
          ctx.print(`${c.name}\t${c.provider}\t${c.status}${paused}\t${c.id}${c.statusReason ? `\t${c.statusReason}` : ''}`);
        }
        return 0;
      } finally {
        await runtime.close();
      }
    }
    if (action !== 'add') throw new UsageError('expected "list" or "add <provider>"');
    const name = stringOption(args, 'name');
    if (!name) throw new UsageError('--name is required');
    const provider = ({ hubspot: 'HUBSPOT', salesforce: 'SALESFORCE' } as const)[providerName as 'hubspot' | 'salesforce'] as Provider | undefined;
    if (!provider) throw new UsageError('expected a provider: hubspot or salesforce');
    const input = provider === 'HUBSPOT' ? hubspotInput(args) : salesforceInput(args);
    const runtime = await ctx.openRuntime();
    try {
      if (await runtime.db.prisma.connection.findUnique({ where: { name } })) throw new UsageError(`a connection named "${name}" already exists`);
      const connection = await createConnection(runtime.db, runtime.secrets, { provider, name, ...input });
      ctx.print(`Added ${provider} connection "${name}" (${connection.id}). Sync it with: context-layer sync ${name}`);
      return 0;
    } finally {
      await runtime.close();
    }
  },
};

/** The three Salesforce grants: JWT bearer (servers), refresh token (a user's grant), password (dev orgs). */
function salesforceInput(args: ParsedArgs) {
  const flow = stringOption(args, 'flow') ?? (stringOption(args, 'private-key-file') ? 'jwt' : stringOption(args, 'refresh-token') ? 'refresh_token' : 'password');
  const keyFile = stringOption(args, 'private-key-file');
  let privateKey: string | undefined;
  if (keyFile) {
    try {
      privateKey = readFileSync(keyFile, 'utf8');
    } catch {
      throw new UsageError(`cannot read --private-key-file ${keyFile}`);
    }
  }
  const credentials = {
    kind: flow,
    clientId: stringOption(args, 'client-id'),
    clientSecret: stringOption(args, 'client-secret'),
    username: stringOption(args, 'username'),
    password: stringOption(args, 'password'),
    refreshToken: stringOption(args, 'refresh-token'),
    privateKey,
  };
  const parsedCredentials = salesforceCredentialsSchema.safeParse(credentials);
  if (!parsedCredentials.success) throw new UsageError(`invalid Salesforce credentials (${flow}): ${parsedCredentials.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`);
  const settings: Record<string, unknown> = {};
  const loginUrl = stringOption(args, 'login-url');
  if (loginUrl) settings.loginUrl = loginUrl;
  const apiVersion = stringOption(args, 'api-version');
  if (apiVersion) settings.apiVersion = apiVersion;
  const parsedSettings = salesforceSettingsSchema.safeParse(settings);
  if (!parsedSettings.success) throw new UsageError(`invalid Salesforce settings: ${parsedSettings.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`);
  const webhookSecret = stringOption(args, 'webhook-secret');
  return {
    credentials: parsedCredentials.data as Record<string, unknown>,
    settings: { ...settings, ...(webhookSecret ? { webhookSecret } : {}), ...cronSetting(args) },
  };
}
