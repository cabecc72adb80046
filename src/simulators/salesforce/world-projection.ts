/**
 * Projects a generated world into this org: owners become Users, companies Accounts, people in
 * Salesforce Leads or Contacts (per salesforceKind), deals Opportunities with contact roles,
 * activities Tasks (Events for meetings). Seeding writes straight into the store, without change
 * events, as if the data had always been there.
 */
import type { LeadStatus, DealStage, World, WorldActivity } from '../world/types.js';
import type { ObjectDef } from './schema.js';
import type { RecordLookup } from './soql/fields.js';
import { derivedValues, OPPORTUNITY_STAGES } from './standard-objects.js';
import { DAY_MS, formatDate, formatDateTime, type FieldValue } from './values.js';

const INDUSTRY_BY_WORLD_VALUE: Record<string, string> = {
  COMPUTER_SOFTWARE: 'Technology',
  INFORMATION_TECHNOLOGY_AND_SERVICES: 'Technology',
  FINANCIAL_SERVICES: 'Finance',
  HOSPITAL_HEALTH_CARE: 'Healthcare',
  MARKETING_AND_ADVERTISING: 'Media',
  LOGISTICS_AND_SUPPLY_CHAIN: 'Transportation',
  RETAIL: 'Retail',
  EDUCATION_MANAGEMENT: 'Education',
};

const LEAD_STATUS_BY_WORLD_VALUE: Record<LeadStatus, string> = {
  NEW: 'Open - Not Contacted',
  OPEN: 'Open - Not Contacted',
  IN_PROGRESS: 'Working - Contacted',
  ATTEMPTED_TO_CONTACT: 'Working - Contacted',
  CONNECTED: 'Working - Contacted',
  OPEN_DEAL: 'Working - Contacted',
  UNQUALIFIED: 'Closed - Not Converted',
  BAD_TIMING: 'Closed - Not Converted',
};

const STAGE_BY_WORLD_VALUE: Record<DealStage, string> = {
  appointmentscheduled: 'Qualification',
  qualifiedtobuy: 'Needs Analysis',
  presentationscheduled: 'Value Proposition',
  decisionmakerboughtin: 'Id. Decision Makers',
  contractsent: 'Negotiation/Review',
  closedwon: 'Closed Won',
  closedlost: 'Closed Lost',
};

const TASK_SUBTYPE: Record<WorldActivity['kind'], string> = { email: 'Email', call: 'Call', note: 'Task', task: 'Task', meeting: 'Task' };

export function mapIndustry(value: string | null): string | null {
  if (value === null) return null;
  return INDUSTRY_BY_WORLD_VALUE[value] ?? 'Other';
}

export interface ProjectionResult {
  /** World key (owner/company/person/deal/activity) → Salesforce id. */
  idsByKey: Map<string, string>;
  integrationUserId: string;
}

