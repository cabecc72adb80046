import type { PrismaClient } from '../../src/generated/prisma/client.js';
import type { ObjectKind, Provider } from '../../src/generated/prisma/enums.js';

/**
 * Seeds the canonical store directly, following the conventions the sync engine writes:
 * rows per (connection, remote id), links by remote id, lower-cased emails, value + label
 * enumerations. Every helper takes overrides for the columns a test cares about.
 */

type Row = Record<string, unknown>;

export interface SeededConnection {
  id: string;
  provider: Provider;
  name: string;
}

export interface Linkable {
  connectionId: string;
  remoteId: string;
}

let counter = 0;
const nextRemoteId = (prefix: string) => `${prefix}-${++counter}`;
const HOUR = 3_600_000;

export function hoursAgo(hours: number, from = new Date()): Date {
  return new Date(from.getTime() - hours * HOUR);
}

export function createStoreFixtures(prisma: PrismaClient) {
  const base = (connection: SeededConnection, prefix: string, overrides: Row) => ({
    connectionId: connection.id,
    remoteId: nextRemoteId(prefix),
    raw: {},
    contentHash: 'fixture',
    syncedAt: new Date(),
    ...overrides,
  });

  return {
    async connection(provider: Provider, name = `${provider.toLowerCase()}-${++counter}`): Promise<SeededConnection> {
      return prisma.connection.create({ data: { provider, name, credentials: 'v1.fixture' }, select: { id: true, provider: true, name: true } });
    },

    async contact(connection: SeededConnection, overrides: Row = {}) {
      return prisma.contact.create({
        data: {
          remoteType: connection.provider === 'HUBSPOT' ? 'contact' : 'Contact',
          ...base(connection, 'contact', overrides),
        } as Parameters<PrismaClient['contact']['create']>[0]['data'],
      });
    },

    async company(connection: SeededConnection, overrides: Row = {}) {
      return prisma.company.create({ data: base(connection, 'company', overrides) as Parameters<PrismaClient['company']['create']>[0]['data'] });
    },

    async owner(connection: SeededConnection, overrides: Row = {}) {
      return prisma.owner.create({ data: base(connection, 'owner', overrides) as Parameters<PrismaClient['owner']['create']>[0]['data'] });
    },

    async deal(connection: SeededConnection, overrides: Row = {}) {
      return prisma.deal.create({ data: base(connection, 'deal', overrides) as Parameters<PrismaClient['deal']['create']>[0]['data'] });
    },

    async activity(connection: SeededConnection, overrides: Row = {}) {
      return prisma.activity.create({
        data: { remoteType: 'engagement', kind: 'EMAIL', ...base(connection, 'activity', overrides) } as Parameters<
          PrismaClient['activity']['create']
        >[0]['data'],
      });
    },

    /** An Association row: from → to, both by remote id in the same connection. */
    async link(fromKind: ObjectKind, from: Linkable, toKind: ObjectKind, to: Linkable, extra: { label?: string; isPrimary?: boolean } = {}) {
      await prisma.association.create({
        data: {
          connectionId: from.connectionId,
          fromKind,
          fromRemoteId: from.remoteId,
          toKind,
          toRemoteId: to.remoteId,
          label: extra.label ?? null,
          isPrimary: extra.isPrimary ?? false,
          syncedAt: new Date(),
        },
      });
    },

    async aiOutput(contactId: string, score: number, overrides: Row = {}) {
      return prisma.aiOutput.create({
        data: { contactId, score, rationale: `fixture score ${score}`, source: 'fixture', ...overrides } as Parameters<
          PrismaClient['aiOutput']['create']
        >[0]['data'],
      });
    },

    /** An outbox row; a dead letter unless overridden. */
    async writeBack(connection: SeededConnection, overrides: Row = {}) {
      return prisma.writeBack.create({
        data: {
          connectionId: connection.id,
          objectType: connection.provider === 'HUBSPOT' ? 'contact' : 'Contact',
          remoteId: nextRemoteId('wb'),
          fields: { score: 50, rationale: 'fixture', source: 'fixture' },
          status: 'DEAD',
          attempts: 3,
          lastError: '[HUBSPOT validation] fixture failure',
          ...overrides,
        } as Parameters<PrismaClient['writeBack']['create']>[0]['data'],
      });
    },

    async syncRun(connection: SeededConnection, overrides: Row = {}) {
      return prisma.syncRun.create({
        data: { connectionId: connection.id, objectType: 'contacts', phase: 'FULL', status: 'SUCCEEDED', ...overrides } as Parameters<
          PrismaClient['syncRun']['create']
        >[0]['data'],
      });
    },

    async syncState(connection: SeededConnection, objectType: string, overrides: Row = {}) {
      return prisma.syncState.create({
        data: { connectionId: connection.id, objectType, ...overrides } as Parameters<PrismaClient['syncState']['create']>[0]['data'],
      });
    },

    async webhookEvent(provider: Provider, overrides: Row = {}) {
      return prisma.webhookEvent.create({
        data: { provider, eventId: nextRemoteId('event'), payload: {}, ...overrides } as Parameters<PrismaClient['webhookEvent']['create']>[0]['data'],
      });
    },

    async signal(contactId: string, key: string, value: unknown, overrides: Row = {}) {
      return prisma.signal.create({
        data: { contactId, key, value, source: 'clay', observedAt: new Date(), ...overrides } as Parameters<
          PrismaClient['signal']['create']
        >[0]['data'],
      });
    },
  };
}

