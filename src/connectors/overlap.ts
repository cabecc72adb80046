/**
 * Where an incremental read starts, shared by both connectors. A CRM can show a change after
 * a read that came later than it (HubSpot's search indexes a few seconds late; a Salesforce
 * transaction commits rows stamped before rows already read), so a run re-reads changes made
 * up to `overlapMs` before the previous read began (`readAt`). Measured from that read, not
 * from the cursor (the newest change seen), the window closes once an object has been quiet
 * for longer than the overlap. Without a readAt (older cursors, the first run after FULL) it
 * is measured from the cursor.
 */
export function overlapStart(cursorMs: number, readAt: string | undefined, overlapMs: number): number {
  return Math.min(cursorMs, (readAt ? Date.parse(readAt) : cursorMs) - overlapMs);
}
