/**
 * Salesforce behind the CrmConnector contract. Streams, in the order they sync:
 * User (OWNER), Account (COMPANY), Lead and Contact (CONTACT), Opportunity (DEAL),
 * OpportunityContactRole (DEAL: re-reads the Opportunities whose roles changed), Task and Event
 * (ACTIVITY).
 */
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
import { SalesforceClient } from './client.js';
import { attachContactRoles, opportunitiesOfRoles, readByIds } from './contact-roles.js';
import { ensureSalesforceFields } from './custom-fields.js';
import { describeSchema, toObjectShape, type ObjectShape } from './describe.js';
import { normalizeSalesforceRecord, objectTypeOf } from './normalize.js';
import { pullByModstamp } from './pull.js';
import { salesforceCredentialsSchema, salesforceSettingsSchema, type SalesforceSettings, type SalesforceSettingsInput } from './settings.js';
import { selectList } from './soql.js';
import { CONTACT_ROLE_STREAM, SALESFORCE_STREAMS } from './streams.js';
import { writeSalesforce } from './write.js';

/** What the role stream reads of each changed role: enough to find its Opportunity. */
const ROLE_CHANGE_FIELDS = ['Id', 'IsDeleted', 'SystemModstamp', 'OpportunityId'];

export interface SalesforceConnectorOptions {
  /** Parsed with salesforceCredentialsSchema (jwt | refresh_token | password). */
  credentials: unknown;
  /** Parsed with salesforceSettingsSchema; defaults fill the rest. */
  settings?: SalesforceSettingsInput;
  /** Persists refreshed tokens (merged over the stored credentials). */
  saveCredentials?: CredentialsSink;
  logger: Logger;
  observe?: CallObserver;
  /** Our clock: for the daily budget, JWT expiry and cursors (stamped with the org's time when ours is ahead, see CrmClock). Tests move it. */
  now?: () => number;
}

export interface SalesforceConnector extends CrmConnector {
  readonly settings: SalesforceSettings;
  /** The org's daily usage as last reported, and our share of it. */
  apiUsage(): ReturnType<SalesforceClient['apiUsage']>;
}

