/**
 * HubSpot behind the CrmConnector contract. This file wires the pieces together: the client
 * (auth, budgets, retries), the stream readers, the pure normalizer, writes and properties.
 */
import { z } from 'zod';
import type { FieldDefinition, FieldDefs } from '../../canonical/fields.js';
import type { NormalizedRecord } from '../../canonical/types.js';
import type { Logger } from '../../log.js';
import { CrmClock, warnOnSkew } from '../crm-clock.js';
import type {
  CallObserver,
  CallStats,
  CredentialsSink,
  CrmConnector,
  FetchResult,
  FieldReport,
  FieldRequest,
  PullPage,
  RawRecord,
  StreamPosition,
  StreamSpec,
  WriteOp,
  WriteValues,
  WriteResult,
} from '../types.js';
import { completeAssociations } from './associations.js';
import { HubspotClient } from './client.js';
import { normalizeHubspotRecord } from './normalize.js';
import { allOwners, pullOwners } from './owners.js';
import { ensureProperties, readProperties, toFieldDefinition } from './properties.js';
import { pullObjects } from './pull.js';
import { batchObjectsSchema, type HubspotObject } from './schemas.js';
import { hubspotCredentialsSchema, hubspotSettingsSchema, type HubspotSettings } from './settings.js';
import { hubspotStreams, isObjectStream, type ObjectStream } from './streams.js';
import { writeOps } from './write.js';

export const hubspotConnectorOptionsSchema = z.object({
  credentials: hubspotCredentialsSchema,
  settings: hubspotSettingsSchema.prefault({}),
});

export interface HubspotConnectorOptions {
  credentials: z.input<typeof hubspotCredentialsSchema>;
  settings?: z.input<typeof hubspotSettingsSchema>;
  logger: Logger;
  /** Receives refreshed OAuth tokens (the whole credentials object) to encrypt and store. */
  saveCredentials?: CredentialsSink;
  observe?: CallObserver;
  /** Our clock; cursors (readAt, watermarks) are stamped with it, or with HubSpot's when ours is ahead (CrmClock). Tests move it. */
  now?: () => number;
}

const BATCH_READ = 100;

class HubspotConnector implements CrmConnector {
  readonly provider = 'HUBSPOT' as const;
  private readonly client: HubspotClient;
  /** Property names per object from the latest describe: what pulls and reads ask for. */
  private readonly propertyNames = new Map<ObjectStream, string[]>();

  constructor(
    private readonly settings: HubspotSettings,
    client: HubspotClient,
    private readonly logger: Logger,
    /** Stamps cursors: CrmClock.now. */
    private readonly now: () => number,
  ) {
    this.client = client;
  }

  streams(): StreamSpec[] {
    return hubspotStreams();
  }

  async describe(stream: StreamSpec): Promise<FieldDefinition[]> {
    if (stream.name === 'owners') return [];
    const objectStream = this.objectStream(stream);
    const properties = await readProperties(this.client, objectStream);
    this.propertyNames.set(objectStream, properties.map((p) => p.name));
    return properties.map(toFieldDefinition);
  }

  pull(stream: StreamSpec, from: StreamPosition): AsyncIterable<PullPage> {
    if (stream.name === 'owners') return pullOwners(this.client, from);
    return this.pullObjectStream(this.objectStream(stream), from);
  }

  private async *pullObjectStream(stream: ObjectStream, from: StreamPosition): AsyncGenerator<PullPage> {
    const properties = await this.propertiesFor(stream);
    yield* pullObjects({ client: this.client, settings: this.settings, stream, properties, now: this.now }, from);
  }

  async fetchByIds(stream: StreamSpec, remoteIds: string[]): Promise<FetchResult> {
    const wanted = [...new Set(remoteIds)];
    if (stream.name === 'owners') {
      const owners = (await allOwners(this.client)).filter((o) => wanted.includes(o.id));
      const found = new Set(owners.map((o) => o.id));
      return { records: owners, missingRemoteIds: wanted.filter((id) => !found.has(id)) };
    }
    const objectStream = this.objectStream(stream);
    const properties = await this.propertiesFor(objectStream);
    const byId = new Map<string, HubspotObject>();
    for (let i = 0; i < wanted.length; i += BATCH_READ) {
      const inputs = wanted.slice(i, i + BATCH_READ).map((id) => ({ id }));
      // Unknown and archived ids come back as 207 errors; a merged-away id answers with its survivor.
      const page = await this.client.request({
        method: 'POST',
        path: `/crm/v3/objects/${objectStream}/batch/read`,
        body: { inputs, properties },
        schema: batchObjectsSchema,
        count: (p) => p.results.length,
      });
      for (const record of page.results) byId.set(record.id, record);
    }
    const records = [...byId.values()];
    await completeAssociations(this.client, objectStream, records, false);
    return { records, missingRemoteIds: wanted.filter((id) => !byId.has(id)) };
  }

  normalize(stream: StreamSpec, raw: RawRecord, defs: FieldDefs): NormalizedRecord {
    return normalizeHubspotRecord(stream.name, raw, defs, { defaultCurrency: this.settings.defaultCurrency });
  }

  write(ops: WriteOp[]): Promise<WriteResult[]> {
    return writeOps(this.client, ops);
  }

  /** HubSpot reads every property back as a string (or null). */
  applyWrite(_stream: StreamSpec, raw: RawRecord, properties: WriteValues): RawRecord {
    const written = Object.fromEntries(Object.entries(properties).map(([name, value]) => [name, value === null ? null : String(value)]));
    return { ...raw, properties: { ...(raw.properties as Record<string, unknown> | undefined), ...written } };
  }

  ensureFields(fields: FieldRequest[]): Promise<FieldReport> {
    return ensureProperties(this.client, fields, this.settings.propertyGroups);
  }

  stats(): CallStats {
    return this.client.stats();
  }

  async close(): Promise<void> {
    await this.client.close();
    this.logger.debug('hubspot connector closed');
  }

  private objectStream(stream: StreamSpec): ObjectStream {
    if (!isObjectStream(stream.name)) throw new Error(`HubSpot has no stream named ${stream.name}`);
    return stream.name;
  }

  /** The engine describes each stream at run start; webhook refreshes may come first. */
  private async propertiesFor(stream: ObjectStream): Promise<string[]> {
    const known = this.propertyNames.get(stream);
    if (known) return known;
    await this.describe({ name: stream, kind: 'CONTACT' });
    return this.propertyNames.get(stream) ?? [];
  }
}

export function createHubspotConnector(options: HubspotConnectorOptions): CrmConnector {
  const parsed = hubspotConnectorOptionsSchema.parse({ credentials: options.credentials, settings: options.settings ?? {} });
  const logger = options.logger.child({ provider: 'HUBSPOT' });
  const clock = new CrmClock(options.now, warnOnSkew(logger, 'HubSpot'));
  const client = new HubspotClient({
    settings: parsed.settings,
    credentials: parsed.credentials,
    logger,
    clock,
    ...(options.saveCredentials ? { saveCredentials: options.saveCredentials } : {}),
    ...(options.observe ? { observe: options.observe } : {}),
  });
  return new HubspotConnector(parsed.settings, client, logger, () => clock.now());
}
