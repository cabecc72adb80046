import type { PrismaClient } from '../../generated/prisma/client.js';
import { notFound } from '../errors.js';
import type { RecordSignalsInput } from '../inputs.js';
import type { Loaders } from '../loaders.js';
import { findContactByEmail } from '../store/lookups.js';
import type { ContactRecord, SignalRecord } from '../store/records.js';
import type pg from 'pg';
import type { Prisma } from '../../generated/prisma/client.js';

/**
 * Stores enrichment facts on one contact record. Packets read signals across all of the
 * person's records, so by email the preferred record (see findContactByEmail) is enough.
 */
export async function recordSignals(
  deps: { prisma: PrismaClient; pool: pg.Pool; loaders: Loaders },
  input: RecordSignalsInput,
): Promise<{ contact: ContactRecord; signals: SignalRecord[] }> {
  const contact = input.contactId
    ? await deps.loaders.contactById.load(input.contactId)
    : await findContactByEmail(deps.pool, input.email as string);
  const who = input.contactId ? `id ${input.contactId}` : `email ${input.email}`;
  if (!contact) throw notFound(`no contact with ${who}`);
  if (contact.deletedAt) throw notFound(`contact with ${who} was deleted in its CRM`);
  const signals = await deps.prisma.signal.createManyAndReturn({
    data: input.signals.map((s) => ({
      contactId: contact.id,
      source: input.source,
      key: s.key,
      value: s.value as Prisma.InputJsonValue,
      observedAt: input.observedAt,
    })),
    select: { id: true, contactId: true, source: true, key: true, value: true, observedAt: true },
  });
  return { contact, signals };
}
