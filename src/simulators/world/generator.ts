/**
 * Deterministic go-to-market world: the same seed and size always give the same owners,
 * companies, people, deals and activities, on any machine. Every loop is linear in the
 * world size so 200,000 people build in a few seconds.
 */
import { Random } from './random.js';
import type {
  ActivityKind,
  LifecycleStage,
  World,
  WorldActivity,
  WorldCompany,
  WorldDeal,
  WorldOptions,
  WorldOwner,
  WorldPerson,
} from './types.js';
import {
  ACTIVITY_KINDS,
  COMPANY_WORDS_A,
  COMPANY_WORDS_B,
  DEAL_STAGES,
  FIRST_NAMES,
  FREE_MAIL_DOMAINS,
  INDUSTRIES,
  LAST_NAMES,
  LEAD_STATUSES,
  LIFECYCLE_STAGES,
  LOCATIONS,
  PRODUCT_INTERESTS,
  TITLES,
  TOPICS,
} from './vocabulary.js';

export const DEFAULT_WORLD_NOW = new Date('2026-01-01T00:00:00Z');
const DAY_MS = 86_400_000;
/** Records were created within the three years before "now". */
const HISTORY_MS = 3 * 365 * DAY_MS;

export function generateWorld(options: WorldOptions): World {
  if (!Number.isInteger(options.contacts) || options.contacts < 1) {
    throw new Error(`generateWorld: contacts must be a positive integer, got ${options.contacts}`);
  }
  const now = (options.now ?? DEFAULT_WORLD_NOW).getTime();
  const root = new Random(options.seed);
  const owners = generateOwners(root.fork('owners'), options.contacts);
  const companies = generateCompanies(root.fork('companies'), options.contacts, owners, now);
  const people = generatePeople(root.fork('people'), options.contacts, companies, owners, now);
  const deals = generateDeals(root.fork('deals'), companies, people, now);
  const activities = generateActivities(root.fork('activities'), people, deals, now);
  return { seed: options.seed, owners, companies, people, deals, activities };
}

/** Keys are zero-padded so lexical order equals creation order. */
function key(prefix: string, index: number): string {
  return `${prefix}-${String(index + 1).padStart(6, '0')}`;
}

const slugCache = new Map<string, string>();

/** Lower-case ASCII slug for emails and domains ("O'Brien" → "obrien", "Zoë" → "zoe").
 * Memoized: the word lists are small and Unicode normalization dominates otherwise. */
function slug(text: string): string {
  let cached = slugCache.get(text);
  if (cached === undefined) {
    cached = text
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '');
    slugCache.set(text, cached);
  }
  return cached;
}

function generateOwners(random: Random, contacts: number): WorldOwner[] {
  // "A few dozen" sales reps for a real account; fewer for toy worlds.
  const count = Math.min(36, Math.max(3, Math.ceil(contacts / 20)));
  const owners: WorldOwner[] = [];
  for (let i = 0; i < count; i++) {
    const firstName = random.pick(FIRST_NAMES);
    const lastName = random.pick(LAST_NAMES);
    owners.push({
      key: key('o', i),
      email: `${slug(firstName)}.${slug(lastName)}${i + 1}@contextlayer-demo.example`,
      firstName,
      lastName,
    });
  }
  return owners;
}

