/**
 * Change Data Capture, delivered by webhook. Real Salesforce streams change events over CometD /
 * Pub/Sub; our connector receives them through a relay as HTTP POSTs, which is what this
 * publisher imitates.
 *
 * Wire format (the receiver in src/connectors/salesforce verifies exactly this):
 *   POST <target url>
 *   content-type: application/json
 *   X-Context-Layer-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, `${t}.${rawBody}`)>
 *   body: {"events":[<event>, …]}   one POST per committed transaction, in commit order
 *   <event> = {"ChangeEventHeader": {entityName, recordIds[], changeType (CREATE|UPDATE|DELETE|UNDELETE),
 *              changedFields[], commitTimestamp (epoch ms), commitNumber, commitUser, transactionKey,
 *              sequenceNumber, changeOrigin}, …field values}
 * Field values follow Salesforce: CREATE and UNDELETE carry every non-null field, UPDATE only the
 * changed fields, DELETE none. Receivers should reject signatures older than 5 minutes and compare
 * in constant time.
 */
import { createHmac, randomUUID } from 'node:crypto';
import type { RecordChange } from './store.js';
import type { FieldValue } from './values.js';

export interface CdcTarget {
  url: string;
  secret: string;
}

export interface CdcEvent {
  ChangeEventHeader: {
    entityName: string;
    recordIds: string[];
    changeType: RecordChange['changeType'];
    changedFields: string[];
    commitTimestamp: number;
    commitNumber: number;
    commitUser: string;
    transactionKey: string;
    sequenceNumber: number;
    changeOrigin: string;
  };
  [field: string]: FieldValue | CdcEvent['ChangeEventHeader'];
}

export interface CdcDelivery {
  status: number | null;
  error?: string;
  events: number;
  at: number;
}

const OMITTED_FROM_BODY = new Set(['Id', 'IsDeleted', 'SystemModstamp']);

export function signPayload(secret: string, timestampSeconds: number, rawBody: string): string {
  const v1 = createHmac('sha256', secret).update(`${timestampSeconds}.${rawBody}`).digest('hex');
  return `t=${timestampSeconds},v1=${v1}`;
}

export function toChangeEvents(changes: RecordChange[], commitNumber: number): CdcEvent[] {
  const transactionKey = randomUUID();
  return changes.map((change, index) => {
    const fields: Record<string, FieldValue> = {};
    if (change.changeType === 'CREATE' || change.changeType === 'UNDELETE') {
      for (const [name, value] of Object.entries(change.record)) if (value !== null && !OMITTED_FROM_BODY.has(name)) fields[name] = value;
    } else if (change.changeType === 'UPDATE') {
      for (const name of change.changedFields) fields[name] = change.record[name] ?? null;
    }
    return {
      ChangeEventHeader: {
        entityName: change.objectName,
        recordIds: [change.id],
        changeType: change.changeType,
        changedFields: change.changeType === 'UPDATE' ? change.changedFields : [],
        commitTimestamp: change.commitTimestamp,
        commitNumber,
        commitUser: String(change.record.LastModifiedById ?? ''),
        transactionKey,
        sequenceNumber: index + 1,
        changeOrigin: change.origin,
      },
      ...fields,
    };
  });
}

/** Posts change events in commit order; one transaction at a time so receivers see them ordered. */
export class CdcPublisher {
  target: CdcTarget | null;
  readonly deliveries: CdcDelivery[] = [];
  private queue: Promise<void> = Promise.resolve();
  private commitNumber = 0;

  constructor(target: CdcTarget | null) {
    this.target = target;
  }

  publish(changes: RecordChange[]): void {
    const target = this.target;
    if (!target || changes.length === 0) return;
    this.commitNumber += 1;
    const events = toChangeEvents(changes, this.commitNumber);
    this.queue = this.queue.then(() => this.deliver(target, events));
  }

  private async deliver(target: CdcTarget, events: CdcEvent[]): Promise<void> {
    const rawBody = JSON.stringify({ events });
    const timestamp = Math.floor(Date.now() / 1000);
    const delivery: CdcDelivery = { status: null, events: events.length, at: Date.now() };
    try {
      const response = await fetch(target.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-context-layer-signature': signPayload(target.secret, timestamp, rawBody) },
        body: rawBody,
        signal: AbortSignal.timeout(5000),
      });
      delivery.status = response.status;
      await response.arrayBuffer();
    } catch (error) {
      delivery.error = error instanceof Error ? error.message : String(error);
    }
    this.deliveries.push(delivery);
  }

  /** Resolves once every event published so far was delivered (or failed). */
  async flush(): Promise<void> {
    await this.queue;
  }
}
