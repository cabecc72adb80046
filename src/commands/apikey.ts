import { createApiKey, InvalidScopeError, listApiKeys, revokeApiKey, type ApiKeyListing } from '../auth/api-keys.js';
import { SCOPES } from '../auth/scopes.js';
import { stringOption, UsageError, type Command } from './command.js';

const HELP = `Usage:
  context-layer apikey create --name NAME --scopes SCOPE[,SCOPE...]
  context-layer apikey list
  context-layer apikey revoke <id|prefix>

API keys authenticate GraphQL clients (Authorization: Bearer clk_...). Only a hash is stored:
'create' prints the key once; copy it then.

Scopes: ${SCOPES.join(', ')} (admin implies all).

Examples:
  context-layer apikey create --name sequencer --scopes contacts:read
  context-layer apikey create --name scorer --scopes context:read,scores:write
  context-layer apikey revoke clk_AbCdEfGh`;

function describe(key: ApiKeyListing): string {
  const state = key.revokedAt ? `revoked ${key.revokedAt.toISOString()}` : 'active';
  const used = key.lastUsedAt ? key.lastUsedAt.toISOString() : 'never';
  return `${key.id}  ${key.prefix}…  ${key.name}  [${key.scopes.join(',')}]  ${state}  last used ${used}`;
}

export const apikeyCommand: Command = {
  name: 'apikey',
  summary: 'Create, list and revoke API keys for the GraphQL API',
  help: HELP,
  options: {
    name: { type: 'string' },
    scopes: { type: 'string' },
  },
  async run(args, ctx) {
    const [action, target, ...extra] = args.positionals;
    if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}"`);
    if (action !== 'create' && action !== 'list' && action !== 'revoke') {
      throw new UsageError(action ? `unknown action "${action}"` : 'which action: create, list or revoke?');
    }
    let create: { name: string; scopes: string[] } | undefined;
    if (action === 'create') {
      const name = stringOption(args, 'name');
      const scopes = (stringOption(args, 'scopes') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
      if (!name) throw new UsageError('create needs --name');
      if (!scopes.length) throw new UsageError(`create needs --scopes (${SCOPES.join(', ')})`);
      create = { name, scopes };
    }
    if (action === 'revoke' && !target) throw new UsageError('revoke needs the key id or prefix');

    const runtime = await ctx.openRuntime();
    try {
      const { prisma } = runtime.db;
      if (create) {
        try {
          const created = await createApiKey(prisma, create);
          ctx.print(`Created API key ${created.id} (${created.prefix}…). It is shown only once:\n${created.key}`);
          return 0;
        } catch (error) {
          if (error instanceof InvalidScopeError) throw new UsageError(`${error.message}; use ${SCOPES.join(', ')}`);
          throw error;
        }
      }
      if (action === 'list') {
        const keys = await listApiKeys(prisma);
        ctx.print(keys.length ? keys.map(describe).join('\n') : 'No API keys yet.');
        return 0;
      }
      const result = await revokeApiKey(prisma, target as string);
      switch (result.kind) {
        case 'revoked':
          ctx.print(`Revoked ${describe(result.key)}`);
          return 0;
        case 'already-revoked':
          ctx.print(`Already revoked: ${describe(result.key)}`);
          return 0;
        case 'ambiguous':
          ctx.print(`${result.matches} keys share that prefix; revoke by id instead (see 'apikey list').`);
          return 1;
        case 'not-found':
          ctx.print(`No API key with id or prefix "${target}".`);
          return 1;
      }
    } finally {
      await runtime.close();
    }
  },
};
