import type { AiOutputRecord, OwnerRecord, ProviderName, SignalRecord } from '../store/records.js';

/** A context packet as plain data: what the GraphQL fields return and what text() renders. */

export interface PacketOptions {
  recentActivities: number;
  scoreHistory: number;
  signals: number;
  openDeals: number;
}

export const DEFAULT_PACKET_OPTIONS: PacketOptions = { recentActivities: 5, scoreHistory: 5, signals: 20, openDeals: 10 };

export interface EnumValue {
  value: string;
  label: string;
}

export interface Money {
  amount: string;
  currency: string | null;
}

export interface Tenure {
  months: number;
  since: Date | null;
  source: string;
}

export interface PacketPerson {
  name: string | null;
  firstName: string | null;
  lastName: string | null;
  title: string | null;
  email: string | null;
  phone: string | null;
  owner: OwnerRecord | null;
  tenure: Tenure | null;
}

export interface PacketCompany {
  name: string | null;
  domain: string | null;
  industry: EnumValue | null;
  employeeCount: number | null;
  annualRevenue: Money | null;
  location: { city: string | null; country: string | null } | null;
}

export interface PacketDeal {
  id: string;
  name: string | null;
  amount: Money | null;
  stage: EnumValue | null;
  stageLabel: string | null;
  closeDate: Date | null;
  role: string | null;
  provider: ProviderName;
}

export interface PacketActivity {
  id: string;
  kind: string;
  occurredAt: Date | null;
  subject: string | null;
  summary: string | null;
  provider: ProviderName;
}

export interface PacketRelationship {
  lifecycleStage: EnumValue | null;
  leadStatus: EnumValue | null;
  lastActivity: PacketActivity | null;
  openDeals: PacketDeal[];
  providers: ProviderName[];
}

export interface SourceRecord {
  kind: 'CONTACT' | 'COMPANY' | 'DEAL' | 'ACTIVITY' | 'OWNER';
  provider: ProviderName;
  connectionId: string;
  connectionName: string;
  remoteType: string;
  remoteId: string;
  syncedAt: Date;
}

export interface Freshness {
  oldestSyncedAt: Date;
  newestSyncedAt: Date;
  stale: boolean;
  staleAfterHours: number;
}

export interface PacketData {
  contactId: string;
  generatedAt: Date;
  person: PacketPerson;
  company: PacketCompany | null;
  relationship: PacketRelationship;
  recentEngagement: PacketActivity[];
  ai: { latest: AiOutputRecord | null; history: AiOutputRecord[] };
  signals: SignalRecord[];
  sources: SourceRecord[];
  freshness: Freshness;
}
