import type { CanonicalContact } from '../../src/canonical/types.js';
import type { CrmConnector } from '../../src/connectors/types.js';
import { loadFieldDefs } from '../../src/sync/field-defs.js';
import { fieldDefsByName } from '../../src/canonical/fields.js';
import type { HubspotSimulator } from '../../src/simulators/hubspot/index.js';
import type { Database } from '../../src/db/client.js';

/**
 * The comparison the sync tests rest on: what the store holds for a connection's contacts,
 * against what the simulator holds, normalized the same way, field by field.
 */
export interface ContactView {
  remoteId: string;
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  title: string | null;
  phone: string | null;
  companyRemoteId: string | null;
  ownerRemoteId: string | null;
  lifecycleStage: string | null;
  lifecycleStageLabel: string | null;
  leadStatus: string | null;
  leadStatusLabel: string | null;
  customFields: unknown;
  deleted: boolean;
}

export async function storedContacts(db: Database, connectionId: string): Promise<ContactView[]> {
  // Records merged away are compared separately: the simulator no longer lists them.
  const rows = await db.prisma.contact.findMany({ where: { connectionId, mergedIntoRemoteId: null } });
  rows.sort((a, b) => (a.remoteId < b.remoteId ? -1 : a.remoteId > b.remoteId ? 1 : 0));
  return rows.map((r) => ({
    remoteId: r.remoteId,
    email: r.email,
    firstName: r.firstName,
    lastName: r.lastName,
    title: r.title,
    phone: r.phone,
    companyRemoteId: r.companyRemoteId,
    ownerRemoteId: r.ownerRemoteId,
    lifecycleStage: r.lifecycleStage,
    lifecycleStageLabel: r.lifecycleStageLabel,
    leadStatus: r.leadStatus,
    leadStatusLabel: r.leadStatusLabel,
    customFields: r.customFields,
    deleted: r.deletedAt !== null,
  }));
}

/** Every contact the simulator has (archived ones as deleted), through the connector's normalizer. */
export async function simulatorContacts(db: Database, connectionId: string, sim: HubspotSimulator, connector: CrmConnector): Promise<ContactView[]> {
  const stream = connector.streams().find((s) => s.name === 'contacts')!;
  const defs = fieldDefsByName(await loadFieldDefs(db, connectionId, 'contacts'));
  const all = sim.store.allRecords('contacts');
  const views = all.map((record) => {
    // The API answers every requested property, null when unset; the connector requests all it described.
    const properties = Object.fromEntries([...defs.keys()].map((name) => [name, record.properties[name] ?? null]));
    const raw = { id: record.id, properties, createdAt: new Date(record.createdAt).toISOString(), updatedAt: new Date(record.updatedAt).toISOString(), archived: record.archived };
    const c = connector.normalize(stream, raw as never, defs).record as CanonicalContact;
    const primary = [...sim.store.associations.targets('contacts', record.id, 'companies')].find(([, types]) => types.has(1))?.[0] ?? null;
    return {
      remoteId: c.remoteId,
      email: c.email,
      firstName: c.firstName,
      lastName: c.lastName,
      title: c.title,
      phone: c.phone,
      companyRemoteId: primary ? String(primary) : null,
      ownerRemoteId: c.ownerRemoteId,
      lifecycleStage: c.lifecycleStage?.value ?? null,
      lifecycleStageLabel: c.lifecycleStage?.label ?? null,
      leadStatus: c.leadStatus?.value ?? null,
      leadStatusLabel: c.leadStatus?.label ?? null,
      customFields: c.customFields,
      deleted: Boolean(record.archived),
    };
  });
  return views.sort((a, b) => (a.remoteId < b.remoteId ? -1 : a.remoteId > b.remoteId ? 1 : 0));
}
