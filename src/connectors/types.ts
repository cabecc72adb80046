import type { FieldDefinition, FieldDefs } from '../canonical/fields.js';
import type { CanonicalKind, NormalizedRecord } from '../canonical/types.js';

export type Provider = 'HUBSPOT' | 'SALESFORCE';
export type SyncPhase = 'FULL' | 'INCREMENTAL';

/** One CRM object that syncs on its own: HubSpot "contacts", Salesforce "Lead", … */
export interface StreamSpec {
  /** The CRM's object name; SyncState.objectType and FieldDef.objectType. */
  name: string;
  kind: CanonicalKind;
}

/** A raw record exactly as the CRM returned it. */
export type RawRecord = Record<string, unknown>;

/** Where a stream stands; the cursor's shape is the connector's own (validated with zod there). */
export interface StreamPosition {
  phase: SyncPhase;
  cursor: unknown;
}

export interface PullPage {
  records: RawRecord[];
  /** Remote ids the CRM reports deleted (archived, IsDeleted) in this page's window. */
  deletedRemoteIds: string[];
  /** The position after this page; saved in the same transaction as the page's rows. */
  next: StreamPosition;
}

export interface FetchResult {
  records: RawRecord[];
  /** Ids the CRM no longer has (deleted or merged away): tombstoned by the caller. */
  missingRemoteIds: string[];
}

/** A field write to one CRM record, in the CRM's own field names. */
/** CRM property values as a write sends them. */
export type WriteValues = Record<string, string | number | boolean | null>;

export interface WriteOp {
  /** Caller's key (the outbox row id), echoed in the result. */
  key: string;
  objectType: string;
  /** The record to update; null with operation UPSERT_CONTACT creates or finds it by email. */
  remoteId: string | null;
  operation: 'UPDATE' | 'UPSERT_CONTACT';
  properties: WriteValues;
  /**
   * UPSERT_CONTACT only: the company to associate the contact with (HubSpot: a v4
   * contact→company primary association; Salesforce: the Contact's AccountId).
   */
  companyRemoteId?: string | null;
}

export interface WriteResult {
  key: string;
  ok: boolean;
  remoteId?: string;
  error?: CrmError;
  /**
   * Set when the CRM refused this record alone (a per-record result, not a failed call):
   * 'gone' when it said the record written to does not exist, 'refused' for anything else
   * about this record (a value, a lookup to a missing record, a record-level permission).
   * Absent, an error is the call's (auth, limits, network) and says nothing about the record.
   */
  recordFailure?: 'refused' | 'gone';
}

export interface FieldRequest {
  objectType: string;
  name: string;
  label: string;
  type: 'number' | 'text' | 'string' | 'datetime';
}

export interface FieldReport {
  existing: string[];
  created: string[];
  /** Fields we could not create (missing permission): what an admin must create by hand. */
  manual: { field: FieldRequest; reason: string }[];
}

/** Counters a connector keeps for the current run, read by the engine into SyncRun. */
export interface CallStats {
  apiCalls: number;
  rateLimited: number;
  waitedMs: number;
}

/**
 * One CRM behind one small interface. Grow it only when both CRMs need the new member.
 */
export interface CrmConnector {
  readonly provider: Provider;
  streams(): StreamSpec[];
  describe(stream: StreamSpec): Promise<FieldDefinition[]>;
  /** Pages from `from` onward; a null cursor in FULL phase starts from the beginning. */
  pull(stream: StreamSpec, from: StreamPosition): AsyncIterable<PullPage>;
  fetchByIds(stream: StreamSpec, remoteIds: string[]): Promise<FetchResult>;
  /** Pure: raw record to canonical record plus its links. */
  normalize(stream: StreamSpec, raw: RawRecord, defs: FieldDefs): NormalizedRecord;
  write(ops: WriteOp[]): Promise<WriteResult[]>;
  /**
   * Pure: a raw record as the CRM holds it once `properties` were written to it, in the CRM's
   * own value format, so the store can show a delivered write at once through normalize.
   */
  applyWrite(stream: StreamSpec, raw: RawRecord, properties: WriteValues): RawRecord;
  ensureFields(fields: FieldRequest[]): Promise<FieldReport>;
  stats(): CallStats;
  close(): Promise<void>;
}

/**
 * Why a CRM call failed, in our terms, keeping the CRM's own code. `origin` says whether the
 * CRM answered with an error or we failed before or after talking to it.
 */
export type CrmErrorKind =
  | 'auth' // 401 that survived a refresh: the connection needs attention
  | 'forbidden' // 403: missing permission; no retry
  | 'rate_limited' // 429 or a concurrency cap: retry later
  | 'limit_exhausted' // daily cap: pause the connection until it resets
  | 'not_found' // 404: tombstoned where the record itself is gone (fetch: missing; write: recordFailure 'gone')
  | 'conflict' // 409 on create
  | 'validation' // 400: the request is wrong; no retry
  | 'server' // 5xx after retries
  | 'network' // timeouts, resets
  | 'protocol'; // a response we could not parse

export class CrmError extends Error {
  constructor(
    readonly provider: Provider,
    readonly kind: CrmErrorKind,
    message: string,
    readonly details: {
      status?: number;
      crmCode?: string;
      origin?: 'crm' | 'us';
      retryAfterMs?: number;
      correlationId?: string;
      /** For limit_exhausted: when the connection may resume. */
      resumeAt?: Date;
    } = {},
  ) {
    super(message);
    this.name = 'CrmError';
  }

  get retryable(): boolean {
    return this.kind === 'rate_limited' || this.kind === 'server' || this.kind === 'network';
  }
}

/** Persists refreshed tokens (encrypted) when a connector obtains them. */
export type CredentialsSink = (credentials: Record<string, unknown>) => Promise<void>;

/** Told about every CRM call, for metrics. */
export type CallObserver = (call: { provider: Provider; endpoint: string; status: number | 'error'; durationMs: number }) => void;

/** A record that could not be normalized, and why. */
export interface RecordFailure {
  remoteId: string;
  reason: string;
}

/** Per event (by its index in the batch), why it could not be applied; absent events were applied. */
export type EventFailures = Map<number, Error>;

/**
 * What webhook/change-event handlers may do to the store. Events are hints: the handler asks
 * for records to be re-read from the CRM rather than trusting event payloads.
 */
export interface RecordActions {
  /**
   * Re-read these records (with their links) and upsert them; ids the CRM lacks become
   * tombstones. The records that cannot be normalized are returned with their reasons (the
   * others are written); a failed CRM call throws.
   */
  refresh(streamName: string, remoteIds: string[]): Promise<RecordFailure[]>;
  markMerged(streamName: string, mergedRemoteIds: string[], survivorRemoteId: string): Promise<void>;
}
