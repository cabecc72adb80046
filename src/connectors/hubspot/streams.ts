/**
 * The HubSpot objects we sync and what each needs: its canonical kind, the property that
 * moves on every change (the incremental cursor), and the associations read with it in the
 * canonical direction (contact→company, deal→contact/company, engagement→contact/company/deal).
 */
import type { ActivityType, CanonicalKind } from '../../canonical/types.js';
import type { StreamSpec } from '../types.js';

export type ObjectStream = 'contacts' | 'companies' | 'deals' | 'emails' | 'calls' | 'meetings' | 'notes' | 'tasks';
export type HubspotStream = ObjectStream | 'owners';

export const OBJECT_STREAMS: readonly ObjectStream[] = ['contacts', 'companies', 'deals', 'emails', 'calls', 'meetings', 'notes', 'tasks'];

export const ACTIVITY_TYPES: Readonly<Record<string, ActivityType>> = {
  emails: 'EMAIL',
  calls: 'CALL',
  meetings: 'MEETING',
  notes: 'NOTE',
  tasks: 'TASK',
};

const KINDS: Record<HubspotStream, CanonicalKind> = {
  contacts: 'CONTACT',
  companies: 'COMPANY',
  deals: 'DEAL',
  emails: 'ACTIVITY',
  calls: 'ACTIVITY',
  meetings: 'ACTIVITY',
  notes: 'ACTIVITY',
  tasks: 'ACTIVITY',
  owners: 'OWNER',
};

/** HubSpot object names in association payloads, and the canonical kinds they point to. */
export const ASSOCIATION_KIND: Readonly<Record<string, CanonicalKind>> = {
  contacts: 'CONTACT',
  companies: 'COMPANY',
  deals: 'DEAL',
};

const ENGAGEMENT_LINKS: readonly ObjectStream[] = ['contacts', 'companies', 'deals'];

export const ASSOCIATIONS_READ: Readonly<Record<ObjectStream, readonly ObjectStream[]>> = {
  contacts: ['companies'],
  companies: [],
  deals: ['contacts', 'companies'],
  emails: ENGAGEMENT_LINKS,
  calls: ENGAGEMENT_LINKS,
  meetings: ENGAGEMENT_LINKS,
  notes: ENGAGEMENT_LINKS,
  tasks: ENGAGEMENT_LINKS,
};

export function lastModifiedProperty(stream: ObjectStream): string {
  return stream === 'contacts' ? 'lastmodifieddate' : 'hs_lastmodifieddate';
}

export function hubspotStreams(): StreamSpec[] {
  return (Object.keys(KINDS) as HubspotStream[]).map((name) => ({ name, kind: KINDS[name] }));
}

export function isObjectStream(name: string): name is ObjectStream {
  return (OBJECT_STREAMS as readonly string[]).includes(name);
}

/** v3 association type names ("contact_to_company") use singular object names. */
export const SINGULAR: Readonly<Record<ObjectStream, string>> = {
  contacts: 'contact',
  companies: 'company',
  deals: 'deal',
  emails: 'email',
  calls: 'call',
  meetings: 'meeting',
  notes: 'note',
  tasks: 'task',
};

/**
 * The HUBSPOT_DEFINED "Primary" association type ids (contact→primary company 1, deal→primary
 * company 5). In v3 payloads the primary one is named "contact_to_company" and the plain one
 * "contact_to_company_unlabeled".
 */
export const PRIMARY_TYPE_IDS: Readonly<Record<string, number>> = {
  'contacts→companies': 1,
  'deals→companies': 5,
};
