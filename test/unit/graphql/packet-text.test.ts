import { describe, expect, it } from 'vitest';
import { DROP_ORDER, estimateTokens, formatMoney, renderPacketText } from '../../../src/graphql/packet/text.js';
import type { PacketData } from '../../../src/graphql/packet/types.js';

const at = (iso: string) => new Date(iso);

function packet(overrides: Partial<PacketData> = {}): PacketData {
  return {
    contactId: '0190a0a0-0000-7000-8000-000000000001',
    generatedAt: at('2026-11-28T12:00:00Z'),
    person: {
      name: 'Jane Doe',
      firstName: 'Jane',
      lastName: 'Doe',
      title: 'VP Sales',
      email: 'jane@acme.example',
      phone: '+49 30 1234567',
      owner: { id: 'o', connectionId: 'c', remoteId: '1', syncedAt: at('2026-11-28T00:00:00Z'), deletedAt: null, email: 'olivia@vendor.example', firstName: 'Olivia', lastName: 'Owner', active: true },
      tenure: { months: 26, since: null, source: 'clay' },
    },
    company: {
      name: 'Acme Corp',
      domain: 'acme.example',
      industry: { value: 'SOFTWARE', label: 'Software' },
      employeeCount: 250,
      annualRevenue: { amount: '12500000.00', currency: 'USD' },
      location: { city: 'Berlin', country: 'Germany' },
    },
    relationship: {
      lifecycleStage: { value: 'sql', label: 'Sales Qualified Lead' },
      leadStatus: { value: 'OPEN', label: 'Open' },
      lastActivity: { id: 'a1', kind: 'CALL', occurredAt: at('2026-11-27T10:00:00Z'), subject: 'Discovery', summary: 'Budget approved', provider: 'HUBSPOT' },
      openDeals: [
        { id: 'd1', name: 'Expansion', amount: { amount: '50000.00', currency: 'USD' }, stage: { value: 'cs', label: 'Contract Sent' }, stageLabel: 'Contract Sent', closeDate: at('2026-12-31T00:00:00Z'), role: 'Decision Maker', provider: 'HUBSPOT' },
      ],
      providers: ['HUBSPOT', 'SALESFORCE'],
    },
    recentEngagement: Array.from({ length: 5 }, (_, i) => ({
      id: `a${i}`,
      kind: 'EMAIL',
      occurredAt: at(`2026-11-2${7 - i}T10:00:00Z`),
      subject: `Touch ${i}`,
      summary: `Summary of touch ${i} with some detail about the conversation`,
      provider: 'HUBSPOT' as const,
    })),
    ai: {
      latest: { id: 's2', contactId: 'c', score: 72, previousScore: 60, rationale: 'Engaged with pricing', playbook: 'Book a demo', source: 'lead-scoring', model: 'gpt-4o', leadStatus: null, lifecycleStage: null, createdAt: at('2026-11-26T08:00:00Z') },
      history: [
        { id: 's2', contactId: 'c', score: 72, previousScore: 60, rationale: 'r', playbook: null, source: 'lead-scoring', model: null, leadStatus: null, lifecycleStage: null, createdAt: at('2026-11-26T08:00:00Z') },
        { id: 's1', contactId: 'c', score: 60, previousScore: null, rationale: 'r', playbook: null, source: 'lead-scoring', model: null, leadStatus: null, lifecycleStage: null, createdAt: at('2026-10-01T08:00:00Z') },
      ],
    },
    signals: [
      { id: 'g1', contactId: 'c', source: 'clearbit', key: 'hiringSdrs', value: true, observedAt: at('2026-11-25T00:00:00Z') },
      { id: 'g2', contactId: 'c', source: 'clay', key: 'techStack', value: ['postgres', 'react'], observedAt: at('2026-11-24T00:00:00Z') },
    ],
    sources: [
      { kind: 'CONTACT', provider: 'HUBSPOT', connectionId: 'c', connectionName: 'hs', remoteType: 'contact', remoteId: '101', syncedAt: at('2026-11-28T09:00:00Z') },
      { kind: 'CONTACT', provider: 'SALESFORCE', connectionId: 'c2', connectionName: 'sf', remoteType: 'Lead', remoteId: '00Q1', syncedAt: at('2026-11-27T09:00:00Z') },
    ],
    freshness: { oldestSyncedAt: at('2026-11-27T09:00:00Z'), newestSyncedAt: at('2026-11-28T09:00:00Z'), stale: true, staleAfterHours: 24 },
    ...overrides,
  };
}

