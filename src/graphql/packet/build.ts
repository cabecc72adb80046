import { notFound } from '../errors.js';
import type { Loaders } from '../loaders.js';
import type { PacketContact } from '../store/packet-query.js';
import type { ActivityRecord, ConnectionRecord, SignalRecord } from '../store/records.js';
import { enumValue, fullName, money, summarize } from '../values.js';
import type {
  PacketActivity,
  PacketCompany,
  PacketData,
  PacketDeal,
  PacketOptions,
  PacketPerson,
  SourceRecord,
  Tenure,
} from './types.js';

export interface PacketDeps {
  loaders: Loaders;
  staleAfterHours: number;
  now: Date;
}

/** Signals fetched per packet even when fewer are shown: tenure is read from them. */
const MIN_SIGNALS_FETCHED = 20;
const HOUR_MS = 3_600_000;

function firstValue<T>(records: PacketContact[], pick: (r: PacketContact) => T | null): T | null {
  for (const record of records) {
    const value = pick(record);
    if (value !== null && value !== '') return value;
  }
  return null;
}

/**
 * Builds the packet of one contact from the store. The person is merged from the asked-for
 * record and the person's other live records (same email): the asked-for record wins, the
 * others fill gaps. The only read is one packetRows load, batched across every packet of the
 * request, so building 100 packets costs the same single statement as building one.
 */
export async function buildPacket(contactId: string, options: PacketOptions, deps: PacketDeps): Promise<PacketData> {
  const rows = await deps.loaders.packetRows.load({
    contactId,
    openDeals: options.openDeals,
    // At least one activity, so relationship.lastActivity is known even when none are shown.
    activities: Math.max(1, options.recentActivities),
    scores: Math.max(1, options.scoreHistory),
    signals: Math.max(MIN_SIGNALS_FETCHED, options.signals),
  });
  const { records } = rows;
  const primary = records[0];
  if (!primary || primary.id !== contactId) throw notFound(`no contact with id ${contactId}`);
  if (primary.deletedAt) throw notFound(`contact ${contactId} was deleted in its CRM`);

  const connections = new Map(rows.connections.map((c) => [c.id, c]));
  const connectionOf = (id: string): ConnectionRecord => connections.get(id) ?? { id, provider: 'HUBSPOT', name: id };
  const company = rows.companies[0] ?? null;
  const owner = rows.owners[0] ?? null;
  const signals = rows.signals;

  const sources: SourceRecord[] = [];
  const addSource = (kind: SourceRecord['kind'], r: { connectionId: string; remoteId: string; syncedAt: Date }, remoteType: string) => {
    const connection = connectionOf(r.connectionId);
    // A record untouched by the last complete sync was confirmed by it, not only when written.
    const confirmed = connection.confirmedAt && connection.confirmedAt > r.syncedAt ? connection.confirmedAt : r.syncedAt;
    sources.push({ kind, provider: connection.provider, connectionId: connection.id, connectionName: connection.name, remoteType, remoteId: r.remoteId, syncedAt: confirmed });
  };
  for (const r of records) addSource('CONTACT', r, r.remoteType);
  if (owner) addSource('OWNER', owner, 'owner');
  if (company) addSource('COMPANY', company, 'company');
  const deals = rows.deals;
  for (const d of deals) addSource('DEAL', d, 'deal');
  const activities = rows.activities;
  for (const a of activities) addSource('ACTIVITY', a, a.remoteType);

  const toActivity = (a: ActivityRecord): PacketActivity => ({
    id: a.id,
    kind: a.kind,
    occurredAt: a.occurredAt,
    subject: a.subject,
    summary: summarize(a.bodyText),
    provider: connectionOf(a.connectionId).provider,
  });

  const person: PacketPerson = {
    firstName: firstValue(records, (r) => r.firstName),
    lastName: firstValue(records, (r) => r.lastName),
    name: null,
    title: firstValue(records, (r) => r.title),
    email: firstValue(records, (r) => r.email),
    phone: firstValue(records, (r) => r.phone),
    owner,
    tenure: tenureFrom(signals, deps.now),
  };
  person.name = fullName(person.firstName, person.lastName);

  const packetCompany: PacketCompany | null = company && {
    name: company.name,
    domain: company.domain,
    industry: enumValue(company.industry, company.industryLabel),
    employeeCount: company.employeeCount,
    annualRevenue: money(company.annualRevenue, company.currency),
    location: company.city || company.country ? { city: company.city, country: company.country } : null,
  };

  const openDeals: PacketDeal[] = deals.map((d) => ({
    id: d.id,
    name: d.name,
    amount: money(d.amount, d.currency),
    stage: enumValue(d.stage, d.stageLabel),
    stageLabel: d.stageLabel ?? d.stage,
    closeDate: d.closeDate,
    role: d.role,
    provider: connectionOf(d.connectionId).provider,
  }));

  const syncTimes = sources.map((s) => s.syncedAt.getTime());
  const oldest = Math.min(...syncTimes);
  return {
    contactId,
    generatedAt: deps.now,
    person,
    company: packetCompany,
    relationship: {
      lifecycleStage: firstValue(records, (r) => enumValue(r.lifecycleStage, r.lifecycleStageLabel)),
      leadStatus: firstValue(records, (r) => enumValue(r.leadStatus, r.leadStatusLabel)),
      lastActivity: activities[0] ? toActivity(activities[0]) : null,
      openDeals,
      providers: [...new Set(records.map((r) => connectionOf(r.connectionId).provider))].sort(),
    },
    recentEngagement: activities.slice(0, options.recentActivities).map(toActivity),
    ai: { latest: rows.scores[0] ?? null, history: rows.scores.slice(0, options.scoreHistory) },
    signals: signals.slice(0, options.signals),
    sources,
    freshness: {
      oldestSyncedAt: new Date(oldest),
      newestSyncedAt: new Date(Math.max(...syncTimes)),
      stale: deps.now.getTime() - oldest > deps.staleAfterHours * HOUR_MS,
      staleAfterHours: deps.staleAfterHours,
    },
  };
}

const MONTH_MS = 30.4375 * 24 * HOUR_MS;

/** Time in role from the newest tenureMonths (number) or roleStartedAt (ISO date) signal. */
export function tenureFrom(signals: SignalRecord[], now: Date): Tenure | null {
  for (const signal of signals) {
    if (signal.key === 'tenureMonths' && typeof signal.value === 'number' && Number.isFinite(signal.value) && signal.value >= 0) {
      return { months: Math.floor(signal.value), since: null, source: signal.source };
    }
    if (signal.key === 'roleStartedAt' && typeof signal.value === 'string') {
      const since = new Date(signal.value);
      if (!Number.isNaN(since.getTime()) && since <= now) {
        return { months: Math.floor((now.getTime() - since.getTime()) / MONTH_MS), since, source: signal.source };
      }
    }
  }
  return null;
}
