/**
 * Projects a generated world into HubSpot: people with inHubspot become contacts, and every
 * company, deal and activity becomes the matching HubSpot object with HubSpot's property
 * names and associations. Values are written as HubSpot returns them (strings).
 */
import type { ActivityKind, World, WorldActivity } from '../world/types.js';
import { associationTypes, type ObjectType } from './schema.js';
import type { HubspotRecord, HubspotStore } from './store.js';

const ACTIVITY_TYPE: Record<ActivityKind, ObjectType> = {
  email: 'emails', call: 'calls', meeting: 'meetings', note: 'notes', task: 'tasks',
};

/** Owner ids look like HubSpot's (large numbers), derived from the owner's position. */
const OWNER_ID_BASE = 70_000_000;

export function projectWorld(store: HubspotStore, world: World): void {
  store.reset();
  const ownerIds = new Map<string, string>();
  const epoch = new Date(Date.UTC(2022, 0, 1)).toISOString();
  world.owners.forEach((owner, i) => {
    const id = String(OWNER_ID_BASE + i + 1);
    ownerIds.set(owner.key, id);
    store.owners.push({
      id, email: owner.email, firstName: owner.firstName, lastName: owner.lastName,
      userId: 9_000_000 + i + 1, createdAt: epoch, updatedAt: epoch, archived: false,
      teams: [{ id: String(100 + (i % 3)), name: ['Inbound', 'Outbound', 'Enterprise'][i % 3] as string, primary: true }],
    });
  });
  const owner = (key: string | null): string | null => (key ? (ownerIds.get(key) ?? null) : null);

  const companyIds = new Map<string, string>();
  const companyNames = new Map<string, string>();
  for (const company of world.companies) {
    const record = seed(store, 'companies', {
      name: company.name, domain: company.domain, industry: company.industry,
      numberofemployees: company.employees, annualrevenue: company.annualRevenue,
      city: company.city, country: company.country, hubspot_owner_id: owner(company.ownerKey),
      website: `https://www.${company.domain}`,
    }, company.createdAt, company.updatedAt);
    companyIds.set(company.key, record.id);
    companyNames.set(company.key, company.name);
    store.worldIds.set(company.key, { type: 'companies', id: record.id });
  }

  const contactIds = new Map<string, string>();
  for (const person of world.people) {
    if (!person.inHubspot) continue;
    const companyId = person.companyKey ? companyIds.get(person.companyKey) : undefined;
    const record = seed(store, 'contacts', {
      firstname: person.firstName, lastname: person.lastName, email: person.email, jobtitle: person.title,
      phone: person.phone, company: person.companyKey ? (companyNames.get(person.companyKey) ?? null) : null,
      lifecyclestage: person.lifecycleStage, hs_lead_status: person.leadStatus,
      hubspot_owner_id: owner(person.ownerKey), associatedcompanyid: companyId ?? null,
      product_interest: person.interests.length > 0 ? person.interests.join(';') : null,
      engagement_score: scoreFor(person.key),
    }, person.createdAt, person.updatedAt);
    contactIds.set(person.key, record.id);
    store.worldIds.set(person.key, { type: 'contacts', id: record.id });
    if (companyId) {
      // A contact's company appears both as primary and unlabeled, as HubSpot returns it.
      link(store, 'contacts', record.id, 'companies', companyId, true);
    }
  }

  const dealIds = new Map<string, string>();
  for (const deal of world.deals) {
    const record = seed(store, 'deals', {
      dealname: deal.name, amount: deal.amount, deal_currency_code: deal.currency, dealstage: deal.stage,
      pipeline: 'default', closedate: deal.closeDate?.getTime() ?? null, hubspot_owner_id: owner(deal.ownerKey),
    }, deal.createdAt, deal.updatedAt);
    dealIds.set(deal.key, record.id);
    store.worldIds.set(deal.key, { type: 'deals', id: record.id });
    const companyId = deal.companyKey ? companyIds.get(deal.companyKey) : undefined;
    if (companyId) link(store, 'deals', record.id, 'companies', companyId, true);
    for (const personKey of deal.contactKeys) {
      const contactId = contactIds.get(personKey);
      if (contactId) link(store, 'deals', record.id, 'contacts', contactId, false);
    }
  }

  for (const activity of world.activities) {
    const contactId = contactIds.get(activity.personKey);
    if (!contactId) continue;
    const type = ACTIVITY_TYPE[activity.kind];
    const record = seed(store, type, {
      hs_timestamp: activity.occurredAt.getTime(), hubspot_owner_id: owner(activity.ownerKey), ...activityProperties(activity),
    }, activity.occurredAt, activity.occurredAt);
    store.worldIds.set(activity.key, { type, id: record.id });
    link(store, type, record.id, 'contacts', contactId, false);
    const companyId = activity.companyKey ? companyIds.get(activity.companyKey) : undefined;
    if (companyId) link(store, type, record.id, 'companies', companyId, false);
    const dealId = activity.dealKey ? dealIds.get(activity.dealKey) : undefined;
    if (dealId) link(store, type, record.id, 'deals', dealId, false);
  }
}

function activityProperties(activity: WorldActivity): Record<string, string | number | null> {
  switch (activity.kind) {
    case 'email':
      return { hs_email_subject: activity.subject, hs_email_html: activity.bodyHtml, hs_email_direction: 'EMAIL' };
    case 'call':
      return { hs_call_title: activity.subject, hs_call_body: activity.bodyHtml, hs_call_status: 'COMPLETED', hs_call_duration: (activity.key.length * 37_000) % 1_800_000 };
    case 'meeting':
      return { hs_meeting_title: activity.subject, hs_meeting_body: activity.bodyHtml, hs_meeting_start_time: activity.occurredAt.getTime(), hs_meeting_end_time: activity.occurredAt.getTime() + 1_800_000 };
    case 'note':
      return { hs_note_body: activity.bodyHtml };
    case 'task':
      return { hs_task_subject: activity.subject, hs_task_body: activity.bodyHtml, hs_task_status: 'NOT_STARTED', hs_task_priority: 'MEDIUM' };
  }
}

/** A stable 0–100 number derived from the key, for the custom number property. */
function scoreFor(key: string): number {
  let hash = 0;
  for (let i = 0; i < key.length; i++) hash = (hash * 31 + key.charCodeAt(i)) >>> 0;
  return hash % 101;
}

function seed(store: HubspotStore, type: ObjectType, properties: Record<string, string | number | null>, createdAt: Date, updatedAt: Date): HubspotRecord {
  const result = store.create(type, properties, { createdAt: createdAt.getTime(), updatedAt: updatedAt.getTime(), trusted: true });
  if (!result.ok) throw new Error(`Seeding ${type} failed: ${result.error.message}`);
  // Seeded data has been in the search index for a long time.
  result.value.writtenAt = 0;
  return result.value;
}

function link(store: HubspotStore, fromType: ObjectType, fromId: string, toType: ObjectType, toId: string, primary: boolean): void {
  const types = associationTypes(fromType, toType);
  if (!types) return;
  store.associations.add(fromType, fromId, toType, toId, types.unlabeled);
  if (primary && types.primary !== undefined) store.associations.add(fromType, fromId, toType, toId, types.primary);
}
