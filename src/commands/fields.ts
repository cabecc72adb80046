import { createConnectorCache } from '../connections/connectors.js';
import { findConnection } from '../connections/repository.js';
import { ensureAiFields } from '../writeback/provision.js';
import { UsageError, type Command } from './command.js';

export const fieldsCommand: Command = {
  name: 'fields',
  summary: 'Create the AI output fields write-back needs in a CRM',
  help: `Usage: context-layer fields ensure <connection>

Creates the fields scores are written to (score, rationale, playbook, last updated, source
pipeline) where they are missing: HubSpot properties through the properties API, Salesforce
custom fields through the Tooling API. Where the CRM user lacks the permission, it prints
exactly what an admin must create. The write-back worker never writes to a missing field.

Examples:
  context-layer fields ensure prod-hubspot
  context-layer fields ensure prod-salesforce`,
  async run(args, ctx) {
    const [action, name] = args.positionals;
    if (action !== 'ensure' || !name) throw new UsageError('expected: fields ensure <connection>');
    const runtime = await ctx.openRuntime();
    const connectors = createConnectorCache({ db: runtime.db, secrets: runtime.secrets, logger: ctx.logger() });
    try {
      const connection = await findConnection(runtime.db, name);
      if (!connection) throw new UsageError(`no connection named "${name}" (see: context-layer connections list)`);
      const report = await ensureAiFields(runtime.db, connection, await connectors.get(connection.id));
      for (const field of report.created) ctx.print(`created   ${field}`);
      for (const field of report.existing) ctx.print(`exists    ${field}`);
      for (const { field, reason } of report.manual) {
        ctx.print(`MANUAL    ${field.objectType}.${field.name}: ${reason}`);
        ctx.print(`          an admin must create it: object ${field.objectType}, API name ${field.name}, label "${field.label}", type ${field.type}`);
      }
      return report.manual.length ? 1 : 0;
    } finally {
      await connectors.closeAll();
      await runtime.close();
    }
  },
};
