/**
 * Word lists and picklist distributions for generated worlds. Names deliberately include
 * accents, apostrophes and umlauts: normalizers, search and text rendering must survive them.
 */
import type { ActivityKind, DealStage, LeadStatus, LifecycleStage } from './types.js';

export const FIRST_NAMES = [
  'José', 'Zoë', 'Ana', 'Liam', 'Olivia', 'Noah', 'Emma', 'Mateo', 'Sofía', 'Lukas',
  'Chloé', 'Björn', 'Aisha', 'Wei', 'Priya', 'Kenji', 'Fatima', 'Oliver', 'Amélie', 'Søren',
  'Jürgen', 'Ingrid', 'Rafael', 'Camille', 'Diego', 'Hannah', 'Yuki', 'Omar', 'Elena', 'Marcus',
  'Nadia', 'Tomás', 'Léa', 'Arjun', 'Grace', 'Ethan', 'Maya', 'Siobhán', 'Pádraig', 'Renée',
] as const;

export const LAST_NAMES = [
  "O'Brien", 'Müller', 'García', 'Smith', 'Johnson', 'Nguyen', 'Kowalski', 'Rossi', 'Dubois', 'Schmidt',
  'Fernández', 'Andersson', 'Tanaka', 'Patel', 'Okafor', 'Silva', 'Novák', 'Brown', "D'Angelo", 'Martin',
  'Lefèvre', 'Jensen', 'Kim', 'Chen', 'Ivanova', 'López', 'Wagner', 'Murphy', "O'Connor", 'Becker',
  'Hernández', 'Walsh', 'Nakamura', 'Costa', 'Şahin', 'Wójcik', 'Van der Berg', 'MacLeod', 'Ahmed', 'Taylor',
] as const;

export const TITLES = [
  'VP of Sales', 'Head of Marketing', 'Account Executive', 'Sales Development Representative',
  'Revenue Operations Manager', 'CTO', 'CEO', 'Chief Revenue Officer', 'Marketing Operations Lead',
  'Director of Growth', 'Data Engineer', 'Product Manager', 'Customer Success Manager', 'Founder',
] as const;

export const COMPANY_WORDS_A = [
  'Acme', 'Northwind', 'Blue Harbor', 'Quantum', 'Évora', 'Lumen', 'Brightpath', 'Kestrel', 'Zürich',
  'Orbital', 'Cedar', 'Helix', 'Nimbus', 'Solstice', 'Granite', 'Vertex', 'Aurora', 'Pioneer',
] as const;

export const COMPANY_WORDS_B = [
  'Labs', 'Systems', 'Analytics', 'Logistics', 'Health', 'Robotics', 'Capital', 'Foods', 'Software',
  'Energy', 'Media', 'Partners', 'Networks', 'Studios',
] as const;

/** HubSpot's internal industry values; labels are derived in the Properties API. */
export const INDUSTRIES: readonly (readonly [string, number])[] = [
  ['COMPUTER_SOFTWARE', 30],
  ['INFORMATION_TECHNOLOGY_AND_SERVICES', 20],
  ['FINANCIAL_SERVICES', 12],
  ['HOSPITAL_HEALTH_CARE', 10],
  ['MARKETING_AND_ADVERTISING', 10],
  ['LOGISTICS_AND_SUPPLY_CHAIN', 8],
  ['RETAIL', 6],
  ['EDUCATION_MANAGEMENT', 4],
];

export const LOCATIONS: readonly (readonly [string, string, string])[] = [
  ['Boston', 'United States', 'USD'],
  ['San Francisco', 'United States', 'USD'],
  ['New York', 'United States', 'USD'],
  ['Austin', 'United States', 'USD'],
  ['London', 'United Kingdom', 'GBP'],
  ['Dublin', 'Ireland', 'EUR'],
  ['Berlin', 'Germany', 'EUR'],
  ['München', 'Germany', 'EUR'],
  ['Paris', 'France', 'EUR'],
  ['São Paulo', 'Brazil', 'BRL'],
  ['Toronto', 'Canada', 'CAD'],
  ['Tokyo', 'Japan', 'JPY'],
];

export const FREE_MAIL_DOMAINS = ['gmail.com', 'outlook.com', 'yahoo.com', 'proton.me'] as const;

export const LIFECYCLE_STAGES: readonly (readonly [LifecycleStage | null, number])[] = [
  ['subscriber', 10],
  ['lead', 30],
  ['marketingqualifiedlead', 15],
  ['salesqualifiedlead', 12],
  ['opportunity', 10],
  ['customer', 15],
  ['evangelist', 3],
  ['other', 2],
  [null, 3],
];

export const LEAD_STATUSES: readonly (readonly [LeadStatus | null, number])[] = [
  ['NEW', 20],
  ['OPEN', 15],
  ['IN_PROGRESS', 15],
  ['OPEN_DEAL', 8],
  ['UNQUALIFIED', 8],
  ['ATTEMPTED_TO_CONTACT', 12],
  ['CONNECTED', 10],
  ['BAD_TIMING', 5],
  [null, 7],
];

export const PRODUCT_INTERESTS = ['analytics', 'automation', 'integrations', 'ai_scoring', 'enterprise_support'] as const;

export const DEAL_STAGES: readonly (readonly [DealStage, number])[] = [
  ['appointmentscheduled', 18],
  ['qualifiedtobuy', 18],
  ['presentationscheduled', 14],
  ['decisionmakerboughtin', 10],
  ['contractsent', 8],
  ['closedwon', 18],
  ['closedlost', 14],
];

export const ACTIVITY_KINDS: readonly (readonly [ActivityKind, number])[] = [
  ['email', 35],
  ['call', 20],
  ['meeting', 15],
  ['note', 20],
  ['task', 10],
];

export const TOPICS = [
  'pricing for the Growth plan', 'the Salesforce integration', 'Q3 renewal', 'data residency & GDPR',
  'the onboarding plan', 'API rate limits', 'a pilot with the EMEA team', 'SSO & SCIM setup',
  'the security questionnaire', 'lead scoring accuracy',
] as const;