function generateCompanies(random: Random, contacts: number, owners: WorldOwner[], now: number): WorldCompany[] {
  const count = Math.max(1, Math.round(contacts / 8));
  const companies: WorldCompany[] = [];
  for (let i = 0; i < count; i++) {
    const name = `${random.pick(COMPANY_WORDS_A)} ${random.pick(COMPANY_WORDS_B)}`;
    // The index keeps domains unique, like real ones are.
    const domain = `${slug(name)}${i + 1}.example`;
    const [city, country, currency] = random.pick(LOCATIONS);
    const employees = random.chance(0.9) ? random.weighted([[random.int(2, 50), 5], [random.int(51, 500), 3], [random.int(501, 20000), 1]]) : null;
    const createdAt = random.between(now - HISTORY_MS, now - DAY_MS);
    companies.push({
      key: key('c', i),
      name,
      domain,
      industry: random.chance(0.92) ? random.weighted(INDUSTRIES) : null,
      employees,
      annualRevenue: employees !== null && random.chance(0.8) ? employees * random.int(80, 400) * 1000 : null,
      currency,
      city: random.chance(0.95) ? city : null,
      country: random.chance(0.97) ? country : null,
      ownerKey: random.chance(0.9) ? random.pick(owners).key : null,
      createdAt: new Date(createdAt),
      updatedAt: new Date(random.between(createdAt, now)),
    });
  }
  return companies;
}

const EARLY_STAGES: ReadonlySet<LifecycleStage | null> = new Set(['subscriber', 'lead', 'marketingqualifiedlead', null]);

function generatePeople(
  random: Random,
  count: number,
  companies: WorldCompany[],
  owners: WorldOwner[],
  now: number,
): WorldPerson[] {
  const people: WorldPerson[] = [];
  const usedEmails = new Set<string>();
  for (let i = 0; i < count; i++) {
    const company = random.chance(0.85) ? random.pick(companies) : null;
    const firstName = random.chance(0.97) ? random.pick(FIRST_NAMES) : null;
    const lastName = random.pick(LAST_NAMES);
    const email = random.chance(0.95) ? uniqueEmail(random, usedEmails, firstName, lastName, company) : null;
    const lifecycleStage = random.weighted(LIFECYCLE_STAGES);
    const createdAt = random.between(now - HISTORY_MS, now - DAY_MS);
    const crms = random.weighted<'both' | 'hubspot' | 'salesforce'>([['both', 60], ['hubspot', 25], ['salesforce', 15]]);
    people.push({
      key: key('p', i),
      firstName,
      lastName,
      email,
      title: random.chance(0.85) ? random.pick(TITLES) : null,
      phone: random.chance(0.75) ? phoneNumber(random) : null,
      companyKey: company?.key ?? null,
      lifecycleStage,
      leadStatus: lifecycleStage === 'customer' && random.chance(0.7) ? null : random.weighted(LEAD_STATUSES),
      interests: random.sample(PRODUCT_INTERESTS, random.weighted([[0, 3], [1, 4], [2, 2], [3, 1]])),
      ownerKey: random.chance(0.85) ? random.pick(owners).key : null,
      createdAt: new Date(createdAt),
      updatedAt: new Date(random.between(createdAt, now)),
      inHubspot: crms !== 'salesforce',
      inSalesforce: crms !== 'hubspot',
      salesforceKind: company === null || EARLY_STAGES.has(lifecycleStage) ? 'Lead' : 'Contact',
    });
  }
  return people;
}

function uniqueEmail(
  random: Random,
  used: Set<string>,
  firstName: string | null,
  lastName: string,
  company: WorldCompany | null,
): string {
  const domain = company?.domain ?? random.pick(FREE_MAIL_DOMAINS);
  const local = firstName ? `${slug(firstName)}.${slug(lastName)}` : slug(lastName);
  let candidate = `${local}@${domain}`;
  for (let n = 2; used.has(candidate); n++) candidate = `${local}${n}@${domain}`;
  used.add(candidate);
  // Real CRMs hold some addresses exactly as a person typed them.
  return random.chance(0.04) ? candidate.toUpperCase() : candidate;
}

function phoneNumber(random: Random): string {
  return `+1 (${random.int(200, 989)}) ${random.int(200, 999)}-${String(random.int(0, 9999)).padStart(4, '0')}`;
}

