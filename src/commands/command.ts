import type { ParseArgsConfig } from 'node:util';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import type { Runtime } from '../main.js';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

export interface ParsedArgs {
  values: Record<string, string | boolean | string[] | boolean[] | undefined>;
  positionals: string[];
}

export interface CommandContext {
  config(): Config;
  logger(): Logger;
  /** Database (embedded or DATABASE_URL), migrated, and the credential box. Close it when done. */
  openRuntime(): Promise<Runtime>;
  /** Where human-facing output goes (stdout); logs go to the logger. */
  print(line: string): void;
}

export interface Command {
  name: string;
  summary: string;
  /** The --help text: usage line, options and examples. */
  help: string;
  options?: OptionSpec;
  /** Resolves to the exit code; long-running commands resolve when they stop. */
  run(args: ParsedArgs, ctx: CommandContext): Promise<number>;
}

/** Bad input on the command line: exits 2 with the message and a pointer to --help. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export function stringOption(args: ParsedArgs, name: string): string | undefined {
  const value = args.values[name];
  return typeof value === 'string' ? value : undefined;
}

export function intOption(args: ParsedArgs, name: string, fallback: number): number {
  const raw = stringOption(args, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new UsageError(`--${name} expects a whole number, got "${raw}"`);
  return value;
}
