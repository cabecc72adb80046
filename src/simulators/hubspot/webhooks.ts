/**
 * Webhook delivery as HubSpot does it: events are batched into JSON arrays, signed with
 * signature v3, and a delivery that fails or takes longer than the timeout is retried with
 * back-off, its events carrying an incremented attemptNumber. Tests can force duplicate
 * deliveries, because real receivers must deduplicate by eventId.
 */
import { createHmac } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import { hashString } from '../world/random.js';

export interface WebhookOptions {
  /** Full target URI; it is part of the signed message. */
  url: string;
  clientSecret: string;
  appId?: number;
  portalId?: number;
  /** Events per delivery (HubSpot sends at most 100). */
  maxBatch?: number;
  retry?: {
    /** Total attempts including the first (HubSpot: 10). */
    attempts?: number;
    /** First back-off; doubles per attempt. Tests set a few ms. */
    baseMs?: number;
    maxDelayMs?: number;
    /** A receiver slower than this counts as failed (HubSpot: 5 s). */
    timeoutMs?: number;
  };
  /** How long events gather before a batch is sent. */
  flushDelayMs?: number;
  /**
   * `legacy` (default) sends `contact.creation` and the like; `generic` sends the newer
   * `object.creation` with the object named by `objectTypeId` ("0-1" for contacts).
   */
  format?: 'legacy' | 'generic';
}

/** HubSpot's object type ids for the objects whose changes the simulator announces. */
const OBJECT_TYPE_IDS: Record<string, string> = { contact: '0-1', company: '0-2', deal: '0-3' };

/** The generic form of an event built in the legacy one: object.<kind> plus objectTypeId(s). */
function generic(input: WebhookEventInput): WebhookEventInput {
  const [singular, kind] = input.subscriptionType.split('.');
  const objectTypeId = OBJECT_TYPE_IDS[singular ?? ''];
  if (!objectTypeId || !kind) return input;
  const [, toSingular] = /^[A-Z]+_TO_([A-Z]+)$/.exec(input.associationType ?? '') ?? [];
  const toObjectTypeId = toSingular ? OBJECT_TYPE_IDS[toSingular.toLowerCase()] : undefined;
  // Association events name their two ends instead of one objectTypeId, as HubSpot sends them.
  return kind === 'associationChange'
    ? { ...input, subscriptionType: `object.${kind}`, fromObjectTypeId: objectTypeId, ...(toObjectTypeId ? { toObjectTypeId } : {}) }
    : { ...input, subscriptionType: `object.${kind}`, objectTypeId };
}

export type SubscriptionKind = 'creation' | 'deletion' | 'propertyChange' | 'merge' | 'restore' | 'associationChange' | 'privacyDeletion';

export interface WebhookEvent {
  eventId: number;
  subscriptionId: number;
  portalId: number;
  appId: number;
  occurredAt: number;
  subscriptionType: string;
  attemptNumber: number;
  objectId: number;
  changeSource: string;
  changeFlag?: string;
  propertyName?: string;
  propertyValue?: string;
  primaryObjectId?: number;
  mergedObjectIds?: number[];
  newObjectId?: number;
  associationType?: string;
  fromObjectId?: number;
  toObjectId?: number;
  associationRemoved?: boolean;
  isPrimaryAssociation?: boolean;
  sourceId?: string;
  /** Generic format only: the object's type ("0-1" contacts, "0-2" companies, "0-3" deals). */
  objectTypeId?: string;
  fromObjectTypeId?: string;
  toObjectTypeId?: string;
}

export type WebhookEventInput = Omit<WebhookEvent, 'eventId' | 'subscriptionId' | 'portalId' | 'appId' | 'attemptNumber' | 'occurredAt' | 'changeSource'> & {
  occurredAt?: number;
  changeSource?: string;
};

export interface DeliveryAttempt {
  batchId: number;
  attemptNumber: number;
  eventIds: number[];
  at: number;
  status?: number;
  error?: string;
  durationMs: number;
  duplicate: boolean;
}

/** What a receiver verifies: base64(HMAC-SHA256(secret, method + uri + body + timestamp)). */
export function signatureV3(clientSecret: string, method: string, uri: string, body: string, timestamp: string): string {
  return createHmac('sha256', clientSecret).update(`${method}${uri}${body}${timestamp}`, 'utf8').digest('base64');
}