export function createSalesforceConnector(options: SalesforceConnectorOptions): SalesforceConnector {
  const settings = salesforceSettingsSchema.parse(options.settings ?? {});
  const credentials = salesforceCredentialsSchema.parse(options.credentials);
  const now = options.now ?? Date.now;
  const logger = options.logger.child({ provider: 'SALESFORCE' });
  const clock = new CrmClock(now, warnOnSkew(logger, 'Salesforce'));
  const client = new SalesforceClient({ settings, credentials, saveCredentials: options.saveCredentials, logger, observe: options.observe, now, clock });
  const cursorNow = () => clock.now();
  const shapes = new Map<string, Promise<ObjectShape>>();
  const normalizeOptions = { defaultCurrency: settings.defaultCurrency, lifecycleStageField: settings.lifecycleStageField };

  /** Describes an object (fresh when asked, else the last answer of this connector). */
  function shapeOf(object: string, fresh = false): Promise<ObjectShape> {
    let shape = shapes.get(object);
    if (!shape || fresh) {
      shape = client
        .request({ method: 'GET', path: `/sobjects/${encodeURIComponent(object)}/describe`, schema: describeSchema, count: (d) => d.fields.length })
        .then(toObjectShape);
      shapes.set(object, shape);
      shape.catch(() => shapes.delete(object));
    }
    return shape;
  }

  /**
   * The object whose records a stream yields: the role stream yields Opportunities, so its
   * describe (and the FieldDefs the engine saves under "OpportunityContactRole") are Opportunity's,
   * which is what its records are normalized with. Its first (FULL) run re-reads every
   * Opportunity that has roles: simple and correct whatever order streams run in.
   */
  const recordObject = (stream: StreamSpec) => (stream.name === CONTACT_ROLE_STREAM ? 'Opportunity' : stream.name);

  async function selectFor(object: string): Promise<string[]> {
    return selectList(await shapeOf(object), settings.extraFields[object] ?? []);
  }

  /** Adds what a page of this object's records needs before it is yielded. */
  async function complete(object: string, records: RawRecord[]): Promise<RawRecord[]> {
    return object === 'Opportunity' && records.length ? attachContactRoles(client, records) : records;
  }

  async function* pull(stream: StreamSpec, from: StreamPosition): AsyncGenerator<PullPage> {
    if (stream.name === CONTACT_ROLE_STREAM) {
      const opportunitySelect = await selectFor('Opportunity');
      const roles = pullByModstamp({ client, object: CONTACT_ROLE_STREAM, select: ROLE_CHANGE_FIELDS, from, pageSize: settings.pageSize, overlapMs: settings.overlapMs, now: cursorNow });
      for await (const page of roles) {
        yield { records: await opportunitiesOfRoles(client, page.rows, opportunitySelect), deletedRemoteIds: [], next: page.next };
      }
      return;
    }
    const select = await selectFor(stream.name);
    for await (const page of pullByModstamp({ client, object: stream.name, select, from, pageSize: settings.pageSize, overlapMs: settings.overlapMs, now: cursorNow })) {
      // Deleted rows travel as records with IsDeleted = true: the normalizer makes them tombstones.
      yield { records: await complete(stream.name, page.rows), deletedRemoteIds: [], next: page.next };
    }
  }

  async function fetchByIds(stream: StreamSpec, remoteIds: string[]): Promise<FetchResult> {
    if (stream.name === CONTACT_ROLE_STREAM) {
      // Role ids in, Opportunities out; a vanished role has no deal of its own to tombstone.
      const roles = await readByIds(client, CONTACT_ROLE_STREAM, ROLE_CHANGE_FIELDS, remoteIds);
      return { records: await opportunitiesOfRoles(client, roles, await selectFor('Opportunity')), missingRemoteIds: [] };
    }
    const records = await complete(stream.name, await readByIds(client, stream.name, await selectFor(stream.name), remoteIds));
    // 15- and 18-character ids name the same record: compare the case-sensitive 15-character part.
    const found = new Set(records.map((r) => String(r.Id).slice(0, 15)));
    return { records, missingRemoteIds: [...new Set(remoteIds)].filter((id) => !found.has(id.slice(0, 15))) };
  }

  return {
    provider: 'SALESFORCE',
    settings,
    streams: () => [...SALESFORCE_STREAMS],
    async describe(stream: StreamSpec): Promise<FieldDefinition[]> {
      return (await shapeOf(recordObject(stream), true)).fields;
    },
    pull,
    fetchByIds,
    normalize(stream: StreamSpec, raw: RawRecord, defs: FieldDefs): NormalizedRecord {
      return normalizeSalesforceRecord(objectTypeOf(raw, recordObject(stream)), raw, defs, normalizeOptions);
    },
    write(ops: WriteOp[]): Promise<WriteResult[]> {
      return writeSalesforce(client, ops, { contactExternalIdField: settings.contactExternalIdField });
    },
    /** Salesforce reads fields back in the JSON types they were written in. */
    applyWrite(_stream: StreamSpec, raw: RawRecord, properties: WriteValues): RawRecord {
      return { ...raw, ...properties };
    },
    async ensureFields(fields: FieldRequest[]): Promise<FieldReport> {
      const objects = new Set(fields.map((f) => f.objectType));
      const report = await ensureSalesforceFields(client, fields, async (object) => (await shapeOf(object, true)).fieldNames);
      // Fields created just now must be in the next select lists.
      for (const object of objects) shapes.delete(object);
      return report;
    },
    stats: (): CallStats => client.stats(),
    apiUsage: () => client.apiUsage(),
    close: () => client.close(),
  };
}
