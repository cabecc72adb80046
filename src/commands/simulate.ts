import { runSimulator } from '../simulators/cli.js';
import { UsageError, type Command } from './command.js';

export const simulateCommand: Command = {
  name: 'simulate',
  summary: 'Run a HubSpot or Salesforce simulator standalone (for demos and manual testing)',
  help: `Usage: context-layer simulate hubspot|salesforce [--port N] [--seed N] [--contacts N]

Starts a simulated CRM on 127.0.0.1 with a seeded go-to-market world. One seed gives the same
people to both CRMs (some in both, some in only one). Each simulator has a control API under
/_control/ to edit records as a person would, inspect state, read the request log and inject
faults. Runs until Ctrl-C.

Options:
  --port N       port to listen on (default: a free port)
  --seed N       world seed (default 1)
  --contacts N   people in the world (default 1000; 10 to 200000)

Examples:
  context-layer simulate hubspot --port 8081 --contacts 5000
  context-layer simulate salesforce --seed 7`,
  options: { port: { type: 'string' }, seed: { type: 'string' }, contacts: { type: 'string' } },
  async run(args) {
    const argv = [...args.positionals];
    for (const name of ['port', 'seed', 'contacts']) {
      const value = args.values[name];
      if (typeof value === 'string') argv.push(`--${name}`, value);
    }
    let sim: { stop(): Promise<void> };
    try {
      sim = await runSimulator(argv);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await sim.stop();
    return 0;
  },
};