function generateDeals(random: Random, companies: WorldCompany[], people: WorldPerson[], now: number): WorldDeal[] {
  const peopleByCompany = new Map<string, WorldPerson[]>();
  for (const person of people) {
    if (!person.companyKey) continue;
    const list = peopleByCompany.get(person.companyKey);
    if (list) list.push(person);
    else peopleByCompany.set(person.companyKey, [person]);
  }
  const deals: WorldDeal[] = [];
  for (const company of companies) {
    if (!random.chance(0.3)) continue;
    const staff = peopleByCompany.get(company.key) ?? [];
    const stage = random.weighted(DEAL_STAGES);
    const createdAt = random.between(company.createdAt.getTime(), now);
    const closed = stage === 'closedwon' || stage === 'closedlost';
    deals.push({
      key: key('d', deals.length),
      name: `${company.name} – ${random.pick(['New business', 'Expansion', 'Renewal', 'Pilot'])}`,
      companyKey: company.key,
      contactKeys: random.sample(staff, random.int(1, 3)).map((p) => p.key),
      stage,
      amount: random.chance(0.95) ? random.int(10, 2500) * 100 : null,
      currency: company.currency,
      closeDate: random.chance(0.9)
        ? new Date(closed ? random.between(createdAt, now) : now + random.int(7, 180) * DAY_MS)
        : null,
      ownerKey: company.ownerKey,
      createdAt: new Date(createdAt),
      updatedAt: new Date(random.between(createdAt, now)),
    });
  }
  return deals;
}

function generateActivities(random: Random, people: WorldPerson[], deals: WorldDeal[], now: number): WorldActivity[] {
  const dealByPerson = new Map<string, string>();
  for (const deal of deals) for (const personKey of deal.contactKeys) dealByPerson.set(personKey, deal.key);
  const activities: WorldActivity[] = [];
  for (const person of people) {
    const count = random.weighted([[0, 1], [1, 2], [2, 3], [3, 4], [4, 3], [5, 2], [6, 1]]);
    const dealKey = dealByPerson.get(person.key) ?? null;
    for (let n = 0; n < count; n++) {
      const kind = random.weighted(ACTIVITY_KINDS);
      const topic = random.pick(TOPICS);
      activities.push({
        key: key('a', activities.length),
        kind,
        subject: subjectFor(kind, topic),
        bodyHtml: bodyFor(random, kind, person, topic),
        occurredAt: new Date(random.between(person.createdAt.getTime(), now)),
        personKey: person.key,
        companyKey: person.companyKey,
        dealKey: dealKey && random.chance(0.5) ? dealKey : null,
        ownerKey: person.ownerKey,
      });
    }
  }
  return activities;
}

function subjectFor(kind: ActivityKind, topic: string): string {
  switch (kind) {
    case 'email': return `Re: ${topic}`;
    case 'call': return `Call about ${topic}`;
    case 'meeting': return `Meeting: ${topic}`;
    case 'note': return `Note on ${topic}`;
    case 'task': return `Follow up on ${topic}`;
  }
}

/** CRMs store rich text as HTML with entities; normalizers must strip it. */
function bodyFor(random: Random, kind: ActivityKind, person: WorldPerson, topic: string): string | null {
  const who = person.firstName ?? person.lastName;
  const escapedTopic = topic.replace(/&/g, '&amp;');
  switch (kind) {
    case 'email':
      return `<p>Hi ${who},</p><p>Following up on ${escapedTopic}.<br>Happy to answer questions &amp; share a demo.</p><p>Best,<br>The team</p>`;
    case 'note':
      return `<p>${who} asked about ${escapedTopic}.</p><p>Next step: send pricing &amp; case study.</p>`;
    case 'call':
      return random.chance(0.8) ? `<p>Spoke with ${who} for ${random.int(3, 45)} min about ${escapedTopic}.</p>` : null;
    case 'meeting':
      return random.chance(0.7) ? `<p>Agenda:<br>1. ${escapedTopic}<br>2. Next steps</p>` : null;
    case 'task':
      return random.chance(0.5) ? `<p>Remember to follow up with ${who}.</p>` : null;
  }
}
