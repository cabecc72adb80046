import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { projectRoot } from '../../src/paths.js';

/** The CLI as a user runs it: a real process, via tsx, with the given environment. */
export interface CliProcess {
  child: ChildProcess;
  output(): string;
  /** Resolves with the first JSON log line whose msg matches. */
  waitForLog(msg: string | RegExp, timeoutMs?: number): Promise<Record<string, unknown>>;
  exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export function runCli(args: string[], env: Record<string, string>): CliProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', join(projectRoot, 'src', 'cli.ts'), ...args], {
    cwd: projectRoot,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    output += chunk.toString('utf8');
    listeners.forEach((l) => l());
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const findLog = (msg: string | RegExp) => {
    for (const line of output.split('\n')) {
      if (!line.startsWith('{')) continue;
      try {
        const entry = JSON.parse(line) as Record<string, unknown>;
        const text = String(entry.msg ?? '');
        if (typeof msg === 'string' ? text === msg : msg.test(text)) return entry;
      } catch {
        // a partial line; it completes with the next chunk
      }
    }
    return null;
  };
  return {
    child,
    output: () => output,
    exited,
    waitForLog(msg, timeoutMs = 60_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const entry = findLog(msg);
          if (entry) {
            listeners.delete(check);
            clearTimeout(timer);
            resolve(entry);
          }
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`no log "${String(msg)}" within ${timeoutMs} ms; output:\n${output}`));
        }, timeoutMs);
        listeners.add(check);
        exited.then(() => check());
        check();
      });
    },
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}
