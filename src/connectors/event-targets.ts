import type { EventFailures, RecordActions } from './types.js';

/** A stream's records for re-reading, and which events (by index) named each. */
export class EventTargets {
  private readonly byStream = new Map<string, Map<string, number[]>>();

  add(stream: string, remoteId: string, eventIndex: number): void {
    const ids = this.byStream.get(stream) ?? new Map<string, number[]>();
    this.byStream.set(stream, ids);
    ids.set(remoteId, [...(ids.get(remoteId) ?? []), eventIndex]);
  }

  /**
   * Re-reads each stream's records once. A stream whose read fails fails the events that
   * named its records; a record that cannot be normalized fails only the events naming it.
   */
  async refreshAll(actions: RecordActions, failures: EventFailures): Promise<number> {
    let refreshed = 0;
    for (const [stream, ids] of this.byStream) {
      refreshed += ids.size;
      try {
        for (const failure of await actions.refresh(stream, [...ids.keys()])) {
          const error = new Error(`${stream} ${failure.remoteId} could not be normalized: ${failure.reason}`);
          // A record no event named (a role's Opportunity, a merged-away id's survivor) cannot
          // be traced to its events: every event of the stream waits rather than one pass.
          const named = ids.get(failure.remoteId);
          for (const index of named ?? [...ids.values()].flat()) failures.set(index, error);
        }
      } catch (error) {
        for (const indexes of ids.values()) for (const index of indexes) failures.set(index, error instanceof Error ? error : new Error(String(error)));
      }
    }
    return refreshed;
  }
}
