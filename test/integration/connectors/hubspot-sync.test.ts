import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CanonicalActivity, CanonicalContact, CanonicalDeal, NormalizedRecord } from '../../../src/canonical/types.js';
import { normalizeEmail } from '../../../src/canonical/values.js';
import type { CrmConnector, StreamPosition } from '../../../src/connectors/types.js';
import { startHubspotSimulator, type HubspotSimulator } from '../../../src/simulators/hubspot/index.js';
import type { ObjectType } from '../../../src/simulators/hubspot/schema.js';
import { connectorFor, pullAll, stream } from './hubspot-helpers.js';

let sim: HubspotSimulator;
let connector: CrmConnector;
const incrementalFrom = new Map<string, StreamPosition>();
const firstPull = new Map<string, NormalizedRecord[]>();

beforeAll(async () => {
  sim = await startHubspotSimulator({ seed: 11, contacts: 2000 });
  connector = connectorFor(sim);
});

afterAll(async () => {
  await connector?.close();
  await sim?.close();
});

function liveIds(type: ObjectType): string[] {
  return sim.store.allRecords(type).filter((r) => !r.archived).map((r) => r.id).sort();
}

function simTargets(fromType: ObjectType, fromId: string, toType: ObjectType): string[] {
  return [...sim.store.associations.targets(fromType, fromId, toType).keys()].sort();
}

function linkedIds(record: NormalizedRecord, kind: string): string[] {
  return record.associations.filter((a) => a.toKind === kind).map((a) => a.toRemoteId).sort();
}

describe('HubSpot FULL pull against the simulator', () => {
  it('reads every stream completely, page by page, and hands over to INCREMENTAL', async () => {
    for (const spec of connector.streams()) {
      const outcome = await pullAll(connector, spec, { phase: 'FULL', cursor: null });
      firstPull.set(spec.name, outcome.records);
      incrementalFrom.set(spec.name, outcome.last);
      expect(outcome.last.phase, spec.name).toBe('INCREMENTAL');
      expect(Math.max(...outcome.pages.map((p) => p.records.length)), spec.name).toBeLessThanOrEqual(100);
      const ids = outcome.records.map((r) => r.record.remoteId).sort();
      if (spec.name === 'owners') expect(ids).toEqual(sim.store.owners.map((o) => o.id).sort());
      else expect(ids, spec.name).toEqual(liveIds(spec.name as ObjectType));
    }
    expect(liveIds('contacts').length).toBeGreaterThan(1000);
  });

  it('resumes an interrupted FULL pull from its last saved position without losing records', async () => {
    const contacts = stream(connector, 'contacts');
    const beforeCrash: string[] = [];
    let saved: StreamPosition = { phase: 'FULL', cursor: null };
    for await (const page of connector.pull(contacts, saved)) {
      beforeCrash.push(...page.records.map((r) => String(r.id)));
      saved = page.next;
      if (beforeCrash.length >= 500) break;
    }
    expect(saved).toMatchObject({ phase: 'FULL', cursor: { stage: 'live', after: expect.any(String) } });
    const rest = await pullAll(connector, contacts, saved);
    expect([...beforeCrash, ...rest.records.map((r) => r.record.remoteId)].sort()).toEqual(liveIds('contacts'));
    expect(rest.last.phase).toBe('INCREMENTAL');
  });

  it('normalizes contacts exactly as the simulator holds them, primary company included', () => {
    const contacts = firstPull.get('contacts') ?? [];
    for (const normalized of contacts) {
      const contact = normalized.record as CanonicalContact;
      const source = sim.store.get('contacts', contact.remoteId)!;
      expect(contact.email).toBe(normalizeEmail(source.properties.email));
      expect(contact.lastName).toBe(source.properties.lastname ?? null);
      expect(contact.lifecycleStage?.value ?? null).toBe(source.properties.lifecyclestage ?? null);
      expect(normalized.associationKinds).toEqual(['COMPANY']);
      expect(linkedIds(normalized, 'COMPANY')).toEqual(simTargets('contacts', contact.remoteId, 'companies'));
      const primary = [...sim.store.associations.targets('contacts', contact.remoteId, 'companies')].find(([, types]) => types.has(1))?.[0] ?? null;
      expect(contact.companyRemoteId).toBe(primary ?? source.properties.associatedcompanyid ?? null);
    }
    // Labels come from the Properties API, not the stored values.
    const labeled = contacts.map((c) => (c.record as CanonicalContact).lifecycleStage).find((s) => s?.value === 'salesqualifiedlead');
    expect(labeled?.label).toBe('Sales Qualified Lead');
  });

  it('links deals and engagements to the records the simulator associates them with', () => {
    for (const normalized of firstPull.get('deals') ?? []) {
      const deal = normalized.record as CanonicalDeal;
      const source = sim.store.get('deals', deal.remoteId)!;
      expect(deal.stage?.value).toBe(source.properties.dealstage);
      expect(deal.isWon).toBe(source.properties.dealstage === 'closedwon');
      expect(deal.amount?.currency ?? null).toBe(source.properties.amount ? source.properties.deal_currency_code : null);
      expect(linkedIds(normalized, 'CONTACT')).toEqual(simTargets('deals', deal.remoteId, 'contacts'));
      expect(linkedIds(normalized, 'COMPANY')).toEqual(simTargets('deals', deal.remoteId, 'companies'));
    }
    for (const normalized of firstPull.get('emails') ?? []) {
      const email = normalized.record as CanonicalActivity;
      expect(normalized.associationKinds).toEqual(['CONTACT', 'COMPANY', 'DEAL']);
      expect(linkedIds(normalized, 'CONTACT')).toEqual(simTargets('emails', email.remoteId, 'contacts'));
      if (email.bodyHtml) expect(email.bodyText).not.toMatch(/<[a-z]/i);
    }
  });
});

