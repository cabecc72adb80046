/**
 * The standard sObjects the simulator serves, with the fields our connectors read and write.
 * Picklist values follow a default Salesforce org. Two custom fields exist from the start, like
 * in a typical customer org: a multi-select Product_Interest__c and a Lifecycle_Stage__c picklist
 * whose labels differ from their API values (so label handling is exercised).
 */
import { buildObject, picklist, SchemaRegistry, type FieldDef } from './schema.js';

export const INDUSTRIES = [
  'Agriculture', 'Apparel', 'Banking', 'Biotechnology', 'Chemicals', 'Communications', 'Construction',
  'Consulting', 'Education', 'Electronics', 'Energy', 'Engineering', 'Entertainment', 'Environmental',
  'Finance', 'Food & Beverage', 'Government', 'Healthcare', 'Hospitality', 'Insurance', 'Machinery',
  'Manufacturing', 'Media', 'Not For Profit', 'Other', 'Recreation', 'Retail', 'Shipping', 'Technology',
  'Telecommunications', 'Transportation', 'Utilities',
];

export const LEAD_STATUSES = ['Open - Not Contacted', 'Working - Contacted', 'Closed - Converted', 'Closed - Not Converted'];

export const OPPORTUNITY_STAGES: { value: string; closed: boolean; won: boolean; probability: number }[] = [
  { value: 'Prospecting', closed: false, won: false, probability: 10 },
  { value: 'Qualification', closed: false, won: false, probability: 10 },
  { value: 'Needs Analysis', closed: false, won: false, probability: 20 },
  { value: 'Value Proposition', closed: false, won: false, probability: 50 },
  { value: 'Id. Decision Makers', closed: false, won: false, probability: 60 },
  { value: 'Perception Analysis', closed: false, won: false, probability: 70 },
  { value: 'Proposal/Price Quote', closed: false, won: false, probability: 75 },
  { value: 'Negotiation/Review', closed: false, won: false, probability: 90 },
  { value: 'Closed Won', closed: true, won: true, probability: 100 },
  { value: 'Closed Lost', closed: true, won: false, probability: 0 },
];

export const LIFECYCLE_STAGE_LABELS: Record<string, string> = {
  subscriber: 'Subscriber',
  lead: 'Lead',
  marketingqualifiedlead: 'Marketing Qualified Lead',
  salesqualifiedlead: 'Sales Qualified Lead',
  opportunity: 'Opportunity',
  customer: 'Customer',
  evangelist: 'Evangelist',
  other: 'Other',
};

/** API values as the world generator spells them; labels as an admin would have typed them. */
export const PRODUCT_INTEREST_LABELS: Record<string, string> = {
  analytics: 'Analytics Suite',
  automation: 'Workflow Automation',
  integrations: 'Integrations Hub',
  ai_scoring: 'AI Scoring',
  enterprise_support: 'Enterprise Support',
};

const LEAD_SOURCES = ['Web', 'Phone Inquiry', 'Partner Referral', 'Purchased List', 'Other'];
const TASK_STATUSES = ['Not Started', 'In Progress', 'Completed', 'Waiting on someone else', 'Deferred'];

const personFields = (): Parameters<typeof buildObject>[3] => [
  { name: 'FirstName', type: 'string', length: 40 },
  { name: 'LastName', type: 'string', length: 80, nillable: false, requiredOnCreate: true },
  { name: 'Name', type: 'string', label: 'Full Name', length: 121, createable: false, updateable: false },
  { name: 'Email', type: 'email', idLookup: true },
  { name: 'Title', type: 'string', length: 128 },
  { name: 'Phone', type: 'phone' },
  { name: 'LeadSource', type: 'picklist', picklistValues: picklist(LEAD_SOURCES) },
  {
    name: 'Product_Interest__c', type: 'multipicklist', label: 'Product Interest',
    picklistValues: picklist(Object.keys(PRODUCT_INTEREST_LABELS), PRODUCT_INTEREST_LABELS),
  },
  {
    name: 'Lifecycle_Stage__c', type: 'picklist', label: 'Lifecycle Stage',
    picklistValues: picklist(Object.keys(LIFECYCLE_STAGE_LABELS), LIFECYCLE_STAGE_LABELS),
  },
];

