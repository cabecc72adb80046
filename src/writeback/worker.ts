import { fieldDefsByName, type FieldDefs } from '../canonical/fields.js';
import type { Database } from '../db/client.js';
import { CrmError, type CrmConnector, type Provider, type WriteOp, type WriteResult } from '../connectors/types.js';
import { scrubSecrets, type Logger } from '../log.js';
import { blocksConnection, markConnectionFailure } from '../sync/connection-status.js';
import { tombstoneContact } from './reflect.js';
import { crmObjectFor, mapFields, mappingFor } from './mapping.js';
import { splitContactFields, withRequiredContactFields } from './contact-fields.js';
import { recordActions, reflectWrites } from '../sync/connection-sync.js';
import { describeFailures } from '../sync/engine.js';
import { claimDue, markDead, markDone, releaseExpiredLeases, renewLease, retryLater, type Lease, type OutboxRow } from './outbox.js';

/**
 * Drains the write-back outbox to the CRMs. Pending writes to one record collapse into one
 * (latest wins per field); each connection's writes go out in the connector's batches
 * (HubSpot 100, Salesforce 200) and every item's result is handled on its own.
 */

export interface WorkerDeps {
  db: Database;
  logger: Logger;
  connectorFor(connectionId: string): Promise<CrmConnector>;
  /** Rows claimed per tick. */
  batchSize?: number;
  leaseMs?: number;
  maxAttempts?: number;
  backoffBaseMs?: number;
  /** How long a describe of the CRM's fields is trusted. */
  fieldCacheMs?: number;
}

export interface DrainResult {
  claimed: number;
  done: number;
  dead: number;
  retried: number;
  waiting: number;
}

interface Collapsed {
  op: WriteOp;
  rows: OutboxRow[];
  fields: Record<string, unknown>;
}

export interface WriteBackWorker {
  drainOnce(): Promise<DrainResult>;
  /** Drains until nothing is due (or `maxTicks`), for the CLI and tests. */
  drainAll(maxTicks?: number): Promise<DrainResult>;
  start(intervalMs?: number): void;
  stop(): Promise<void>;
}

/** UPSERT_CONTACT rows hold CRM property names plus reserved instructions (contact-fields.ts). */
function contactUpsert(provider: Provider, item: Collapsed): { properties: WriteOp['properties']; missing: string[] } {
  const creating = item.op.remoteId === null;
  const { properties, companyRemoteId } = splitContactFields(withRequiredContactFields(provider, item.fields, creating));
  if (provider === 'SALESFORCE' && companyRemoteId && item.op.objectType === 'Contact') properties.AccountId = companyRemoteId;
  if (provider === 'HUBSPOT') item.op.companyRemoteId = companyRemoteId;
  return { properties, missing: [] };
}

