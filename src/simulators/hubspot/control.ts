/**
 * The control API: what a person does in HubSpot's UI, and what a test needs to arrange a
 * scenario. Edits here behave like UI edits: they bump modification times and emit webhooks
 * (changeSource CRM_UI), which API writes do not unless configured to.
 */
import type { FaultInjector, FaultRule, FaultRuleInput } from '../shared/faults.js';
import type { RequestLogEntry } from '../shared/request-log.js';
import { generateWorld } from '../world/generator.js';
import type { World } from '../world/types.js';
import { associationEvent, creationEvents, lifecycleEvent, mergeEvent, propertyChangeEvents } from './change-events.js';
import type { SimulatorState } from './context.js';
import type { HubspotError } from './errors.js';
import { projectWorld } from './project.js';
import { associationTypes, OBJECT_TYPES, type ObjectType } from './schema.js';
import type { HubspotRecord, Result } from './store.js';
import type { DeliveryAttempt, WebhookOptions } from './webhooks.js';

export class ControlError extends Error {
  constructor(readonly error: HubspotError) {
    super(error.message);
  }
}

export type SeedInput = World | { seed: number; contacts: number; now?: Date };

export interface StateDump {
  records: Record<ObjectType, HubspotRecord[]>;
  associations: { fromType: ObjectType; fromId: string; toType: ObjectType; toId: string; typeIds: number[] }[];
}

const SOURCE = 'CRM_UI';

function unwrap<T>(result: Result<T>): T {
  if (!result.ok) throw new ControlError(result.error);
  return result.value;
}

export class HubspotControl {
  constructor(private readonly sim: SimulatorState) {}

  get faults(): FaultInjector {
    return this.sim.faults;
  }

  /** Replaces the account's data with a world (only people with inHubspot become contacts). */
  seed(input: SeedInput): Record<ObjectType, number> {
    const world = 'people' in input ? input : generateWorld(input);
    projectWorld(this.sim.store, world);
    return Object.fromEntries(OBJECT_TYPES.map((t) => [t, this.sim.store.count(t)])) as Record<ObjectType, number>;
  }

  /** The HubSpot id of a world entity ("p-000001"), to match the same person across CRMs. */
  idFor(worldKey: string): { type: ObjectType; id: string } | undefined {
    return this.sim.store.worldIds.get(worldKey);
  }

  get(type: ObjectType, id: string): HubspotRecord | undefined {
    return this.sim.store.get(type, id) ?? this.sim.store.get(type, id, { archived: true });
  }

  create(type: ObjectType, properties: Record<string, string | number | boolean | null>): HubspotRecord {
    const record = unwrap(this.sim.store.create(type, properties));
    this.sim.webhooks.emit(creationEvents(record, SOURCE));
    return record;
  }

  /** `at` stamps the change (lastmodifieddate) at another instant, as for an edit that search indexed late. */
  update(type: ObjectType, id: string, properties: Record<string, string | number | boolean | null>, at?: number): HubspotRecord {
    const { record, changed } = unwrap(this.sim.store.update(type, id, properties, at));
    this.sim.webhooks.emit(propertyChangeEvents(record, changed, SOURCE));
    return record;
  }

  archive(type: ObjectType, id: string): HubspotRecord {
    const record = unwrap(this.sim.store.archive(type, id));
    this.sim.webhooks.emit(lifecycleEvent(record, 'deletion', SOURCE));
    return record;
  }

  restore(type: ObjectType, id: string): HubspotRecord {
    const record = unwrap(this.sim.store.restore(type, id));
    this.sim.webhooks.emit(lifecycleEvent(record, 'restore', SOURCE));
    return record;
  }

  merge(type: ObjectType, primaryId: string, mergedId: string): HubspotRecord {
    const record = unwrap(this.sim.store.merge(type, primaryId, mergedId));
    this.sim.webhooks.emit(mergeEvent(type, primaryId, mergedId, SOURCE));
    return record;
  }

  associate(fromType: ObjectType, fromId: string, toType: ObjectType, toId: string, options: { primary?: boolean } = {}): void {
    const defs = associationTypes(fromType, toType);
    if (!defs || !this.sim.store.get(fromType, fromId) || !this.sim.store.get(toType, toId)) {
      throw new ControlError({ status: 400, category: 'VALIDATION_ERROR', message: `Cannot associate ${fromType} ${fromId} with ${toType} ${toId}` });
    }
    this.sim.store.associations.add(fromType, fromId, toType, toId, defs.unlabeled);
    const primary = options.primary === true && defs.primary !== undefined;
    if (primary) this.sim.store.associations.add(fromType, fromId, toType, toId, defs.primary as number);
    this.sim.webhooks.emit(associationEvent(fromType, fromId, toType, toId, false, primary, SOURCE));
  }

  dissociate(fromType: ObjectType, fromId: string, toType: ObjectType, toId: string): boolean {
    const removed = this.sim.store.associations.removeAll(fromType, fromId, toType, toId);
    if (removed) this.sim.webhooks.emit(associationEvent(fromType, fromId, toType, toId, true, false, SOURCE));
    return removed;
  }

  /** Sets modification times in bulk without webhooks: scenario set-up, not a user action. */
  touch(type: ObjectType, ids: readonly string[] | 'all', at: Date | number): number {
    return this.sim.store.touch(type, ids, typeof at === 'number' ? at : at.getTime());
  }

  state(types: readonly ObjectType[] = OBJECT_TYPES): StateDump {
    const records = Object.fromEntries(OBJECT_TYPES.map((t) => [t, types.includes(t) ? this.sim.store.allRecords(t) : []])) as Record<ObjectType, HubspotRecord[]>;
    const associations: StateDump['associations'] = [];
    for (const type of types) {
      for (const record of records[type]) associations.push(...this.sim.store.associations.outgoing(type, record.id));
    }
    return { records, associations };
  }

  requests(): RequestLogEntry[] {
    return this.sim.requests.list();
  }

  addFault(rule: FaultRuleInput): FaultRule {
    return this.sim.faults.add(rule);
  }

  clearFaults(): void {
    this.sim.faults.clear();
  }

  setWebhook(options: WebhookOptions | null): void {
    this.sim.webhooks.configure(options);
  }

  webhookAttempts(): DeliveryAttempt[] {
    return this.sim.webhooks.attempts;
  }

  redeliverWebhook(batchId?: number): Promise<void> {
    return this.sim.webhooks.redeliver(batchId);
  }

  /** Waits until every pending webhook delivery has succeeded or given up. */
  webhooksIdle(): Promise<void> {
    return this.sim.webhooks.idle();
  }

  /** Rate-limit windows, the daily count and the request log start from zero. */
  resetCounters(): void {
    this.sim.limits.reset();
    this.sim.requests.clear();
  }

  setDailyUsed(used: number): void {
    this.sim.limits.setDailyUsed(used);
  }

  setSearchLag(ms: number): void {
    this.sim.searchLagMs = ms;
  }

  /**
   * Moves the clock HubSpot reports in its Date headers, by `ms` from this machine's: for
   * clock skew, or for "an hour later" together with the client's clock. Record stamps stay
   * on this machine's clock (update's `at` sets one).
   */
  setClockOffset(ms: number): void {
    this.sim.clockOffsetMs = ms;
  }

  /** Expires every OAuth access token now; the next call answers EXPIRED_AUTHENTICATION. */
  expireAccessTokens(): void {
    this.sim.auth.expire();
  }
}
