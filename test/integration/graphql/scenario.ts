import { hoursAgo, type SeededConnection, type StoreFixtures } from '../../helpers/store-fixtures.js';

/**
 * One person held by both CRMs (same email), with the company, owner, deals, activities,
 * scores and signals a context packet reads. Times are fixed relative to `now`.
 */
export async function seedPerson(
  fx: StoreFixtures,
  connections: { hubspot: SeededConnection; salesforce: SeededConnection },
  options: { email?: string; now?: Date; activities?: number } = {},
) {
  const now = options.now ?? new Date();
  const email = options.email ?? `person-${Math.random().toString(36).slice(2, 10)}@acme.example`;
  const { hubspot, salesforce } = connections;

  const owner = await fx.owner(hubspot, { email: 'olivia.owner@vendor.example', firstName: 'Olivia', lastName: 'Owner' });
  const company = await fx.company(hubspot, {
    name: 'Acme Corp',
    domain: 'acme.example',
    industry: 'COMPUTER_SOFTWARE',
    industryLabel: 'Computer Software',
    employeeCount: 250,
    annualRevenue: '12500000.00',
    currency: 'USD',
    city: 'Berlin',
    country: 'Germany',
  });
  const contact = await fx.contact(hubspot, {
    email,
    firstName: 'Jane',
    lastName: null,
    title: 'VP Sales',
    companyRemoteId: company.remoteId,
    ownerRemoteId: owner.remoteId,
    lifecycleStage: 'salesqualifiedlead',
    lifecycleStageLabel: 'Sales Qualified Lead',
    leadStatus: 'OPEN',
    leadStatusLabel: 'Open',
    remoteCreatedAt: hoursAgo(24 * 400, now),
    syncedAt: hoursAgo(2, now),
  });
  // The Salesforce record fills the gaps (last name, phone) but does not override the HubSpot one.
  const lead = await fx.contact(salesforce, {
    remoteType: 'Lead',
    email,
    firstName: 'Janet',
    lastName: 'Doe',
    phone: '+49 30 1234567',
    title: 'Head of Sales',
    leadStatus: 'Working',
    leadStatusLabel: 'Working - Contacted',
    syncedAt: hoursAgo(30, now),
  });

  const openDeal = await fx.deal(hubspot, {
    name: 'Acme expansion',
    amount: '50000.00',
    currency: 'USD',
    stage: 'contractsent',
    stageLabel: 'Contract Sent',
    closeDate: hoursAgo(-24 * 30, now),
    isClosed: false,
    companyRemoteId: company.remoteId,
  });
  const closedDeal = await fx.deal(hubspot, { name: 'Acme pilot', amount: '5000.00', currency: 'USD', stage: 'closedwon', isClosed: true, isWon: true });
  const sfDeal = await fx.deal(salesforce, { name: 'Acme renewal', amount: '20000.00', currency: 'EUR', stage: 'Negotiation', stageLabel: 'Negotiation/Review', closeDate: null });
  await fx.link('DEAL', openDeal, 'CONTACT', contact, { label: 'Decision Maker', isPrimary: true });
  await fx.link('DEAL', closedDeal, 'CONTACT', contact);
  await fx.link('DEAL', sfDeal, 'CONTACT', lead, { label: 'Economic Buyer' });

  const activities = [];
  const total = options.activities ?? 7;
  for (let i = 0; i < total; i++) {
    const connection = i % 2 === 0 ? hubspot : salesforce;
    const activity = await fx.activity(connection, {
      kind: ['EMAIL', 'CALL', 'MEETING', 'NOTE'][i % 4],
      subject: `Touch ${i}`,
      bodyText: `Talked   about\n\nbudget ${i}`,
      occurredAt: hoursAgo(24 * (i + 1), now),
    });
    await fx.link('ACTIVITY', activity, 'CONTACT', connection === hubspot ? contact : lead);
    activities.push(activity);
  }

  const firstScore = await fx.aiOutput(contact.id, 40, { createdAt: hoursAgo(24 * 10, now) });
  const secondScore = await fx.aiOutput(lead.id, 65, { createdAt: hoursAgo(24, now), previousScore: 40, playbook: 'Book a demo', model: 'gpt-4o', source: 'lead-scoring' });
  await fx.signal(contact.id, 'tenureMonths', 26, { source: 'clay', observedAt: hoursAgo(5, now) });
  await fx.signal(lead.id, 'hiringSdrs', true, { source: 'clearbit', observedAt: hoursAgo(3, now) });
  await fx.signal(lead.id, 'hiringSdrs', false, { source: 'clearbit', observedAt: hoursAgo(48, now) });

  return { email, owner, company, contact, lead, openDeal, closedDeal, sfDeal, activities, firstScore, secondScore };
}
