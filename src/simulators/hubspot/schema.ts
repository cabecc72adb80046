/**
 * The HubSpot data model the simulator serves: object types, their properties as the
 * Properties API describes them, the properties returned by default, and the v4
 * association type ids. Names and ids are HubSpot's own so connector code written against
 * the simulator works unchanged against api.hubapi.com.
 */

export const OBJECT_TYPES = ['contacts', 'companies', 'deals', 'emails', 'calls', 'meetings', 'notes', 'tasks'] as const;
export type ObjectType = (typeof OBJECT_TYPES)[number];
export const ENGAGEMENT_TYPES = ['emails', 'calls', 'meetings', 'notes', 'tasks'] as const satisfies readonly ObjectType[];

/** HubSpot accepts singular names, plural names and numeric type ids in paths. */
const TYPE_ALIASES: Record<string, ObjectType> = {
  contact: 'contacts', contacts: 'contacts', '0-1': 'contacts',
  company: 'companies', companies: 'companies', '0-2': 'companies',
  deal: 'deals', deals: 'deals', '0-3': 'deals',
  email: 'emails', emails: 'emails', '0-49': 'emails',
  call: 'calls', calls: 'calls', '0-48': 'calls',
  meeting: 'meetings', meetings: 'meetings', '0-47': 'meetings',
  note: 'notes', notes: 'notes', '0-46': 'notes',
  task: 'tasks', tasks: 'tasks', '0-27': 'tasks',
};

export function resolveObjectType(segment: string): ObjectType | undefined {
  return TYPE_ALIASES[segment.toLowerCase()];
}

/** Singular form used in webhook subscription types ("contact.creation"). */
export const SINGULAR: Record<ObjectType, string> = {
  contacts: 'contact', companies: 'company', deals: 'deal', emails: 'email',
  calls: 'call', meetings: 'meeting', notes: 'note', tasks: 'task',
};

export type PropertyType = 'string' | 'number' | 'date' | 'datetime' | 'enumeration' | 'bool' | 'phone_number';

export interface PropertyOption {
  label: string;
  value: string;
  hidden: boolean;
  displayOrder: number;
}

export interface PropertyDefinition {
  name: string;
  label: string;
  type: PropertyType;
  fieldType: string;
  groupName: string;
  description: string;
  options: PropertyOption[];
  /** HubSpot computes these; writing them is rejected like an unknown property would be. */
  readOnly: boolean;
  hubspotDefined: boolean;
}

/** The property that moves on every write; incremental syncs use it as their cursor. */
export const LAST_MODIFIED: Record<ObjectType, string> = {
  contacts: 'lastmodifieddate',
  companies: 'hs_lastmodifieddate',
  deals: 'hs_lastmodifieddate',
  emails: 'hs_lastmodifieddate',
  calls: 'hs_lastmodifieddate',
  meetings: 'hs_lastmodifieddate',
  notes: 'hs_lastmodifieddate',
  tasks: 'hs_lastmodifieddate',
};

export const CREATED: Record<ObjectType, string> = {
  contacts: 'createdate',
  companies: 'createdate',
  deals: 'createdate',
  emails: 'hs_createdate',
  calls: 'hs_createdate',
  meetings: 'hs_createdate',
  notes: 'hs_createdate',
  tasks: 'hs_createdate',
};

/** What a GET returns when the caller names no properties. */
export const DEFAULT_PROPERTIES: Record<ObjectType, readonly string[]> = {
  contacts: ['createdate', 'email', 'firstname', 'hs_object_id', 'lastmodifieddate', 'lastname'],
  companies: ['createdate', 'domain', 'hs_lastmodifieddate', 'hs_object_id', 'name'],
  deals: ['amount', 'closedate', 'createdate', 'dealname', 'dealstage', 'hs_lastmodifieddate', 'hs_object_id', 'pipeline'],
  emails: ['hs_createdate', 'hs_lastmodifieddate', 'hs_object_id'],
  calls: ['hs_createdate', 'hs_lastmodifieddate', 'hs_object_id'],
  meetings: ['hs_createdate', 'hs_lastmodifieddate', 'hs_object_id'],
  notes: ['hs_createdate', 'hs_lastmodifieddate', 'hs_object_id'],
  tasks: ['hs_createdate', 'hs_lastmodifieddate', 'hs_object_id'],
};

/** Free-text `query` in search looks at these, as HubSpot's default searchable properties. */
export const QUERY_PROPERTIES: Record<ObjectType, readonly string[]> = {
  contacts: ['firstname', 'lastname', 'email', 'phone', 'company'],
  companies: ['name', 'domain', 'website', 'phone'],
  deals: ['dealname'],
  emails: ['hs_email_subject'],
  calls: ['hs_call_title'],
  meetings: ['hs_meeting_title'],
  notes: ['hs_note_body'],
  tasks: ['hs_task_subject'],
};