export type StoreFixtures = ReturnType<typeof createStoreFixtures>;

/** Counts of every table a mutation may touch, to prove that a rejected call wrote nothing. */
export async function storeCounts(prisma: PrismaClient) {
  const [aiOutputs, writeBacks, signals, contacts] = await Promise.all([
    prisma.aiOutput.count(),
    prisma.writeBack.count(),
    prisma.signal.count(),
    prisma.contact.count(),
  ]);
  return { aiOutputs, writeBacks, signals, contacts };
}

/**
 * Many people at once, with createMany (a handful of statements whatever the count): each
 * person has a HubSpot contact, a Salesforce lead with the same email, a company, an owner,
 * an open deal, `activitiesPerPerson` activities split across both, two scores and two signals.
 * Used by tests that need volume and by bench/graphql-packet.bench.ts.
 */
export async function seedPeopleInBulk(
  prisma: PrismaClient,
  connections: { hubspot: SeededConnection; salesforce: SeededConnection },
  count: number,
  options: { activitiesPerPerson?: number; now?: Date; tag?: string } = {},
): Promise<{ contactIds: string[]; leadIds: string[] }> {
  const now = options.now ?? new Date();
  const tag = options.tag ?? `b${++counter}`;
  const perPerson = options.activitiesPerPerson ?? 4;
  const { hubspot, salesforce } = connections;
  const common = { raw: {}, contentHash: 'fixture', syncedAt: now };
  const people = Array.from({ length: count }, (_, i) => ({ i, email: `${tag}-${i}@bulk.example` }));

  await prisma.owner.createMany({
    data: people.map(({ i }) => ({ ...common, connectionId: hubspot.id, remoteId: `${tag}-o${i}`, email: `owner-${i}@vendor.example`, firstName: 'Owner', lastName: `${i}` })),
  });
  await prisma.company.createMany({
    data: people.map(({ i }) => ({
      ...common,
      connectionId: hubspot.id,
      remoteId: `${tag}-co${i}`,
      name: `Company ${i}`,
      domain: `company-${tag}-${i}.example`,
      industry: 'COMPUTER_SOFTWARE',
      industryLabel: 'Computer Software',
      employeeCount: 10 + i,
      annualRevenue: `${1000000 + i * 1000}.00`,
      currency: 'USD',
      city: 'Berlin',
      country: 'Germany',
    })),
  });
  const contacts = await prisma.contact.createManyAndReturn({
    data: people.map(({ i, email }) => ({
      ...common,
      connectionId: hubspot.id,
      remoteId: `${tag}-c${i}`,
      remoteType: 'contact',
      email,
      firstName: 'Person',
      lastName: `${i}`,
      title: 'Head of Operations',
      companyRemoteId: `${tag}-co${i}`,
      ownerRemoteId: `${tag}-o${i}`,
      lifecycleStage: 'lead',
      lifecycleStageLabel: 'Lead',
      leadStatus: 'OPEN',
      leadStatusLabel: 'Open',
    })),
    select: { id: true },
  });
  const leads = await prisma.contact.createManyAndReturn({
    data: people.map(({ i, email }) => ({
      ...common,
      connectionId: salesforce.id,
      remoteId: `${tag}-l${i}`,
      remoteType: 'Lead',
      email,
      firstName: 'Person',
      lastName: `${i}`,
      phone: '+1 555 0100',
    })),
    select: { id: true },
  });
  await prisma.deal.createMany({
    data: people.map(({ i }) => ({
      ...common,
      connectionId: hubspot.id,
      remoteId: `${tag}-d${i}`,
      name: `Deal ${i}`,
      amount: '25000.00',
      currency: 'USD',
      stage: 'qualifiedtobuy',
      stageLabel: 'Qualified To Buy',
      isClosed: false,
      closeDate: new Date(now.getTime() + 30 * 24 * HOUR),
    })),
  });
  const activities = people.flatMap(({ i }) =>
    Array.from({ length: perPerson }, (_, a) => ({
      connection: a % 2 === 0 ? hubspot : salesforce,
      person: i,
      remoteId: `${tag}-a${i}-${a}`,
      occurredAt: new Date(now.getTime() - (a + 1) * HOUR),
    })),
  );
  await prisma.activity.createMany({
    data: activities.map((a) => ({
      ...common,
      connectionId: a.connection.id,
      remoteId: a.remoteId,
      remoteType: 'engagement',
      kind: 'EMAIL',
      subject: `Follow-up ${a.remoteId}`,
      bodyText: 'Asked about pricing for the enterprise plan and a security review.',
      occurredAt: a.occurredAt,
    })),
  });
  const syncedAt = now;
  await prisma.association.createMany({
    data: [
      ...people.map(({ i }) => ({
        connectionId: hubspot.id,
        fromKind: 'DEAL' as const,
        fromRemoteId: `${tag}-d${i}`,
        toKind: 'CONTACT' as const,
        toRemoteId: `${tag}-c${i}`,
        label: 'Champion',
        syncedAt,
      })),
      ...activities.map((a) => ({
        connectionId: a.connection.id,
        fromKind: 'ACTIVITY' as const,
        fromRemoteId: a.remoteId,
        toKind: 'CONTACT' as const,
        toRemoteId: a.connection === hubspot ? `${tag}-c${a.person}` : `${tag}-l${a.person}`,
        syncedAt,
      })),
    ],
  });
  await prisma.aiOutput.createMany({
    data: contacts.flatMap((c, i) => [
      { contactId: c.id, score: 40 + (i % 50), rationale: 'Engaged with pricing', source: 'fixture', createdAt: new Date(now.getTime() - 48 * HOUR) },
      { contactId: c.id, score: 50 + (i % 50), previousScore: 40 + (i % 50), rationale: 'Asked for a security review', source: 'fixture', createdAt: new Date(now.getTime() - HOUR) },
    ]),
  });
  await prisma.signal.createMany({
    data: leads.flatMap((l) => [
      { contactId: l.id, source: 'clay', key: 'tenureMonths', value: 18, observedAt: now },
      { contactId: l.id, source: 'clearbit', key: 'techStack', value: ['postgres', 'react'], observedAt: now },
    ]),
  });
  return { contactIds: contacts.map((c) => c.id), leadIds: leads.map((l) => l.id) };
}
