/**
 * Turns record changes into HubSpot webhook events. Legacy webhook subscriptions exist for
 * contacts, companies and deals only, so engagement changes produce none. (The delivery
 * rewrites them into the generic object.* form when asked; engagement events are not
 * simulated in that form either.)
 */
import { SINGULAR, type ObjectType } from './schema.js';
import type { HubspotRecord } from './store.js';
import type { WebhookEventInput } from './webhooks.js';

const WEBHOOK_TYPES: ReadonlySet<ObjectType> = new Set(['contacts', 'companies', 'deals']);

export function hasWebhooks(type: ObjectType): boolean {
  return WEBHOOK_TYPES.has(type);
}

export function creationEvents(record: HubspotRecord, changeSource: string): WebhookEventInput[] {
  if (!hasWebhooks(record.type)) return [];
  return [{ subscriptionType: `${SINGULAR[record.type]}.creation`, objectId: Number(record.id), changeFlag: 'CREATED', changeSource }];
}

/** One propertyChange event per changed property, as HubSpot sends them. */
export function propertyChangeEvents(record: HubspotRecord, changed: readonly string[], changeSource: string): WebhookEventInput[] {
  if (!hasWebhooks(record.type)) return [];
  return changed.map((propertyName) => ({
    subscriptionType: `${SINGULAR[record.type]}.propertyChange`,
    objectId: Number(record.id),
    propertyName,
    propertyValue: record.properties[propertyName] ?? '',
    changeSource,
  }));
}

export function lifecycleEvent(record: HubspotRecord, kind: 'deletion' | 'restore', changeSource: string): WebhookEventInput[] {
  if (!hasWebhooks(record.type)) return [];
  return [{
    subscriptionType: `${SINGULAR[record.type]}.${kind}`,
    objectId: Number(record.id),
    changeFlag: kind === 'deletion' ? 'DELETED' : 'RESTORED',
    changeSource,
  }];
}

export function mergeEvent(type: ObjectType, primaryId: string, mergedId: string, changeSource: string): WebhookEventInput[] {
  if (!hasWebhooks(type)) return [];
  return [{
    subscriptionType: `${SINGULAR[type]}.merge`,
    objectId: Number(primaryId),
    primaryObjectId: Number(primaryId),
    mergedObjectIds: [Number(mergedId)],
    newObjectId: Number(primaryId),
    changeFlag: 'MERGED',
    changeSource,
  }];
}

/** associationType reads like HubSpot's: CONTACT_TO_COMPANY. */
export function associationEvent(
  fromType: ObjectType,
  fromId: string,
  toType: ObjectType,
  toId: string,
  removed: boolean,
  primary: boolean,
  changeSource: string,
): WebhookEventInput[] {
  if (!hasWebhooks(fromType)) return [];
  return [{
    subscriptionType: `${SINGULAR[fromType]}.associationChange`,
    objectId: Number(fromId),
    associationType: `${SINGULAR[fromType]}_TO_${SINGULAR[toType]}`.toUpperCase(),
    fromObjectId: Number(fromId),
    toObjectId: Number(toId),
    associationRemoved: removed,
    isPrimaryAssociation: primary,
    changeSource,
  }];
}