function option(value: string, label: string, displayOrder: number): PropertyOption {
  return { value, label, hidden: false, displayOrder };
}

/** "COMPUTER_SOFTWARE" → "Computer Software": HubSpot's labels differ from stored values. */
function labelFromConstant(value: string): string {
  return value
    .toLowerCase()
    .split('_')
    .map((word) => (word === 'and' ? 'and' : word.charAt(0).toUpperCase() + word.slice(1)))
    .join(' ');
}

type Spec = [name: string, label: string, type: PropertyType, extra?: { options?: PropertyOption[]; readOnly?: boolean; fieldType?: string; custom?: boolean }];

function define(specs: Spec[], groupName: string): PropertyDefinition[] {
  return specs.map(([name, label, type, extra]) => ({
    name,
    label,
    type,
    fieldType:
      extra?.fieldType ??
      ({ string: 'text', number: 'number', date: 'date', datetime: 'date', enumeration: 'select', bool: 'booleancheckbox', phone_number: 'phonenumber' } as const)[type],
    groupName,
    description: '',
    options: extra?.options ?? [],
    readOnly: extra?.readOnly ?? false,
    hubspotDefined: !(extra?.custom ?? false),
  }));
}

const LIFECYCLE_OPTIONS = [
  ['subscriber', 'Subscriber'], ['lead', 'Lead'], ['marketingqualifiedlead', 'Marketing Qualified Lead'],
  ['salesqualifiedlead', 'Sales Qualified Lead'], ['opportunity', 'Opportunity'], ['customer', 'Customer'],
  ['evangelist', 'Evangelist'], ['other', 'Other'],
].map(([value, label], i) => option(value as string, label as string, i));

const LEAD_STATUS_OPTIONS = ['NEW', 'OPEN', 'IN_PROGRESS', 'OPEN_DEAL', 'UNQUALIFIED', 'ATTEMPTED_TO_CONTACT', 'CONNECTED', 'BAD_TIMING']
  .map((value, i) => option(value, labelFromConstant(value), i));

const INDUSTRY_OPTIONS = [
  'COMPUTER_SOFTWARE', 'INFORMATION_TECHNOLOGY_AND_SERVICES', 'FINANCIAL_SERVICES', 'HOSPITAL_HEALTH_CARE',
  'MARKETING_AND_ADVERTISING', 'LOGISTICS_AND_SUPPLY_CHAIN', 'RETAIL', 'EDUCATION_MANAGEMENT',
].map((value, i) => option(value, labelFromConstant(value), i));

const DEALSTAGE_OPTIONS = [
  ['appointmentscheduled', 'Appointment Scheduled'], ['qualifiedtobuy', 'Qualified To Buy'],
  ['presentationscheduled', 'Presentation Scheduled'], ['decisionmakerboughtin', 'Decision Maker Bought-In'],
  ['contractsent', 'Contract Sent'], ['closedwon', 'Closed Won'], ['closedlost', 'Closed Lost'],
].map(([value, label], i) => option(value as string, label as string, i));

const PRODUCT_INTEREST_OPTIONS = [
  ['analytics', 'Analytics'], ['automation', 'Automation'], ['integrations', 'Integrations'],
  ['ai_scoring', 'AI scoring'], ['enterprise_support', 'Enterprise support'],
].map(([value, label], i) => option(value as string, label as string, i));

const CURRENCY_OPTIONS = ['USD', 'EUR', 'GBP', 'BRL', 'CAD', 'JPY'].map((value, i) => option(value, value, i));

const RO = { readOnly: true };

function engagementCommon(): Spec[] {
  return [
    ['hs_object_id', 'Record ID', 'number', RO],
    ['hs_createdate', 'Create date', 'datetime', RO],
    ['hs_lastmodifieddate', 'Last modified date', 'datetime', RO],
    ['hs_timestamp', 'Activity date', 'datetime'],
    ['hubspot_owner_id', 'Activity assigned to', 'enumeration'],
  ];
}

