/**
 * `simulate hubspot|salesforce [--port N] [--seed N] [--contacts N]`: runs one simulator
 * standalone (demo, manual testing) until SIGINT/SIGTERM. Each simulator is imported lazily
 * so starting one never loads the other.
 */
import { parseArgs } from 'node:util';

export interface SimulatorCliOptions {
  crm: 'hubspot' | 'salesforce';
  port: number;
  seed: number;
  contacts: number;
}

const USAGE = 'usage: simulate hubspot|salesforce [--port N] [--seed N] [--contacts N]';

export function parseSimulatorArgs(argv: readonly string[]): SimulatorCliOptions {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      port: { type: 'string', default: '0' },
      seed: { type: 'string', default: '1' },
      contacts: { type: 'string', default: '1000' },
    },
  });
  const crm = positionals[0];
  if (crm !== 'hubspot' && crm !== 'salesforce') throw new Error(USAGE);
  const number = (name: string, raw: string, min: number): number => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer >= ${min}, got "${raw}"\n${USAGE}`);
    return n;
  };
  return { crm, port: number('port', values.port, 0), seed: number('seed', values.seed, 0), contacts: number('contacts', values.contacts, 1) };
}

/** Starts the simulator and resolves with a stop function; the process stays up until it is called or signalled. */
export async function runSimulator(argv: readonly string[]): Promise<{ url: string; stop: () => Promise<void> }> {
  const options = parseSimulatorArgs(argv);
  let url: string;
  let close: () => Promise<void>;
  if (options.crm === 'hubspot') {
    const { startHubspotSimulator } = await import('./hubspot/index.js');
    const sim = await startHubspotSimulator({ port: options.port, seed: options.seed, contacts: options.contacts });
    url = sim.url;
    close = sim.close;
    console.log(`HubSpot simulator on ${url} (seed ${options.seed}, ${sim.store.count('contacts')} contacts). Control API under ${url}/_control/`);
  } else {
    // The Salesforce simulator lives next to this one and is built separately; a variable
    // specifier keeps this file compiling whichever lands first.
    const salesforceModule = './salesforce/index.js';
    const salesforce = (await import(salesforceModule)) as {
      startSalesforceSimulator(o: { port: number; seed: number; contacts: number }): Promise<{
        url: string;
        instanceUrl: string;
        credentials: { username: string; clientId: string };
        close(): Promise<void>;
      }>;
    };
    const sim = await salesforce.startSalesforceSimulator({ port: options.port, seed: options.seed, contacts: options.contacts });
    url = sim.url;
    close = sim.close;
    const c = sim.credentials;
    console.log(`Salesforce simulator: login ${url}, API ${sim.instanceUrl} (seed ${options.seed}). Control API under ${url}/_control/`);
    // Only non-secret parts: even a simulator's defaults are not echoed, by habit.
    console.log(`  log in as ${c.username} with client id ${c.clientId}; the rest of the login is DEFAULT_CREDENTIALS in src/simulators/salesforce/org.ts`);
  }
  let stopping: Promise<void> | undefined;
  const onSignal = (): void => {
    void stop().then(() => process.exit(0));
  };
  const stop = (): Promise<void> => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    return (stopping ??= close());
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return { url, stop };
}