export class WebhookDispatcher {
  private options: WebhookOptions | null = null;
  private queue: WebhookEvent[] = [];
  private timer: NodeJS.Timeout | null = null;
  private inFlight = new Set<Promise<void>>();
  private nextEventId = 1_000_001;
  private nextBatchId = 1;
  private closed = false;
  readonly batches = new Map<number, WebhookEvent[]>();
  readonly attempts: DeliveryAttempt[] = [];

  configure(options: WebhookOptions | null): void {
    this.options = options;
  }

  get target(): WebhookOptions | null {
    return this.options;
  }

  emit(inputs: WebhookEventInput[]): WebhookEvent[] {
    const options = this.options;
    if (!options || inputs.length === 0) return [];
    const events = inputs.map((given): WebhookEvent => {
      const input = options.format === 'generic' ? generic(given) : given;
      return {
        ...input,
        eventId: this.nextEventId++,
        subscriptionId: subscriptionIdFor(input.subscriptionType, input.propertyName),
        portalId: options.portalId ?? 62515,
        appId: options.appId ?? 1160452,
        occurredAt: input.occurredAt ?? Date.now(),
        attemptNumber: 0,
        changeSource: input.changeSource ?? 'CRM_UI',
      };
    });
    this.queue.push(...events);
    this.timer ??= setTimeout(() => this.flush(), options.flushDelayMs ?? 10);
    return events;
  }

  /** Resolves once every queued event was delivered or gave up. */
  async idle(): Promise<void> {
    while (this.timer !== null || this.inFlight.size > 0) {
      if (this.timer !== null) {
        clearTimeout(this.timer);
        this.flush();
      }
      await Promise.all([...this.inFlight]);
    }
  }

  /** Sends an already-delivered batch again, unchanged: the duplicate a receiver must absorb. */
  redeliver(batchId?: number): Promise<void> {
    const id = batchId ?? this.nextBatchId - 1;
    const events = this.batches.get(id);
    if (!events) return Promise.reject(new Error(`No webhook batch ${id}`));
    return this.track(this.deliver(id, events, true));
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.queue = [];
  }

  private flush(): void {
    this.timer = null;
    const maxBatch = this.options?.maxBatch ?? 100;
    while (this.queue.length > 0) {
      const events = this.queue.splice(0, maxBatch);
      const batchId = this.nextBatchId++;
      this.batches.set(batchId, events);
      void this.track(this.deliver(batchId, events, false));
    }
  }

  private track(delivery: Promise<void>): Promise<void> {
    this.inFlight.add(delivery);
    return delivery.finally(() => this.inFlight.delete(delivery));
  }

  private async deliver(batchId: number, events: WebhookEvent[], duplicate: boolean): Promise<void> {
    const options = this.options;
    if (!options) return;
    const attempts = options.retry?.attempts ?? 10;
    const baseMs = options.retry?.baseMs ?? 1000;
    const maxDelayMs = options.retry?.maxDelayMs ?? 3_600_000;
    const timeoutMs = options.retry?.timeoutMs ?? 5000;
    for (let attemptNumber = 0; attemptNumber < attempts && !this.closed; attemptNumber++) {
      const body = JSON.stringify(events.map((event) => ({ ...event, attemptNumber })));
      const timestamp = String(Date.now());
      const started = Date.now();
      const attempt: DeliveryAttempt = { batchId, attemptNumber, eventIds: events.map((e) => e.eventId), at: started, durationMs: 0, duplicate };
      try {
        const response = await request(options.url, {
          method: 'POST',
          body,
          headers: {
            'content-type': 'application/json',
            'user-agent': 'HubSpot Connect 2.0 (http://dev.hubspot.com/) - simulator',
            'x-hubspot-signature-v3': signatureV3(options.clientSecret, 'POST', options.url, body, timestamp),
            'x-hubspot-signature-version': 'v3',
            'x-hubspot-request-timestamp': timestamp,
            'x-hubspot-timeout-millis': String(timeoutMs),
          },
          signal: AbortSignal.timeout(timeoutMs),
        });
        await response.body.dump();
        attempt.status = response.statusCode;
      } catch (error) {
        attempt.error = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      }
      attempt.durationMs = Date.now() - started;
      this.attempts.push(attempt);
      if (attempt.status !== undefined && attempt.status >= 200 && attempt.status < 300) return;
      if (attemptNumber + 1 < attempts) await sleep(Math.min(maxDelayMs, baseMs * 2 ** attemptNumber));
    }
  }
}

/** Stable per subscription, as a HubSpot app's subscriptions have fixed ids. */
function subscriptionIdFor(subscriptionType: string, propertyName?: string): number {
  return 100_000 + (hashString(`${subscriptionType}:${propertyName ?? ''}`) % 900_000);
}
