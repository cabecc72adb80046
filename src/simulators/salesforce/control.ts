/**
 * The simulator's control API, in process. Tests and the demo act on the org "as a person
 * would" (changes carry an empty CDC changeOrigin, like UI edits) and reach behind the API:
 * seed worlds, stamp many records at one instant, expire sessions, start a new API day.
 */
import { generateWorld } from '../world/generator.js';
import type { World } from '../world/types.js';
import type { CdcDelivery, CdcTarget } from './cdc.js';
import { defineCustomField, type CustomFieldRequest } from './custom-fields.js';
import { createRecord, deleteRecord, undeleteRecord, updateRecord, type WriteContext } from './record-writes.js';
import type { SalesforceOrg } from './org.js';
import type { RecordValues } from './store.js';
import { projectWorld } from './world-projection.js';
import { to18 } from './ids.js';
import { parseDateTime } from './values.js';

export type SeedInput = World | { seed: number; contacts: number; now?: Date };

export type Instant = Date | string | number;

function toMs(at: Instant): number {
  if (at instanceof Date) return at.getTime();
  if (typeof at === 'number') return at;
  const ms = parseDateTime(at);
  if (ms === null) throw new Error(`Not a datetime: ${at}`);
  return ms;
}

function isWorld(input: SeedInput): input is World {
  return 'people' in input;
}

export class SalesforceControl {
  constructor(private readonly org: SalesforceOrg) {}

  private person(): WriteContext {
    return { schema: this.org.schema, store: this.org.store, origin: '', userId: this.org.integrationUserId, trusted: true };
  }

  /** Replaces all records with a projection of the world (generated from seed/contacts if needed). */
  seed(input: SeedInput): { world: World; idsByKey: Map<string, string> } {
    const world = isWorld(input) ? input : generateWorld({ seed: input.seed, contacts: input.contacts, now: input.now });
    this.org.store.clear();
    this.org.queries.clear();
    const result = projectWorld(this.org, world, this.org.credentials.username);
    this.org.idsByKey = result.idsByKey;
    this.org.integrationUserId = result.integrationUserId;
    for (const token of this.org.credentials.refreshTokens) {
      this.org.sessions.addRefreshToken(token, { userId: result.integrationUserId, clientId: this.org.credentials.clientId });
    }
    return { world, idsByKey: result.idsByKey };
  }

  create(objectName: string, values: Record<string, unknown>): string {
    return createRecord(this.person(), objectName, values);
  }

  update(objectName: string, id: string, values: Record<string, unknown>): void {
    updateRecord(this.person(), objectName, id, values);
  }

  delete(objectName: string, id: string): void {
    deleteRecord(this.person(), objectName, id);
  }

  undelete(objectName: string, id: string): void {
    undeleteRecord(this.person(), objectName, id);
  }

  /** Sets SystemModstamp and LastModifiedDate of many records to one instant (no CDC). */
  touch(objectName: string, ids: readonly string[], at: Instant): number {
    return this.org.store.touch(objectName, ids.map(to18), toMs(at));
  }

  /** As an admin in Setup: adds a custom field usable at once in SOQL, writes and describe. */
  defineCustomField(request: CustomFieldRequest): string {
    return defineCustomField(this.org.schema, this.org.tooling, request);
  }

  get(objectName: string, id: string): RecordValues | undefined {
    return this.org.store.get(objectName, to18(id));
  }

  list(objectName: string, options: { includeDeleted?: boolean } = {}): RecordValues[] {
    return [...this.org.store.table(objectName).values()].filter((record) => options.includeDeleted || record.IsDeleted !== true);
  }

  counts(): Record<string, { live: number; deleted: number }> {
    const counts: Record<string, { live: number; deleted: number }> = {};
    for (const object of this.org.schema.list()) {
      const all = this.list(object.name, { includeDeleted: true });
      const deleted = all.filter((record) => record.IsDeleted === true).length;
      counts[object.name] = { live: all.length - deleted, deleted };
    }
    return counts;
  }

  idForKey(key: string): string | undefined {
    return this.org.idsByKey.get(key);
  }

  /** Times out every open query locator: the next queryMore answers 400 INVALID_QUERY_LOCATOR. */
  expireQueryLocators(): void {
    this.org.queries.clear();
  }

  /** Ends every access token; the next API call answers 401 INVALID_SESSION_ID. */
  expireSessions(): number {
    return this.org.sessions.expireAll();
  }

  /** Makes tokens issued by refresh answer 401 too: a server that keeps refusing after refresh. */
  rejectRefreshedTokens(reject: boolean): void {
    this.org.sessions.rejectRefreshedTokens = reject;
  }

  revokeRefreshTokens(): void {
    this.org.sessions.revokeRefreshTokens();
  }

  get refreshCount(): number {
    return this.org.sessions.refreshCount;
  }

  /** A new day: the daily API counter starts from zero. */
  resetDailyUsage(): void {
    this.org.limits.resetDaily();
  }

  setLimits(limits: { dailyLimit?: number; concurrencyLimit?: number; used?: number }): void {
    if (limits.dailyLimit !== undefined) this.org.limits.dailyLimit = limits.dailyLimit;
    if (limits.concurrencyLimit !== undefined) this.org.limits.concurrencyLimit = limits.concurrencyLimit;
    if (limits.used !== undefined) this.org.limits.used = limits.used;
  }

  apiUsage(): { used: number; limit: number; inFlight: number } {
    return { used: this.org.limits.used, limit: this.org.limits.dailyLimit, inFlight: this.org.limits.inFlight };
  }

  /** false: Tooling API writes answer 403 INSUFFICIENT_ACCESS, so "an admin must create the field". */
  setToolingAccess(allowed: boolean): void {
    this.org.settings.toolingAccess = allowed;
  }

  /** The API user loses (true) or regains Edit on an object: updates answer per record INSUFFICIENT_ACCESS_OR_READONLY. */
  setReadOnly(objectName: string, readOnly: boolean): void {
    if (readOnly) this.org.settings.readOnlyObjects.add(objectName);
    else this.org.settings.readOnlyObjects.delete(objectName);
  }

  /**
   * Moves the clock the org reports in its Date headers, by `ms` from this machine's: for
   * clock skew, or for "an hour later" together with the client's clock. Record stamps stay
   * on this machine's clock (update can set SystemModstamp).
   */
  setClockOffset(ms: number): void {
    this.org.settings.clockOffsetMs = ms;
  }

  setCdcTarget(target: CdcTarget | null): void {
    this.org.cdc.target = target;
  }

  async flushCdc(): Promise<void> {
    await this.org.cdc.flush();
  }

  get cdcDeliveries(): readonly CdcDelivery[] {
    return this.org.cdc.deliveries;
  }
}