export function createStandardSchema(): SchemaRegistry {
  const schema = new SchemaRegistry();
  schema.register(buildObject('User', '005', 'Users', [
    { name: 'Username', type: 'string', length: 80, nillable: false, requiredOnCreate: true, unique: true, idLookup: true },
    { name: 'Email', type: 'email', nillable: false, requiredOnCreate: true },
    { name: 'FirstName', type: 'string', length: 40 },
    { name: 'LastName', type: 'string', length: 80, nillable: false, requiredOnCreate: true },
    { name: 'Name', type: 'string', label: 'Full Name', length: 121, createable: false, updateable: false },
    { name: 'Alias', type: 'string', length: 8 },
    { name: 'Title', type: 'string', length: 80 },
    { name: 'IsActive', type: 'boolean', label: 'Active', nillable: false, defaultValue: true },
  ], { withOwner: false }));

  schema.register(buildObject('Account', '001', 'Accounts', [
    { name: 'Name', type: 'string', label: 'Account Name', nillable: false, requiredOnCreate: true },
    { name: 'Website', type: 'url' },
    { name: 'Industry', type: 'picklist', picklistValues: picklist(INDUSTRIES) },
    { name: 'Type', type: 'picklist', label: 'Account Type', picklistValues: picklist(['Prospect', 'Customer - Direct', 'Customer - Channel', 'Partner', 'Other']) },
    { name: 'NumberOfEmployees', type: 'int', label: 'Employees' },
    { name: 'AnnualRevenue', type: 'currency' },
    { name: 'Phone', type: 'phone', label: 'Account Phone' },
    { name: 'BillingCity', type: 'string', length: 40 },
    { name: 'BillingCountry', type: 'string', length: 80 },
    { name: 'Description', type: 'textarea', label: 'Account Description' },
  ]));

  schema.register(buildObject('Lead', '00Q', 'Leads', [
    ...personFields(),
    { name: 'Company', type: 'string', nillable: false, requiredOnCreate: true },
    { name: 'Status', type: 'picklist', label: 'Lead Status', nillable: false, defaultValue: LEAD_STATUSES[0] ?? null, picklistValues: picklist(LEAD_STATUSES, {}, LEAD_STATUSES[0]) },
    { name: 'Industry', type: 'picklist', picklistValues: picklist(INDUSTRIES) },
    { name: 'Website', type: 'url' },
    { name: 'City', type: 'string', length: 40 },
    { name: 'Country', type: 'string', length: 80 },
    { name: 'NumberOfEmployees', type: 'int', label: 'Employees' },
    { name: 'AnnualRevenue', type: 'currency' },
    { name: 'IsConverted', type: 'boolean', label: 'Converted', nillable: false, updateable: false, defaultValue: false },
    { name: 'ConvertedDate', type: 'date', createable: false, updateable: false },
    { name: 'ConvertedContactId', type: 'reference', referenceTo: ['Contact'], relationshipName: 'ConvertedContact', createable: false, updateable: false },
    { name: 'ConvertedAccountId', type: 'reference', referenceTo: ['Account'], relationshipName: 'ConvertedAccount', createable: false, updateable: false },
  ]));

  schema.register(buildObject('Contact', '003', 'Contacts', [
    { name: 'AccountId', type: 'reference', referenceTo: ['Account'], relationshipName: 'Account' },
    ...personFields(),
    { name: 'MobilePhone', type: 'phone' },
    { name: 'Department', type: 'string', length: 80 },
    { name: 'MailingCity', type: 'string', length: 40 },
    { name: 'MailingCountry', type: 'string', length: 80 },
  ]));

  schema.register(buildObject('Opportunity', '006', 'Opportunities', [
    { name: 'Name', type: 'string', length: 120, nillable: false, requiredOnCreate: true },
    { name: 'AccountId', type: 'reference', referenceTo: ['Account'], relationshipName: 'Account' },
    { name: 'StageName', type: 'picklist', label: 'Stage', nillable: false, requiredOnCreate: true, picklistValues: picklist(OPPORTUNITY_STAGES.map((s) => s.value)) },
    { name: 'Amount', type: 'currency' },
    { name: 'Probability', type: 'percent', label: 'Probability (%)', precision: 3 },
    { name: 'CloseDate', type: 'date', nillable: false, requiredOnCreate: true },
    { name: 'IsClosed', type: 'boolean', label: 'Closed', createable: false, updateable: false, nillable: false },
    { name: 'IsWon', type: 'boolean', label: 'Won', createable: false, updateable: false, nillable: false },
    { name: 'LeadSource', type: 'picklist', picklistValues: picklist(LEAD_SOURCES) },
    { name: 'Description', type: 'textarea' },
  ]));

  schema.register(buildObject('OpportunityContactRole', '00K', 'Opportunity Contact Role', [
    { name: 'OpportunityId', type: 'reference', referenceTo: ['Opportunity'], relationshipName: 'Opportunity', nillable: false, requiredOnCreate: true, updateable: false },
    { name: 'ContactId', type: 'reference', referenceTo: ['Contact'], relationshipName: 'Contact', nillable: false, requiredOnCreate: true },
    { name: 'Role', type: 'picklist', picklistValues: picklist(['Business User', 'Decision Maker', 'Economic Buyer', 'Economic Decision Maker', 'Evaluator', 'Executive Sponsor', 'Influencer', 'Technical Buyer', 'Other']) },
    { name: 'IsPrimary', type: 'boolean', label: 'Primary', nillable: false, defaultValue: false },
  ], { withOwner: false }));

  const activityRefs = [
    { name: 'WhoId', type: 'reference', label: 'Name ID', referenceTo: ['Contact', 'Lead'], relationshipName: 'Who' },
    { name: 'WhatId', type: 'reference', label: 'Related To ID', referenceTo: ['Account', 'Opportunity'], relationshipName: 'What' },
  ] as const;

  schema.register(buildObject('Task', '00T', 'Tasks', [
    { name: 'Subject', type: 'string', picklistValues: [] },
    { name: 'Description', type: 'textarea', label: 'Comments' },
    { name: 'ActivityDate', type: 'date', label: 'Due Date Only' },
    ...activityRefs.map((ref) => ({ ...ref, referenceTo: [...ref.referenceTo] })),
    { name: 'Status', type: 'picklist', nillable: false, defaultValue: 'Not Started', picklistValues: picklist(TASK_STATUSES, {}, 'Not Started') },
    { name: 'Priority', type: 'picklist', nillable: false, defaultValue: 'Normal', picklistValues: picklist(['High', 'Normal', 'Low'], {}, 'Normal') },
    { name: 'TaskSubtype', type: 'picklist', updateable: false, picklistValues: picklist(['Task', 'Email', 'ListEmail', 'Cadence', 'Call', 'LinkedIn']) },
    { name: 'IsClosed', type: 'boolean', label: 'Closed', createable: false, updateable: false, nillable: false },
  ]));

  schema.register(buildObject('Event', '00U', 'Events', [
    { name: 'Subject', type: 'string' },
    { name: 'Description', type: 'textarea' },
    { name: 'StartDateTime', type: 'datetime', label: 'Start Date Time' },
    { name: 'EndDateTime', type: 'datetime', label: 'End Date Time' },
    { name: 'DurationInMinutes', type: 'int', label: 'Duration' },
    { name: 'Location', type: 'string' },
    ...activityRefs.map((ref) => ({ ...ref, referenceTo: [...ref.referenceTo] })),
  ]));
  return schema;
}

export function stageInfo(stage: string): { closed: boolean; won: boolean } {
  const known = OPPORTUNITY_STAGES.find((s) => s.value === stage);
  return known ?? { closed: false, won: false };
}

/** Fields derived by the platform on every save (formula-like standard fields). */
export function derivedValues(objectName: string, values: Record<string, unknown>): Record<string, unknown> {
  switch (objectName) {
    case 'Lead':
    case 'Contact':
    case 'User': {
      const first = typeof values.FirstName === 'string' ? values.FirstName : '';
      const last = typeof values.LastName === 'string' ? values.LastName : '';
      return { Name: [first, last].filter(Boolean).join(' ') };
    }
    case 'Opportunity': {
      const info = stageInfo(String(values.StageName ?? ''));
      return { IsClosed: info.closed, IsWon: info.won };
    }
    case 'Task':
      return { IsClosed: values.Status === 'Completed' };
    default:
      return {};
  }
}

export type { FieldDef };
