import type { Connection } from '../generated/prisma/client.js';
import type { SecretBox } from '../crypto.js';
import type { Database } from '../db/client.js';
import type { Provider } from '../connectors/types.js';

/**
 * Connections and their credentials. Credentials are sealed with SECRET_KEY before they reach
 * the database and are only opened in memory, right before a connector is built.
 */

export interface NewConnection {
  provider: Provider;
  name: string;
  credentials: Record<string, unknown>;
  settings: Record<string, unknown>;
}

export async function createConnection(db: Database, secrets: SecretBox, input: NewConnection): Promise<Connection> {
  return db.prisma.connection.create({
    data: {
      provider: input.provider,
      name: input.name,
      credentials: secrets.seal(input.credentials),
      settings: input.settings as object,
    },
  });
}

/** By id or by name; null when there is none. */
export async function findConnection(db: Database, idOrName: string): Promise<Connection | null> {
  const isUuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(idOrName);
  return db.prisma.connection.findFirst({ where: isUuid ? { OR: [{ id: idOrName }, { name: idOrName }] } : { name: idOrName } });
}

export function openCredentials(secrets: SecretBox, connection: Connection): Record<string, unknown> {
  return secrets.open<Record<string, unknown>>(connection.credentials);
}

/** Stores refreshed tokens (merged over the existing credentials), sealed. */
export function credentialsSaver(db: Database, secrets: SecretBox, connectionId: string) {
  return async (update: Record<string, unknown>): Promise<void> => {
    const current = await db.prisma.connection.findUniqueOrThrow({ where: { id: connectionId } });
    const merged = { ...openCredentials(secrets, current), ...update };
    await db.prisma.connection.update({ where: { id: connectionId }, data: { credentials: secrets.seal(merged) } });
  };
}
