import type { Connection } from '../generated/prisma/client.js';
import type { CrmConnector, FieldReport } from '../connectors/types.js';
import { requiredFields } from './mapping.js';

/** The CRM objects that hold contacts, where AI output fields must exist. */
const CONTACT_OBJECTS: Record<Connection['provider'], string[]> = {
  HUBSPOT: ['contacts'],
  SALESFORCE: ['Lead', 'Contact'],
};

/** Creates the AI output fields a connection's write-back needs where they are missing. */
export async function ensureAiFields(connection: Connection, connector: CrmConnector): Promise<FieldReport> {
  const fields = CONTACT_OBJECTS[connection.provider].flatMap((objectType) => requiredFields(connection.provider, connection.settings, objectType));
  return connector.ensureFields(fields);
}
