import type { SecretBox } from '../crypto.js';
import type { Database } from '../db/client.js';
import type { CallObserver, CrmConnector } from '../connectors/types.js';
import { createHubspotConnector, hubspotCredentialsSchema, hubspotSettingsSchema } from '../connectors/hubspot/index.js';
import { createSalesforceConnector, salesforceSettingsSchema } from '../connectors/salesforce/index.js';
import type { Logger } from '../log.js';
import { credentialsSaver, openCredentials } from './repository.js';

/**
 * Builds each connection's connector once per process and keeps it (its HTTP pool, rate-limit
 * budget and tokens live there). Evict a connection after its credentials or settings change.
 */
export interface ConnectorCache {
  get(connectionId: string): Promise<CrmConnector>;
  evict(connectionId: string): Promise<void>;
  closeAll(): Promise<void>;
}

export interface ConnectorCacheDeps {
  db: Database;
  secrets: SecretBox;
  logger: Logger;
  observe?: CallObserver;
}

export function createConnectorCache(deps: ConnectorCacheDeps): ConnectorCache {
  const built = new Map<string, Promise<CrmConnector>>();

  async function build(connectionId: string): Promise<CrmConnector> {
    const connection = await deps.db.prisma.connection.findUniqueOrThrow({ where: { id: connectionId } });
    const credentials = openCredentials(deps.secrets, connection);
    const common = {
      // Each connector adds its own provider binding; pino would repeat a key bound twice.
      logger: deps.logger.child({ connection: connection.name }),
      saveCredentials: credentialsSaver(deps.db, deps.secrets, connectionId),
      observe: deps.observe,
    };
    switch (connection.provider) {
      case 'HUBSPOT':
        return createHubspotConnector({
          ...common,
          credentials: hubspotCredentialsSchema.parse(credentials),
          settings: hubspotSettingsSchema.parse(connection.settings),
        });
      case 'SALESFORCE':
        return createSalesforceConnector({ ...common, credentials, settings: salesforceSettingsSchema.parse(connection.settings) });
    }
  }

  return {
    get(connectionId) {
      let connector = built.get(connectionId);
      if (!connector) {
        connector = build(connectionId);
        built.set(connectionId, connector);
        connector.catch(() => built.delete(connectionId));
      }
      return connector;
    },
    async evict(connectionId) {
      const connector = built.get(connectionId);
      built.delete(connectionId);
      await connector?.then((c) => c.close()).catch(() => undefined);
    },
    async closeAll() {
      const all = [...built.values()];
      built.clear();
      await Promise.allSettled(all.map((p) => p.then((c) => c.close())));
    },
  };
}