export function createWriteBackWorker(deps: WorkerDeps): WriteBackWorker {
  const maxAttempts = deps.maxAttempts ?? 3;
  const leaseMs = deps.leaseMs ?? 10 * 60_000;
  const backoffBase = deps.backoffBaseMs ?? 1000;
  const fieldCache = new Map<string, { at: number; defs: FieldDefs }>();

  async function fieldsOf(connectionId: string, connector: CrmConnector, objectType: string): Promise<FieldDefs> {
    const key = `${connectionId}:${objectType}`;
    const cached = fieldCache.get(key);
    if (cached && Date.now() - cached.at < (deps.fieldCacheMs ?? 5 * 60_000)) return cached.defs;
    const stream = connector.streams().find((s) => s.name === objectType) ?? { name: objectType, kind: 'CONTACT' as const };
    const defs = fieldDefsByName(await connector.describe(stream));
    fieldCache.set(key, { at: Date.now(), defs });
    return defs;
  }

  function collapse(provider: Provider, rows: OutboxRow[]): Collapsed[] {
    const groups = new Map<string, OutboxRow[]>();
    for (const row of [...rows].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())) {
      const identity = row.remoteId ?? String(row.fields.email ?? row.fields.Email ?? row.id).toLowerCase();
      const key = `${row.operation}:${row.objectType}:${identity}`;
      groups.set(key, [...(groups.get(key) ?? []), row]);
    }
    return [...groups.values()].map((group) => {
      const first = group[0]!;
      const fields = Object.assign({}, ...group.map((r) => r.fields)) as Record<string, unknown>;
      return {
        rows: group,
        fields,
        op: { key: first.id, objectType: crmObjectFor(provider, first.objectType), remoteId: first.remoteId, operation: first.operation, properties: {} },
      };
    });
  }

  /** Decides each failed item's fate on its own; successes are settled in bulk by the caller. */
  async function handleFailure(connectionId: string, item: Collapsed, result: WriteResult | undefined, token: Date): Promise<keyof DrainResult> {
    const ids: Lease = { ids: item.rows.map((r) => r.id), token };
    const error = result?.error ?? new CrmError('HUBSPOT', 'protocol', 'the connector returned no result for this write', { origin: 'us' });
    const reason = scrubSecrets(`[${error.provider} ${error.kind}${error.details.crmCode ? ` ${error.details.crmCode}` : ''}] ${error.message}`);
    if (result?.recordFailure === 'gone') {
      await markDead(deps.db, ids, `record deleted in CRM: ${reason}`);
      if (item.op.remoteId) await tombstoneContact(deps.db, connectionId, item.op.remoteId);
      return 'dead';
    }
    // A failed call (not one record's refusal) that concerns the connection: flag it and wait.
    if (!result?.recordFailure && blocksConnection(error)) {
      await markConnectionFailure(deps.db, connectionId, error);
      await retryLater(deps.db, ids, 60_000, reason, false);
      return 'waiting';
    }
    // The newest row's count: older rows to the same record ride along (their values are
    // superseded field by field) and must not spend the newest value's attempts.
    const attempts = item.rows.at(-1)!.attempts;
    if (error.retryable && attempts < maxAttempts) {
      const delay = Math.max(error.details.retryAfterMs ?? 0, backoffBase * 2 ** (attempts - 1));
      await retryLater(deps.db, ids, Math.min(delay, 60_000), reason, true);
      return 'retried';
    }
    await markDead(deps.db, ids, error.retryable ? `gave up after ${attempts} attempts: ${reason}` : reason);
    return 'dead';
  }

  /** A created or upserted contact is read back into the store at once, links included. */
  async function refreshUpserted(connectionId: string, connector: CrmConnector, records: { objectType: string; remoteId: string | undefined }[]): Promise<void> {
    const actions = recordActions({ db: deps.db, logger: deps.logger }, connectionId, connector);
    const byStream = new Map<string, string[]>();
    for (const r of records) if (r.remoteId) byStream.set(r.objectType, [...(byStream.get(r.objectType) ?? []), r.remoteId]);
    for (const [stream, ids] of byStream) {
      try {
        const failures = await actions.refresh(stream, ids);
        if (failures.length) deps.logger.warn({ connectionId, stream, error: describeFailures(failures) }, 'an upserted contact could not be read back; the next sync will report it');
      } catch (error) {
        deps.logger.warn({ err: error, connectionId, stream }, 'an upserted contact could not be read back; the next sync will');
      }
    }
  }

  /**
   * Keeps a lease alive while a send runs (a rate-limited drain can outlast it): renewed every
   * third of the lease, and the renewals finish before the caller settles with the new token,
   * so a settle never races a renewal. Rows another worker took meanwhile drop out.
   */
  async function whileSending<T>(lease: Lease, sending: Promise<T>): Promise<T> {
    let renewals: Promise<void> = Promise.resolve();
    const timer = setInterval(() => {
      renewals = renewals
        .then(async () => {
          Object.assign(lease, await renewLease(deps.db, lease));
        })
        .catch((error: unknown) => deps.logger.warn({ err: error }, 'write-back lease could not be renewed; another worker may send these rows again'));
    }, leaseMs / 3);
    try {
      return await sending;
    } finally {
      clearInterval(timer);
      await renewals;
    }
  }

  /**
   * `lease` is this connection's claim; its token moves while a long send renews it (see
   * whileSending), so settling always reads the current one.
   */
  async function drainConnection(connectionId: string, rows: OutboxRow[], lease: Lease, tally: DrainResult): Promise<void> {
    const connection = await deps.db.prisma.connection.findUniqueOrThrow({ where: { id: connectionId } });
    const items = collapse(connection.provider, rows);
    // Building the connector or describing an object failed: its items fail that way (a 401
    // blocks the connection, a bug counts attempts and ends DEAD).
    const fail = async (item: Collapsed, error: unknown) => {
      const crmError = error instanceof CrmError ? error : new CrmError(connection.provider, 'server', (error as Error).message, { origin: 'us' });
      tally[await handleFailure(connectionId, item, { key: item.op.key, ok: false, error: crmError }, lease.token)] += item.rows.length;
    };
    let connector: CrmConnector;
    try {
      connector = await deps.connectorFor(connectionId);
    } catch (error) {
      for (const item of items) await fail(item, error);
      return;
    }
    const mapping = mappingFor(connection.provider, connection.settings);
    const ready: Collapsed[] = [];
    /** Objects whose describe failed this tick: their items fail, the other objects' go out. */
    const undescribed = new Map<string, unknown>();
    for (const item of items) {
      let defs: FieldDefs;
      try {
        // A describe refused for the connection (auth, permission, limit) holds back every object.
        const known = undescribed.get(item.op.objectType) ?? [...undescribed.values()].find(blocksConnection);
        if (known) throw known;
        defs = await fieldsOf(connectionId, connector, item.op.objectType);
      } catch (error) {
        undescribed.set(item.op.objectType, error);
        await fail(item, error);
        continue;
      }
      const mapped = item.op.operation === 'UPDATE' ? mapFields(item.fields, mapping, defs) : contactUpsert(connection.provider, item);
      if (mapped.missing.length) {
        await markDead(
          deps.db,
          { ids: item.rows.map((r) => r.id), token: lease.token },
          `field(s) ${mapped.missing.join(', ')} do not exist on ${item.op.objectType} in ${connection.provider}; run: context-layer fields ensure ${connection.name}`,
        );
        tally.dead += item.rows.length;
        continue;
      }
      item.op.properties = mapped.properties;
      ready.push(item);
    }
    if (!ready.length) return;
    let results: WriteResult[];
    try {
      results = await whileSending(lease, connector.write(ready.map((r) => r.op)));
    } catch (error) {
      const crmError = error instanceof CrmError ? error : new CrmError(connection.provider, 'network', (error as Error).message, { origin: 'us' });
      results = ready.map((r) => ({ key: r.op.key, ok: false, error: crmError }));
    }
    const byKey = new Map(results.map((r) => [r.key, r]));
    const succeeded = ready.filter((item) => byKey.get(item.op.key)?.ok);
    // Settle first: whatever fails after this must not send these writes again.
    await markDone(deps.db, { ids: succeeded.flatMap((item) => item.rows.map((r) => r.id)), token: lease.token });
    tally.done += succeeded.reduce((n, item) => n + item.rows.length, 0);
    for (const item of ready.filter((i) => !byKey.get(i.op.key)?.ok)) {
      const outcome = await handleFailure(connectionId, item, byKey.get(item.op.key), lease.token);
      tally[outcome] += item.rows.length;
    }
    const updatesByObject = new Map<string, { remoteId: string; properties: WriteOp['properties'] }[]>();
    for (const { op } of succeeded) {
      if (op.operation !== 'UPDATE' || !op.remoteId) continue;
      updatesByObject.set(op.objectType, [...(updatesByObject.get(op.objectType) ?? []), { remoteId: op.remoteId, properties: op.properties }]);
    }
    // Each object on its own: one that cannot be reflected must not hold up the others.
    for (const [objectType, writes] of updatesByObject) {
      try {
        await reflectWrites({ db: deps.db, logger: deps.logger }, connectionId, connector, objectType, writes, await fieldsOf(connectionId, connector, objectType));
      } catch (error) {
        deps.logger.warn({ err: error, connectionId, objectType }, 'delivered writes could not be reflected in the store yet; the next sync will');
      }
    }
    await refreshUpserted(connectionId, connector, succeeded.filter((i) => i.op.operation === 'UPSERT_CONTACT').map((i) => ({ objectType: i.op.objectType, remoteId: byKey.get(i.op.key)?.remoteId })));
  }

  async function drainOnce(): Promise<DrainResult> {
    await releaseExpiredLeases(deps.db, leaseMs, maxAttempts);
    const rows = await claimDue(deps.db, deps.batchSize ?? 1000);
    const tally: DrainResult = { claimed: rows.length, done: 0, dead: 0, retried: 0, waiting: 0 };
    const byConnection = new Map<string, OutboxRow[]>();
    for (const row of rows) byConnection.set(row.connectionId, [...(byConnection.get(row.connectionId) ?? []), row]);
    for (const [connectionId, claimed] of byConnection) {
      // Connections are drained one after another: renew the lease so a slow one before this
      // does not let another worker take these rows meanwhile; keep only the rows still ours.
      const lease = await renewLease(deps.db, { ids: claimed.map((r) => r.id), token: claimed[0]!.claimedAt });
      const mine = new Set(lease.ids);
      const group = claimed.filter((r) => mine.has(r.id));
      try {
        await drainConnection(connectionId, group, lease, tally);
      } catch (error) {
        // Unexpected: rows still ours go back (settled ones are no longer SENDING under this
        // lease, so they are untouched), counted, and dead after maxAttempts.
        deps.logger.error({ err: error, connectionId }, 'write-back failed for a connection');
        const reason = scrubSecrets(`[context-layer] ${(error as Error).message}`);
        const exhausted = group.filter((r) => r.attempts >= maxAttempts).map((r) => r.id);
        await markDead(deps.db, { ids: exhausted, token: lease.token }, `gave up after ${maxAttempts} attempts: ${reason}`);
        await retryLater(deps.db, { ids: group.filter((r) => r.attempts < maxAttempts).map((r) => r.id), token: lease.token }, backoffBase, reason, true);
        tally.retried += group.length;
      }
    }
    if (rows.length) deps.logger.info(tally, 'write-back tick');
    return tally;
  }

  let timer: NodeJS.Timeout | null = null;
  let busy: Promise<unknown> | null = null;
  return {
    drainOnce,
    async drainAll(maxTicks = 1000) {
      const total: DrainResult = { claimed: 0, done: 0, dead: 0, retried: 0, waiting: 0 };
      for (let tick = 0; tick < maxTicks; tick++) {
        const result = await drainOnce();
        for (const k of Object.keys(total) as (keyof DrainResult)[]) total[k] += result[k];
        if (!result.claimed) break;
      }
      return total;
    },
    start(intervalMs = 1000) {
      timer = setInterval(() => {
        if (busy) return;
        busy = drainOnce()
          .catch((error: unknown) => deps.logger.error({ err: error }, 'write-back tick failed'))
          .finally(() => (busy = null));
      }, intervalMs);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      await busy;
    },
  };
}