describe('renderPacketText', () => {
  it('renders every section when the budget allows, in a fixed layout', () => {
    const text = renderPacketText(packet(), 2000);
    expect(text).toBe(
      [
        'Contact: Jane Doe, VP Sales at Acme Corp',
        'email jane@acme.example; phone +49 30 1234567; owner Olivia Owner <olivia@vendor.example>; in role 26 months (per clay)',
        'AI score: 72/100 (previous 60) by lead-scoring/gpt-4o on 2026-11-26. Rationale: Engaged with pricing Playbook: Book a demo',
        'Relationship: lifecycle Sales Qualified Lead; lead status Open; last activity 2026-11-27 (CALL); in HUBSPOT, SALESFORCE',
        'Open deals:',
        '- Expansion, USD 50,000, stage Contract Sent, closes 2026-12-31, role Decision Maker',
        'Company: Acme Corp (acme.example); industry Software; 250 employees; revenue USD 12,500,000; Berlin, Germany',
        'Recent engagement (newest first):',
        '- 2026-11-27 EMAIL "Touch 0": Summary of touch 0 with some detail about the conversation',
        '- 2026-11-26 EMAIL "Touch 1": Summary of touch 1 with some detail about the conversation',
        '- 2026-11-25 EMAIL "Touch 2": Summary of touch 2 with some detail about the conversation',
        '- 2026-11-24 EMAIL "Touch 3": Summary of touch 3 with some detail about the conversation',
        '- 2026-11-23 EMAIL "Touch 4": Summary of touch 4 with some detail about the conversation',
        'Signals:',
        '- hiringSdrs: true (clearbit, 2026-11-25)',
        '- techStack: ["postgres","react"] (clay, 2026-11-24)',
        'Earlier scores:',
        '- 2026-10-01: 60 by lead-scoring',
        'Data freshness: oldest sync 2026-11-27T09:00:00.000Z; STALE (older than 24h)',
        'Sources:',
        '- HUBSPOT contact 101 (synced 2026-11-28T09:00:00.000Z)',
        '- SALESFORCE Lead 00Q1 (synced 2026-11-27T09:00:00.000Z)',
      ].join('\n'),
    );
  });

  it('stays within every budget, from tiny to generous', () => {
    for (let budget = 32; budget <= 600; budget += 7) {
      const text = renderPacketText(packet(), budget);
      expect(estimateTokens(text), `budget ${budget}`).toBeLessThanOrEqual(budget);
      // Above the header and the omissions line, trimming sections alone must fit: a text cut
      // mid-line would mean the sections were measured shorter than they render.
      if (budget >= 100) expect(text.endsWith('…'), `budget ${budget}`).toBe(false);
    }
    const full = renderPacketText(packet(), 2000);
    expect(renderPacketText(packet(), estimateTokens(full))).toBe(full);
  });

  it('drops the least valuable sections first and says what it left out', () => {
    const full = renderPacketText(packet(), 2000);
    // Just too small for everything: the sources go first, item by item.
    const tight = renderPacketText(packet(), estimateTokens(full) - 5);
    expect(tight).not.toContain('SALESFORCE Lead 00Q1');
    expect(tight).toContain('Earlier scores:');
    expect(tight).toMatch(/Omitted for length: sources/);

    let previous = Number.POSITIVE_INFINITY;
    const present = (text: string) => ({
      sources: text.includes('Sources:'),
      'score history': text.includes('Earlier scores:'),
      signals: text.includes('Signals:'),
      'recent engagement': text.includes('Recent engagement'),
      freshness: text.includes('Data freshness'),
      company: text.includes('Company:'),
      relationship: text.includes('Relationship:'),
      ai: text.includes('AI score'),
    });
    // Shrinking the budget never brings a section back, and sections vanish in DROP_ORDER.
    const vanished: string[] = [];
    for (let budget = estimateTokens(full); budget >= 32; budget -= 3) {
      const text = renderPacketText(packet(), budget);
      expect(text.startsWith('Contact: Jane Doe')).toBe(true);
      const gone = Object.entries(present(text)).filter(([, here]) => !here).map(([name]) => name);
      expect(gone).toEqual(expect.arrayContaining(vanished));
      for (const name of gone) if (!vanished.includes(name)) vanished.push(name);
      expect(text.length).toBeLessThanOrEqual(previous);
      previous = text.length;
    }
    expect(vanished).toEqual([...DROP_ORDER]);
  });

  it('trims a list section from its end before dropping it', () => {
    const full = renderPacketText(packet({ sources: [], signals: [], ai: { ...packet().ai, history: [] } }), 2000);
    const text = renderPacketText(packet({ sources: [], signals: [], ai: { ...packet().ai, history: [] } }), estimateTokens(full) - 30);
    expect(text).toContain('"Touch 0"');
    expect(text).not.toContain('"Touch 4"');
    expect(text).toMatch(/Omitted for length: recent engagement \(\d of 5 shown\)/);
  });

  it('is deterministic and cuts an oversized header to the budget', () => {
    expect(renderPacketText(packet(), 150)).toBe(renderPacketText(packet(), 150));
    const huge = packet({ person: { ...packet().person, title: 'T'.repeat(1000) } });
    const text = renderPacketText(huge, 32);
    expect(estimateTokens(text)).toBeLessThanOrEqual(32);
    expect(text.endsWith('…')).toBe(true);
  });

  it('renders an empty packet without dangling headings', () => {
    const text = renderPacketText(
      packet({
        person: { name: null, firstName: null, lastName: null, title: null, email: null, phone: null, owner: null, tenure: null },
        company: null,
        relationship: { lifecycleStage: null, leadStatus: null, lastActivity: null, openDeals: [], providers: ['HUBSPOT'] },
        recentEngagement: [],
        ai: { latest: null, history: [] },
        signals: [],
      }),
      500,
    );
    expect(text.split('\n').slice(0, 3)).toEqual(['Contact: Unnamed contact', 'AI: no score yet', 'Relationship: in HUBSPOT']);
    expect(text).not.toMatch(/Open deals:|Signals:|Recent engagement|Company:/);
  });
});

describe('formatMoney', () => {
  it('groups thousands without a locale and keeps meaningful cents', () => {
    expect(formatMoney({ amount: '1250000.00', currency: 'EUR' })).toBe('EUR 1,250,000');
    expect(formatMoney({ amount: '999.50', currency: null })).toBe('999.50');
    expect(formatMoney({ amount: '-1000.00', currency: 'USD' })).toBe('USD -1,000');
  });
});
