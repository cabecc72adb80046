import { fieldDefsByName, type FieldDefs } from '../../../src/canonical/fields.js';
import type { NormalizedRecord } from '../../../src/canonical/types.js';
import { createHubspotConnector, type HubspotConnectorOptions } from '../../../src/connectors/hubspot/index.js';
import type { CrmConnector, PullPage, StreamPosition, StreamSpec } from '../../../src/connectors/types.js';
import { createLogger } from '../../../src/log.js';
import { DEFAULT_PRIVATE_APP_TOKEN } from '../../../src/simulators/hubspot/auth.js';
import type { HubspotSimulator } from '../../../src/simulators/hubspot/index.js';

export const quietLogger = createLogger({ level: 'silent' });

/** Fast back-off so fault tests finish in milliseconds; generous budgets since the simulator runs locally. */
export const FAST_SETTINGS = {
  backoff: { rateLimitBaseMs: 1, rateLimitMaxMs: 20, rateLimitMaxAttempts: 40, transientRetries: 3, transientBaseMs: 1 },
  rateLimitPerTenSeconds: 100_000,
  searchPerSecond: 10_000,
};

export function connectorFor(sim: HubspotSimulator, overrides: Partial<HubspotConnectorOptions> = {}): CrmConnector {
  return createHubspotConnector({
    credentials: { kind: 'private_app', token: DEFAULT_PRIVATE_APP_TOKEN },
    logger: quietLogger,
    ...overrides,
    settings: { baseUrl: sim.url, ...FAST_SETTINGS, ...overrides.settings },
  });
}

export function stream(connector: CrmConnector, name: string): StreamSpec {
  const found = connector.streams().find((s) => s.name === name);
  if (!found) throw new Error(`no stream ${name}`);
  return found;
}

export interface PullOutcome {
  pages: PullPage[];
  records: NormalizedRecord[];
  deleted: string[];
  last: StreamPosition;
}

/** Runs one pull to the end, normalizing every record with freshly described field definitions. */
export async function pullAll(connector: CrmConnector, spec: StreamSpec, from: StreamPosition): Promise<PullOutcome> {
  const defs: FieldDefs = fieldDefsByName(await connector.describe(spec));
  const pages: PullPage[] = [];
  let last = from;
  for await (const page of connector.pull(spec, from)) {
    pages.push(page);
    last = page.next;
  }
  return {
    pages,
    records: pages.flatMap((p) => p.records.map((raw) => connector.normalize(spec, raw, defs))),
    deleted: pages.flatMap((p) => p.deletedRemoteIds),
    last,
  };
}
