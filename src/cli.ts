import { parseArgs } from 'node:util';
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ConfigError, loadConfig, type Config } from './config.js';
import { createLogger, type Logger } from './log.js';
import { MigrationError } from './db/migrate.js';
import { openRuntime } from './main.js';
import { UsageError, type Command, type CommandContext } from './commands/command.js';
import { startCommand } from './commands/start.js';
import { migrateCommand } from './commands/migrate.js';
import { simulateCommand } from './commands/simulate.js';
import { connectionsCommand } from './commands/connections.js';
import { syncCommand } from './commands/sync.js';
import { workerCommand } from './commands/worker.js';
import { apikeyCommand } from './commands/apikey.js';
import { fieldsCommand } from './commands/fields.js';
import { deadLettersCommand } from './commands/dead-letters.js';
import { webhooksCommand } from './commands/webhooks.js';

const commands: Command[] = [
  startCommand,
  migrateCommand,
  connectionsCommand,
  syncCommand,
  workerCommand,
  apikeyCommand,
  fieldsCommand,
  deadLettersCommand,
  webhooksCommand,
  simulateCommand,
];

function overview(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return `context-layer: one GraphQL context layer over HubSpot and Salesforce.

Usage: context-layer <command> [options]

Commands:
${commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

Run 'context-layer <command> --help' for a command's options and examples.
Configuration comes from environment variables; see the README's configuration table.`;
}

function createContext(): CommandContext {
  let config: Config | undefined;
  let logger: Logger | undefined;
  const ctx: CommandContext = {
    config: () => (config ??= loadConfig()),
    logger: () =>
      (logger ??= createLogger({ level: ctx.config().LOG_LEVEL, pretty: Boolean(process.stdout.isTTY) })),
    openRuntime: () => openRuntime(ctx.config(), ctx.logger()),
    print: (line) => process.stdout.write(`${line}\n`),
  };
  return ctx;
}

export async function runCli(argv: string[], ctx: CommandContext = createContext()): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    ctx.print(overview());
    return name ? 0 : 2;
  }
  const command = commands.find((c) => c.name === name);
  try {
    if (!command) throw new UsageError(`unknown command "${name}"`);
    const parsed = parseArgs({
      args: rest,
      options: { ...command.options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
    if (parsed.values.help) {
      ctx.print(command.help);
      return 0;
    }
    return await command.run(parsed, ctx);
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`error: ${(error as Error).message}\nRun 'context-layer ${command ? `${command.name} ` : ''}--help' for usage.\n`);
      return 2;
    }
    if (error instanceof ConfigError || error instanceof MigrationError) {
      process.stderr.write(`${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

const invokedDirectly = process.argv[1] && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
const viaBin = process.argv[1]?.endsWith('context-layer') || process.argv[1]?.endsWith('context-layer.js');
if (invokedDirectly || viaBin) {
  runCli(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`context-layer failed: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
