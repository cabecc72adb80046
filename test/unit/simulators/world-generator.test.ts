import { describe, expect, it } from 'vitest';
import { DEFAULT_WORLD_NOW, generateWorld } from '../../../src/simulators/world/generator.js';
import { Random } from '../../../src/simulators/world/random.js';

describe('Random', () => {
  it('repeats the same sequence for the same seed and differs for another', () => {
    const a = new Random(42);
    const b = new Random(42);
    const c = new Random(43);
    const seqA = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(seqA);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(seqA);
  });

  it('keeps int within bounds and weighted close to its weights', () => {
    const random = new Random(1);
    const counts = { a: 0, b: 0 };
    for (let i = 0; i < 10_000; i++) {
      const n = random.int(3, 5);
      expect(n >= 3 && n <= 5).toBe(true);
      counts[random.weighted([['a', 3], ['b', 1]] as const)]++;
    }
    expect(counts.a / 10_000).toBeGreaterThan(0.72);
    expect(counts.a / 10_000).toBeLessThan(0.78);
  });
});

describe('generateWorld', () => {
  const world = generateWorld({ seed: 7, contacts: 4000 });

  it('is deterministic for a seed', () => {
    const again = generateWorld({ seed: 7, contacts: 4000 });
    expect(again).toEqual(world);
    const other = generateWorld({ seed: 8, contacts: 4000 });
    expect(other.people.map((p) => p.email)).not.toEqual(world.people.map((p) => p.email));
  });

  it('scales entity counts with the number of people', () => {
    expect(world.people).toHaveLength(4000);
    expect(world.companies).toHaveLength(500);
    expect(world.owners.length).toBeGreaterThanOrEqual(3);
    expect(world.owners.length).toBeLessThanOrEqual(36);
    // Deals for ~30% of companies, ~3 activities per person.
    expect(world.deals.length / world.companies.length).toBeGreaterThan(0.25);
    expect(world.deals.length / world.companies.length).toBeLessThan(0.35);
    expect(world.activities.length / world.people.length).toBeGreaterThan(2.7);
    expect(world.activities.length / world.people.length).toBeLessThan(3.3);
    expect(generateWorld({ seed: 1, contacts: 10 }).people).toHaveLength(10);
  });

  it('splits people across the CRMs ~60/25/15 and every person is in at least one', () => {
    const both = world.people.filter((p) => p.inHubspot && p.inSalesforce).length / 4000;
    const hubspotOnly = world.people.filter((p) => p.inHubspot && !p.inSalesforce).length / 4000;
    const salesforceOnly = world.people.filter((p) => !p.inHubspot && p.inSalesforce).length / 4000;
    expect(both).toBeGreaterThan(0.56);
    expect(both).toBeLessThan(0.64);
    expect(hubspotOnly).toBeGreaterThan(0.21);
    expect(hubspotOnly).toBeLessThan(0.29);
    expect(salesforceOnly).toBeGreaterThan(0.12);
    expect(salesforceOnly).toBeLessThan(0.18);
    expect(world.people.every((p) => p.inHubspot || p.inSalesforce)).toBe(true);
  });

  it('makes people without a company or in early stages Salesforce Leads', () => {
    for (const person of world.people) {
      if (person.companyKey === null) expect(person.salesforceKind).toBe('Lead');
      if (person.lifecycleStage === 'customer' && person.companyKey) expect(person.salesforceKind).toBe('Contact');
    }
    const leads = world.people.filter((p) => p.salesforceKind === 'Lead').length;
    expect(leads).toBeGreaterThan(0);
    expect(leads).toBeLessThan(4000);
  });

  it('has the messy data real CRMs have', () => {
    const names = world.people.map((p) => `${p.firstName ?? ''} ${p.lastName}`).join('|');
    expect(names).toMatch(/[éëüöñ]/);
    expect(names).toContain("O'");
    expect(world.people.some((p) => p.firstName === null)).toBe(true);
    expect(world.people.some((p) => p.title === null)).toBe(true);
    expect(world.people.some((p) => p.phone === null)).toBe(true);
    expect(world.people.some((p) => p.email === null)).toBe(true);
    expect(world.people.some((p) => p.email !== null && p.email === p.email.toUpperCase())).toBe(true);
    expect(world.activities.some((a) => a.bodyHtml?.includes('&amp;') && a.bodyHtml.includes('<br>'))).toBe(true);
    expect(world.people.some((p) => p.interests.length > 1)).toBe(true);
  });

  it('keeps emails unique ignoring case, and references consistent', () => {
    const emails = world.people.flatMap((p) => (p.email ? [p.email.toLowerCase()] : []));
    expect(new Set(emails).size).toBe(emails.length);
    const companyKeys = new Set(world.companies.map((c) => c.key));
    const personKeys = new Set(world.people.map((p) => p.key));
    expect(world.people.every((p) => p.companyKey === null || companyKeys.has(p.companyKey))).toBe(true);
    for (const deal of world.deals) {
      expect(deal.contactKeys.length).toBeLessThanOrEqual(3);
      expect(deal.contactKeys.every((k) => personKeys.has(k))).toBe(true);
    }
    expect(world.activities.every((a) => personKeys.has(a.personKey))).toBe(true);
  });

  it('dates everything before "now" so worlds are reproducible', () => {
    const now = DEFAULT_WORLD_NOW.getTime();
    for (const p of world.people) {
      expect(p.createdAt.getTime()).toBeLessThanOrEqual(p.updatedAt.getTime());
      expect(p.updatedAt.getTime()).toBeLessThanOrEqual(now);
    }
    expect(world.activities.every((a) => a.occurredAt.getTime() <= now)).toBe(true);
    expect(world.deals.every((d) => d.updatedAt.getTime() <= now)).toBe(true);
  });

  it('spreads picklist values rather than using one', () => {
    const stages = new Set(world.people.map((p) => p.lifecycleStage));
    expect(stages.size).toBeGreaterThanOrEqual(8);
    expect(new Set(world.deals.map((d) => d.stage)).size).toBe(7);
    expect(new Set(world.activities.map((a) => a.kind)).size).toBe(5);
  });

  it('rejects a non-positive size', () => {
    expect(() => generateWorld({ seed: 1, contacts: 0 })).toThrow(/positive integer/);
  });
});