export function projectWorld(lookup: RecordLookup, world: World, integrationUsername: string): ProjectionResult {
  const { store, schema } = lookup;
  const idsByKey = new Map<string, string>();
  const earliest = Math.min(
    ...world.companies.slice(0, 1000).map((c) => c.createdAt.getTime()),
    ...world.people.slice(0, 1000).map((p) => p.createdAt.getTime()),
  );
  const orgCreated = (Number.isFinite(earliest) ? earliest : Date.UTC(2023, 0, 1)) - 30 * DAY_MS;
  let integrationUserId = '';

  const seed = (objectName: string, values: Record<string, FieldValue>, created: number, modified: number): string => {
    const object = schema.find(objectName) as ObjectDef;
    const record: Record<string, FieldValue> = {};
    for (const field of object.fields) record[field.name] = field.defaultValue ?? (field.type === 'boolean' ? false : null);
    const id = store.ids.next(object.keyPrefix);
    const createdBy = integrationUserId || id;
    Object.assign(record, {
      Id: id,
      IsDeleted: false,
      CreatedDate: formatDateTime(created),
      CreatedById: createdBy,
      LastModifiedDate: formatDateTime(modified),
      LastModifiedById: createdBy,
      SystemModstamp: formatDateTime(modified),
    });
    if (object.fieldsByLowerName.has('ownerid')) record.OwnerId = integrationUserId;
    for (const [name, value] of Object.entries(values)) if (value !== undefined) record[name] = value;
    Object.assign(record, derivedValues(objectName, record));
    store.put(objectName, record, null);
    return id;
  };
  const ownerId = (key: string | null): string => (key && idsByKey.get(key)) || integrationUserId;

  store.atomic(() => {
    integrationUserId = seed('User', { Username: integrationUsername, Email: integrationUsername, FirstName: 'Integration', LastName: 'User', Alias: 'integ', IsActive: true }, orgCreated, orgCreated);
    for (const owner of world.owners) {
      idsByKey.set(owner.key, seed('User', {
        Username: owner.email, Email: owner.email, FirstName: owner.firstName, LastName: owner.lastName,
        Alias: (owner.firstName.slice(0, 1) + owner.lastName.slice(0, 4)).toLowerCase(), IsActive: true,
      }, orgCreated, orgCreated));
    }
    const companies = new Map(world.companies.map((company) => [company.key, company]));
    for (const company of world.companies) {
      idsByKey.set(company.key, seed('Account', {
        Name: company.name, Website: `https://www.${company.domain}`, Industry: mapIndustry(company.industry),
        NumberOfEmployees: company.employees, AnnualRevenue: company.annualRevenue, BillingCity: company.city,
        BillingCountry: company.country, OwnerId: ownerId(company.ownerKey),
      }, company.createdAt.getTime(), company.updatedAt.getTime()));
    }
    const kinds = new Map<string, 'Lead' | 'Contact'>();
    for (const person of world.people) {
      if (!person.inSalesforce) continue;
      const company = person.companyKey ? companies.get(person.companyKey) : undefined;
      const common: Record<string, FieldValue> = {
        FirstName: person.firstName, LastName: person.lastName, Email: person.email, Title: person.title, Phone: person.phone,
        Product_Interest__c: person.interests.length > 0 ? person.interests.join(';') : null,
        Lifecycle_Stage__c: person.lifecycleStage, OwnerId: ownerId(person.ownerKey),
      };
      const kind = person.salesforceKind === 'Contact' && company ? 'Contact' : 'Lead';
      kinds.set(person.key, kind);
      const values: Record<string, FieldValue> = kind === 'Contact'
        ? { ...common, AccountId: idsByKey.get(company?.key ?? '') ?? null, MailingCity: company?.city ?? null, MailingCountry: company?.country ?? null }
        : {
            ...common, Company: company?.name ?? '[not provided]', Industry: mapIndustry(company?.industry ?? null),
            Status: person.leadStatus ? LEAD_STATUS_BY_WORLD_VALUE[person.leadStatus] : 'Open - Not Contacted',
            City: company?.city ?? null, Country: company?.country ?? null,
          };
      idsByKey.set(person.key, seed(kind, values, person.createdAt.getTime(), person.updatedAt.getTime()));
    }
    for (const deal of world.deals) {
      const accountId = deal.companyKey ? idsByKey.get(deal.companyKey) : undefined;
      const contactIds = deal.contactKeys.filter((key) => kinds.get(key) === 'Contact').map((key) => idsByKey.get(key) as string);
      if (!accountId && contactIds.length === 0) continue;
      const stage = STAGE_BY_WORLD_VALUE[deal.stage];
      const closeDate = deal.closeDate ?? new Date(deal.createdAt.getTime() + 90 * DAY_MS);
      const opportunityId = seed('Opportunity', {
        Name: deal.name, AccountId: accountId ?? null, StageName: stage, Amount: deal.amount, CloseDate: formatDate(closeDate.getTime()),
        Probability: OPPORTUNITY_STAGES.find((s) => s.value === stage)?.probability ?? null, OwnerId: ownerId(deal.ownerKey),
      }, deal.createdAt.getTime(), deal.updatedAt.getTime());
      idsByKey.set(deal.key, opportunityId);
      contactIds.forEach((contactId, index) => {
        seed('OpportunityContactRole', { OpportunityId: opportunityId, ContactId: contactId, Role: index === 0 ? 'Decision Maker' : 'Influencer', IsPrimary: index === 0 }, deal.createdAt.getTime(), deal.updatedAt.getTime());
      });
    }
    for (const activity of world.activities) {
      const whoId = idsByKey.get(activity.personKey);
      if (!whoId) continue;
      // Leads cannot be linked to an Account or Opportunity through WhatId.
      const whatId = kinds.get(activity.personKey) === 'Contact'
        ? (activity.dealKey && idsByKey.get(activity.dealKey)) || (activity.companyKey && idsByKey.get(activity.companyKey)) || null
        : null;
      const at = activity.occurredAt.getTime();
      const common = { Subject: activity.subject, Description: activity.bodyHtml, WhoId: whoId, WhatId: whatId, OwnerId: ownerId(activity.ownerKey) };
      const id = activity.kind === 'meeting'
        ? seed('Event', { ...common, StartDateTime: formatDateTime(at), EndDateTime: formatDateTime(at + 30 * 60_000), DurationInMinutes: 30 }, at, at)
        : seed('Task', { ...common, ActivityDate: formatDate(at), Status: 'Completed', TaskSubtype: TASK_SUBTYPE[activity.kind] }, at, at);
      idsByKey.set(activity.key, id);
    }
  });
  return { idsByKey, integrationUserId };
}
