/**
 * One go-to-market world, independent of any CRM. The data generator builds it from a seed;
 * each simulator projects it into its own CRM's vocabulary (HubSpot properties, Salesforce
 * sObjects). Keys are stable across CRMs so tests can match "the same person" in both.
 */

export type LifecycleStage =
  | 'subscriber'
  | 'lead'
  | 'marketingqualifiedlead'
  | 'salesqualifiedlead'
  | 'opportunity'
  | 'customer'
  | 'evangelist'
  | 'other';

export type LeadStatus =
  | 'NEW'
  | 'OPEN'
  | 'IN_PROGRESS'
  | 'OPEN_DEAL'
  | 'UNQUALIFIED'
  | 'ATTEMPTED_TO_CONTACT'
  | 'CONNECTED'
  | 'BAD_TIMING';

export type DealStage =
  | 'appointmentscheduled'
  | 'qualifiedtobuy'
  | 'presentationscheduled'
  | 'decisionmakerboughtin'
  | 'contractsent'
  | 'closedwon'
  | 'closedlost';

export type ActivityKind = 'email' | 'call' | 'meeting' | 'note' | 'task';

export interface WorldOwner {
  key: string;
  email: string;
  firstName: string;
  lastName: string;
}

export interface WorldCompany {
  key: string;
  name: string;
  domain: string;
  industry: string | null;
  employees: number | null;
  annualRevenue: number | null;
  currency: string;
  city: string | null;
  country: string | null;
  ownerKey: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface WorldPerson {
  key: string;
  firstName: string | null;
  lastName: string;
  /** Sometimes upper-case or missing, as in real CRMs. */
  email: string | null;
  title: string | null;
  phone: string | null;
  companyKey: string | null;
  lifecycleStage: LifecycleStage | null;
  leadStatus: LeadStatus | null;
  /** Multi-select values (product interests). */
  interests: string[];
  ownerKey: string | null;
  createdAt: Date;
  updatedAt: Date;
  /** Which CRMs hold this person. At least one is true. */
  inHubspot: boolean;
  inSalesforce: boolean;
  /** How Salesforce holds the person: an unconverted Lead or a Contact under an Account. */
  salesforceKind: 'Lead' | 'Contact';
}

export interface WorldDeal {
  key: string;
  name: string;
  companyKey: string | null;
  contactKeys: string[];
  stage: DealStage;
  amount: number | null;
  currency: string;
  closeDate: Date | null;
  ownerKey: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface WorldActivity {
  key: string;
  kind: ActivityKind;
  subject: string;
  /** Rich text as the CRM stores it; normalizers strip it for AI. */
  bodyHtml: string | null;
  occurredAt: Date;
  personKey: string;
  companyKey: string | null;
  dealKey: string | null;
  ownerKey: string | null;
}

export interface World {
  seed: number;
  owners: WorldOwner[];
  companies: WorldCompany[];
  people: WorldPerson[];
  deals: WorldDeal[];
  activities: WorldActivity[];
}

export interface WorldOptions {
  seed: number;
  contacts: number;
  /** The instant "now" for generated timestamps; fixed so worlds are reproducible. */
  now?: Date;
}
