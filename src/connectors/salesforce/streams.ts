import type { StreamSpec } from '../types.js';

/** The objects a Salesforce connection syncs, in the order they sync. */
export const SALESFORCE_STREAMS: readonly StreamSpec[] = [
  { name: 'User', kind: 'OWNER' },
  { name: 'Account', kind: 'COMPANY' },
  { name: 'Lead', kind: 'CONTACT' },
  { name: 'Contact', kind: 'CONTACT' },
  { name: 'Opportunity', kind: 'DEAL' },
  // Yields the Opportunities whose contact roles changed (DEAL records), not roles.
  { name: 'OpportunityContactRole', kind: 'DEAL' },
  { name: 'Task', kind: 'ACTIVITY' },
  { name: 'Event', kind: 'ACTIVITY' },
];

export const CONTACT_ROLE_STREAM = 'OpportunityContactRole';
