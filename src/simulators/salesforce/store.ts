/**
 * In-memory record storage with all-or-nothing transactions and change notification.
 *
 * Records are immutable objects: every write replaces the object. Query cursors can therefore hold
 * plain arrays of records as a snapshot, and rolling back a transaction means putting the previous
 * objects back.
 */
import { formatDateTime, parseDateTime, type FieldValue } from './values.js';
import { IdFactory } from './ids.js';

export type RecordValues = Readonly<Record<string, FieldValue>>;

export type ChangeType = 'CREATE' | 'UPDATE' | 'DELETE' | 'UNDELETE';

export interface RecordChange {
  objectName: string;
  id: string;
  changeType: ChangeType;
  changedFields: string[];
  /** The record after the change (for DELETE: the deleted record). */
  record: RecordValues;
  commitTimestamp: number;
  /** '' for changes made by a person (control API); the API path for API clients. */
  origin: string;
}

interface UndoEntry {
  objectName: string;
  id: string;
  previous: RecordValues | undefined;
  previousDeletedAt: number | undefined;
}

interface Transaction {
  undo: UndoEntry[];
  changes: RecordChange[];
}

export class RecordStore {
  private readonly tables = new Map<string, Map<string, RecordValues>>();
  private readonly deletedAt = new Map<string, Map<string, number>>();
  private readonly listeners: ((changes: RecordChange[]) => void)[] = [];
  private transaction: Transaction | null = null;
  readonly ids = new IdFactory();
  /** Bumped on every committed or rolled-back write; query caches key on it. */
  version = 0;

  constructor(readonly now: () => number = Date.now) {}

  onChange(listener: (changes: RecordChange[]) => void): void {
    this.listeners.push(listener);
  }

  table(objectName: string): Map<string, RecordValues> {
    let table = this.tables.get(objectName);
    if (!table) {
      table = new Map();
      this.tables.set(objectName, table);
    }
    return table;
  }

  get(objectName: string, id: string): RecordValues | undefined {
    return this.tables.get(objectName)?.get(id);
  }

  /** Finds a record by id in any table (ids carry their object's key prefix, but the caller may not know it). */
  findById(id: string): { objectName: string; record: RecordValues } | undefined {
    for (const [objectName, table] of this.tables) {
      const record = table.get(id);
      if (record) return { objectName, record };
    }
    return undefined;
  }

  deletedLog(objectName: string): ReadonlyMap<string, number> {
    return this.deletedAt.get(objectName) ?? new Map<string, number>();
  }

  clear(): void {
    this.tables.clear();
    this.deletedAt.clear();
    this.version += 1;
  }

  /** Runs `work` atomically: if it throws, every write it made is undone and no change is announced. */
  atomic<T>(work: () => T): T {
    if (this.transaction) return work();
    const transaction: Transaction = { undo: [], changes: [] };
    this.transaction = transaction;
    try {
      const result = work();
      this.transaction = null;
      this.version += 1;
      if (transaction.changes.length > 0) for (const listener of this.listeners) listener(transaction.changes);
      return result;
    } catch (error) {
      this.transaction = null;
      this.rollback(transaction);
      throw error;
    }
  }

  private rollback(transaction: Transaction): void {
    for (const entry of transaction.undo.reverse()) {
      const table = this.table(entry.objectName);
      if (entry.previous) table.set(entry.id, entry.previous);
      else table.delete(entry.id);
      const log = this.deletedAt.get(entry.objectName);
      if (entry.previousDeletedAt === undefined) log?.delete(entry.id);
      else log?.set(entry.id, entry.previousDeletedAt);
    }
    this.version += 1;
  }

  /** Writes one record version; must run inside atomic() so it can be undone. */
  put(objectName: string, record: RecordValues, change: Omit<RecordChange, 'objectName' | 'id' | 'record'> | null): void {
    const id = String(record.Id);
    const table = this.table(objectName);
    const transaction = this.requireTransaction();
    const log = this.deletedAt.get(objectName);
    transaction.undo.push({ objectName, id, previous: table.get(id), previousDeletedAt: log?.get(id) });
    table.set(id, record);
    if (record.IsDeleted === true) {
      let deletedLog = this.deletedAt.get(objectName);
      if (!deletedLog) {
        deletedLog = new Map();
        this.deletedAt.set(objectName, deletedLog);
      }
      if (!deletedLog.has(id)) deletedLog.set(id, parseDateTime(String(record.SystemModstamp)) ?? this.now());
    } else {
      log?.delete(id);
    }
    if (change) transaction.changes.push({ ...change, objectName, id, record });
  }

  private requireTransaction(): Transaction {
    if (!this.transaction) throw new Error('RecordStore.put must run inside atomic()');
    return this.transaction;
  }

  /** Sets SystemModstamp and LastModifiedDate on many records at one instant, without announcing changes. */
  touch(objectName: string, ids: readonly string[], atMs: number): number {
    const stamp = formatDateTime(atMs);
    let touched = 0;
    this.atomic(() => {
      for (const id of ids) {
        const record = this.get(objectName, id);
        if (!record) continue;
        this.put(objectName, { ...record, LastModifiedDate: stamp, SystemModstamp: stamp }, null);
        touched += 1;
      }
    });
    return touched;
  }
}