describe('HubSpot INCREMENTAL pull after edits', () => {
  it('returns exactly the edited, created, merged and restored records, and reports archived ones', async () => {
    const ids = liveIds('contacts');
    const [edited, archived, primary, merged] = [ids[3]!, ids[10]!, ids[20]!, ids[21]!];
    sim.control.update('contacts', edited, { jobtitle: 'Chief Revenue Officer', lifecyclestage: 'customer' });
    sim.control.archive('contacts', archived);
    const created = sim.control.create('contacts', { email: 'New.Person@Example.org', firstname: 'New', lastname: 'Person' });
    sim.control.merge('contacts', primary, merged);

    const outcome = await pullAll(connector, stream(connector, 'contacts'), incrementalFrom.get('contacts')!);
    const byId = new Map(outcome.records.map((r) => [r.record.remoteId, r]));
    expect([...byId.keys()].sort()).toEqual([edited, created.id, primary].sort());
    expect(byId.get(edited)!.record).toMatchObject({ title: 'Chief Revenue Officer', lifecycleStage: { value: 'customer', label: 'Customer' } });
    expect(byId.get(created.id)!.record).toMatchObject({ email: 'new.person@example.org' });
    expect(byId.get(primary)!.absorbedRemoteIds).toEqual([merged]);
    expect(outcome.deleted).toEqual([archived]);
    expect(outcome.last.phase).toBe('INCREMENTAL');

    // The next run starts after these changes: only the overlap is re-read, and nothing new is reported.
    sim.control.restore('contacts', archived);
    const again = await pullAll(connector, stream(connector, 'contacts'), outcome.last);
    expect(again.records.map((r) => r.record.remoteId)).toContain(archived);
    expect(again.records.find((r) => r.record.remoteId === archived)?.record.deleted).toBe(false);
    expect(again.deleted).toEqual([]);
  });

  it('moves its cursor forward only, page after page', async () => {
    const since = (p: StreamPosition): number => Date.parse((p.cursor as { since: string }).since);
    const from = incrementalFrom.get('deals')!;
    sim.control.touch('deals', liveIds('deals'), Date.now());
    const outcome = await pullAll(connector, stream(connector, 'deals'), from);
    expect(outcome.records.length).toBe(liveIds('deals').length);
    const cursors = [from, ...outcome.pages.map((p) => p.next)].map(since);
    expect(cursors).toEqual([...cursors].sort((a, b) => a - b));
    expect(cursors.at(-1)!).toBeGreaterThan(cursors[0]!);
  });
});

describe('HubSpot fetchByIds', () => {
  it('returns records with their links and lists ids HubSpot no longer has', async () => {
    const ids = liveIds('deals').slice(0, 3);
    const archived = ids[2]!;
    sim.control.archive('deals', archived);
    const result = await connector.fetchByIds(stream(connector, 'deals'), [...ids, '9999999', ids[0]!]);
    expect(result.records.map((r) => r.id).sort()).toEqual(ids.slice(0, 2).sort());
    expect(result.missingRemoteIds.sort()).toEqual([archived, '9999999'].sort());
    const normalized = connector.normalize(stream(connector, 'deals'), result.records[0]!, new Map());
    expect(normalized.associationKinds).toEqual(['CONTACT', 'COMPANY']);
    expect(linkedIds(normalized, 'CONTACT')).toEqual(simTargets('deals', normalized.record.remoteId, 'contacts'));
  });

  it('finds owners by id', async () => {
    const owner = sim.store.owners[0]!;
    const result = await connector.fetchByIds(stream(connector, 'owners'), [owner.id, '1']);
    expect(result.records.map((r) => r.id)).toEqual([owner.id]);
    expect(result.missingRemoteIds).toEqual(['1']);
  });
});
