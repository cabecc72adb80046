import type { Database } from '../db/client.js';
import { CrmError } from '../connectors/types.js';

/** Errors about the connection rather than one record or call: markConnectionFailure acts on these. */
export function blocksConnection(error: unknown): error is CrmError {
  return error instanceof CrmError && (error.kind === 'auth' || error.kind === 'forbidden' || error.kind === 'limit_exhausted');
}

/**
 * Applies the connection-level consequences of a CRM error. Returns true when the connection
 * must stop working for now (the caller skips its remaining streams or writes).
 *  - auth (401 after a refresh) and forbidden (403): NEEDS_ATTENTION, with the reason.
 *  - limit_exhausted (a daily cap): paused until the CRM's limit resets, then it resumes.
 */
export async function markConnectionFailure(db: Database, connectionId: string, error: CrmError): Promise<boolean> {
  if (error.kind === 'auth' || error.kind === 'forbidden') {
    await db.prisma.connection.update({
      where: { id: connectionId },
      data: { status: 'NEEDS_ATTENTION', statusReason: `${error.provider} ${error.kind}: ${error.message}`.slice(0, 1000) },
    });
    return true;
  }
  if (error.kind === 'limit_exhausted') {
    const resumeAt = error.details.resumeAt ?? new Date(Date.now() + 60 * 60 * 1000);
    await db.prisma.connection.update({
      where: { id: connectionId },
      data: { pausedUntil: resumeAt, statusReason: `${error.provider} limit exhausted; resuming at ${resumeAt.toISOString()}` },
    });
    return true;
  }
  return false;
}

/** Whether a connection may talk to its CRM now; the reason when not. */
export function connectionBlockedReason(connection: { status: string; pausedUntil: Date | null; statusReason: string | null }, now = new Date()): string | null {
  if (connection.status === 'PAUSED') return 'the connection is paused';
  if (connection.status === 'NEEDS_ATTENTION') return `the connection needs attention: ${connection.statusReason ?? 'unknown reason'}`;
  if (connection.pausedUntil && connection.pausedUntil > now) return `the CRM's limit is exhausted until ${connection.pausedUntil.toISOString()}`;
  return null;
}
