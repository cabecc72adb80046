import type { Database } from '../db/client.js';
import { inTransaction } from '../db/transaction.js';
import type { Connection } from '../generated/prisma/client.js';
import type { CrmConnector, FieldReport } from '../connectors/types.js';
import { saveFieldDefs } from '../sync/field-defs.js';
import { requiredFields } from './mapping.js';

/** The CRM objects that hold contacts, where AI output fields must exist. */
const CONTACT_OBJECTS: Record<Connection['provider'], string[]> = {
  HUBSPOT: ['contacts'],
  SALESFORCE: ['Lead', 'Contact'],
};

/**
 * Creates the AI output fields a connection's write-back needs where they are missing, and
 * saves the objects' new field definitions: webhook refreshes normalize with the saved ones,
 * and without the new fields their values would drop out of customFields until the next sync
 * described the object again.
 */
export async function ensureAiFields(db: Database, connection: Connection, connector: CrmConnector): Promise<FieldReport> {
  const objectTypes = CONTACT_OBJECTS[connection.provider];
  const report = await connector.ensureFields(objectTypes.flatMap((objectType) => requiredFields(connection.provider, connection.settings, objectType)));
  if (!report.created.length) return report;
  for (const stream of connector.streams().filter((s) => objectTypes.includes(s.name))) {
    const defs = await connector.describe(stream);
    // In one transaction, as the sync saves them: the upsert and the removal of vanished fields land together.
    await inTransaction(db.pool, (client) => saveFieldDefs(client, connection.id, stream.name, defs));
  }
  return report;
}