export function builtInProperties(): Record<ObjectType, PropertyDefinition[]> {
  return {
    contacts: define([
      ['hs_object_id', 'Record ID', 'number', RO],
      ['createdate', 'Create Date', 'datetime', RO],
      ['lastmodifieddate', 'Last Modified Date', 'datetime', RO],
      ['firstname', 'First Name', 'string'],
      ['lastname', 'Last Name', 'string'],
      ['email', 'Email', 'string'],
      ['jobtitle', 'Job Title', 'string'],
      ['phone', 'Phone Number', 'phone_number'],
      ['company', 'Company Name', 'string'],
      ['lifecyclestage', 'Lifecycle Stage', 'enumeration', { options: LIFECYCLE_OPTIONS, fieldType: 'radio' }],
      ['hs_lead_status', 'Lead Status', 'enumeration', { options: LEAD_STATUS_OPTIONS, fieldType: 'radio' }],
      ['hubspot_owner_id', 'Contact owner', 'enumeration'],
      ['associatedcompanyid', 'Primary Associated Company ID', 'number'],
      ['hs_merged_object_ids', 'Merged Contact IDs', 'enumeration', { ...RO, fieldType: 'checkbox' }],
      ['product_interest', 'Product interest', 'enumeration', { options: PRODUCT_INTEREST_OPTIONS, fieldType: 'checkbox', custom: true }],
      ['engagement_score', 'Engagement score', 'number', { custom: true }],
    ], 'contactinformation'),
    companies: define([
      ['hs_object_id', 'Record ID', 'number', RO],
      ['createdate', 'Create Date', 'datetime', RO],
      ['hs_lastmodifieddate', 'Last Modified Date', 'datetime', RO],
      ['name', 'Name', 'string'],
      ['domain', 'Company Domain Name', 'string'],
      ['industry', 'Industry', 'enumeration', { options: INDUSTRY_OPTIONS }],
      ['numberofemployees', 'Number of Employees', 'number'],
      ['annualrevenue', 'Annual Revenue', 'number'],
      ['city', 'City', 'string'],
      ['country', 'Country/Region', 'string'],
      ['phone', 'Phone Number', 'phone_number'],
      ['website', 'Website URL', 'string'],
      ['hubspot_owner_id', 'Company owner', 'enumeration'],
    ], 'companyinformation'),
    deals: define([
      ['hs_object_id', 'Record ID', 'number', RO],
      ['createdate', 'Create Date', 'datetime', RO],
      ['hs_lastmodifieddate', 'Last Modified Date', 'datetime', RO],
      ['dealname', 'Deal Name', 'string'],
      ['amount', 'Amount', 'number'],
      ['deal_currency_code', 'Currency', 'enumeration', { options: CURRENCY_OPTIONS }],
      ['dealstage', 'Deal Stage', 'enumeration', { options: DEALSTAGE_OPTIONS, fieldType: 'radio' }],
      ['pipeline', 'Pipeline', 'enumeration', { options: [option('default', 'Sales Pipeline', 0)] }],
      ['closedate', 'Close Date', 'datetime'],
      ['hubspot_owner_id', 'Deal owner', 'enumeration'],
    ], 'dealinformation'),
    emails: define([
      ...engagementCommon(),
      ['hs_email_subject', 'Email subject', 'string'],
      ['hs_email_html', 'Email HTML body', 'string', { fieldType: 'html' }],
      ['hs_email_text', 'Email text', 'string', { fieldType: 'textarea' }],
      ['hs_email_direction', 'Email direction', 'enumeration', { options: [option('EMAIL', 'Sent by owner', 0), option('INCOMING_EMAIL', 'Reply from contact', 1)] }],
    ], 'email'),
    calls: define([
      ...engagementCommon(),
      ['hs_call_title', 'Call title', 'string'],
      ['hs_call_body', 'Call notes', 'string', { fieldType: 'html' }],
      ['hs_call_duration', 'Call duration', 'number'],
      ['hs_call_status', 'Call status', 'enumeration', { options: [option('COMPLETED', 'Completed', 0), option('NO_ANSWER', 'No answer', 1)] }],
    ], 'call'),
    meetings: define([
      ...engagementCommon(),
      ['hs_meeting_title', 'Meeting name', 'string'],
      ['hs_meeting_body', 'Meeting description', 'string', { fieldType: 'html' }],
      ['hs_meeting_start_time', 'Start time', 'datetime'],
      ['hs_meeting_end_time', 'End time', 'datetime'],
    ], 'meeting'),
    notes: define([
      ...engagementCommon(),
      ['hs_note_body', 'Note body', 'string', { fieldType: 'html' }],
    ], 'note'),
    tasks: define([
      ...engagementCommon(),
      ['hs_task_subject', 'Task title', 'string'],
      ['hs_task_body', 'Task notes', 'string', { fieldType: 'html' }],
      ['hs_task_status', 'Task status', 'enumeration', { options: [option('NOT_STARTED', 'Not started', 0), option('IN_PROGRESS', 'In progress', 1), option('WAITING', 'Waiting', 2), option('COMPLETED', 'Completed', 3), option('DEFERRED', 'Deferred', 4)] }],
      ['hs_task_priority', 'Priority', 'enumeration', { options: [option('LOW', 'Low', 0), option('MEDIUM', 'Medium', 1), option('HIGH', 'High', 2)] }],
    ], 'task'),
  };
}

/**
 * v4 HUBSPOT_DEFINED association type ids, keyed "from→to". Each pair lists the default
 * (unlabeled) type first; contact↔company also has the "Primary" label.
 */
export interface AssociationTypeDef {
  typeId: number;
  label: string | null;
}

const ASSOCIATIONS: Record<string, { unlabeled: number; primary?: number; inverse: string }> = {
  'contacts→companies': { unlabeled: 279, primary: 1, inverse: 'companies→contacts' },
  'companies→contacts': { unlabeled: 280, primary: 2, inverse: 'contacts→companies' },
  'deals→contacts': { unlabeled: 3, inverse: 'contacts→deals' },
  'contacts→deals': { unlabeled: 4, inverse: 'deals→contacts' },
  'deals→companies': { unlabeled: 341, primary: 5, inverse: 'companies→deals' },
  'companies→deals': { unlabeled: 342, primary: 6, inverse: 'deals→companies' },
  'emails→contacts': { unlabeled: 198, inverse: 'contacts→emails' },
  'contacts→emails': { unlabeled: 197, inverse: 'emails→contacts' },
  'emails→companies': { unlabeled: 186, inverse: 'companies→emails' },
  'companies→emails': { unlabeled: 185, inverse: 'emails→companies' },
  'emails→deals': { unlabeled: 210, inverse: 'deals→emails' },
  'deals→emails': { unlabeled: 209, inverse: 'emails→deals' },
  'calls→contacts': { unlabeled: 194, inverse: 'contacts→calls' },
  'contacts→calls': { unlabeled: 193, inverse: 'calls→contacts' },
  'calls→companies': { unlabeled: 182, inverse: 'companies→calls' },
  'companies→calls': { unlabeled: 181, inverse: 'calls→companies' },
  'calls→deals': { unlabeled: 206, inverse: 'deals→calls' },
  'deals→calls': { unlabeled: 205, inverse: 'calls→deals' },
  'meetings→contacts': { unlabeled: 200, inverse: 'contacts→meetings' },
  'contacts→meetings': { unlabeled: 199, inverse: 'meetings→contacts' },
  'meetings→companies': { unlabeled: 188, inverse: 'companies→meetings' },
  'companies→meetings': { unlabeled: 187, inverse: 'meetings→companies' },
  'meetings→deals': { unlabeled: 212, inverse: 'deals→meetings' },
  'deals→meetings': { unlabeled: 211, inverse: 'meetings→deals' },
  'notes→contacts': { unlabeled: 202, inverse: 'contacts→notes' },
  'contacts→notes': { unlabeled: 201, inverse: 'notes→contacts' },
  'notes→companies': { unlabeled: 190, inverse: 'companies→notes' },
  'companies→notes': { unlabeled: 189, inverse: 'notes→companies' },
  'notes→deals': { unlabeled: 214, inverse: 'deals→notes' },
  'deals→notes': { unlabeled: 213, inverse: 'notes→deals' },
  'tasks→contacts': { unlabeled: 204, inverse: 'contacts→tasks' },
  'contacts→tasks': { unlabeled: 203, inverse: 'tasks→contacts' },
  'tasks→companies': { unlabeled: 192, inverse: 'companies→tasks' },
  'companies→tasks': { unlabeled: 191, inverse: 'tasks→companies' },
  'tasks→deals': { unlabeled: 216, inverse: 'deals→tasks' },
  'deals→tasks': { unlabeled: 215, inverse: 'tasks→deals' },
};

export function associationTypes(from: ObjectType, to: ObjectType): { unlabeled: number; primary?: number } | undefined {
  return ASSOCIATIONS[`${from}→${to}`];
}

/** The type id seen from the other side: contact→company primary (1) is company→contact primary (2). */
export function inverseTypeId(from: ObjectType, to: ObjectType, typeId: number): number | undefined {
  const forward = ASSOCIATIONS[`${from}→${to}`];
  const backward = ASSOCIATIONS[`${to}→${from}`];
  if (!forward || !backward) return undefined;
  if (typeId === forward.unlabeled) return backward.unlabeled;
  if (forward.primary !== undefined && typeId === forward.primary) return backward.primary;
  return undefined;
}

export function associationLabel(from: ObjectType, to: ObjectType, typeId: number): string | null {
  const def = ASSOCIATIONS[`${from}→${to}`];
  return def?.primary === typeId ? 'Primary' : null;
}

/** Which object type an association type id points to from `from` (inline associations on create). */
export function targetTypeForTypeId(from: ObjectType, typeId: number): ObjectType | undefined {
  for (const to of OBJECT_TYPES) {
    const def = ASSOCIATIONS[`${from}→${to}`];
    if (def && (def.unlabeled === typeId || def.primary === typeId)) return to;
  }
  return undefined;
}

export const OBJECT_TYPE_ID: Record<ObjectType, string> = {
  contacts: '0-1', companies: '0-2', deals: '0-3', emails: '0-49', calls: '0-48', meetings: '0-47', notes: '0-46', tasks: '0-27',
};
