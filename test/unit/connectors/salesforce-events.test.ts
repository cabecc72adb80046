import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  applySalesforceEvents,
  parseSalesforceEvents,
  salesforceEventId,
  verifySalesforceSignature,
  type SalesforceChangeEvent,
} from '../../../src/connectors/salesforce/events.js';
import type { RecordActions } from '../../../src/connectors/types.js';

const secret = 'relay-secret';
const now = Date.UTC(2026, 0, 1, 12, 0, 0);
const sign = (body: string, t = Math.floor(now / 1000), key = secret) => `t=${t},v1=${createHmac('sha256', key).update(`${t}.${body}`).digest('hex')}`;

describe('verifySalesforceSignature', () => {
  const body = '{"events":[]}';

  it('accepts the relay signature over the raw body', () => {
    expect(verifySalesforceSignature({ rawBody: body, header: sign(body), secret, now })).toEqual({ ok: true });
    expect(verifySalesforceSignature({ rawBody: Buffer.from(body), header: [sign(body)], secret, now })).toEqual({ ok: true });
  });

  it('accepts any of several v1 values (secret rotation)', () => {
    const header = `${sign(body, undefined, 'old-secret')},v1=${sign(body).split('v1=')[1]}`;
    expect(verifySalesforceSignature({ rawBody: body, header, secret, now }).ok).toBe(true);
  });

  it.each([
    ['a changed body', `${body} `, sign(body), /does not match/],
    ['another secret', body, sign(body, undefined, 'other'), /does not match/],
    ['an old timestamp', body, sign(body, Math.floor(now / 1000) - 301), /outside the allowed window/],
    ['a future timestamp', body, sign(body, Math.floor(now / 1000) + 301), /outside the allowed window/],
    ['no header', body, undefined, /no X-Context-Layer-Signature/],
    ['no timestamp', body, 'v1=abc', /no valid t=/],
    ['no v1', body, `t=${Math.floor(now / 1000)}`, /no v1=/],
    ['a truncated digest', body, sign(body).slice(0, -2), /does not match/],
  ])('rejects %s', (_case, rawBody, header, reason) => {
    const check = verifySalesforceSignature({ rawBody, header, secret, now });
    expect(check.ok).toBe(false);
    expect(check.ok ? '' : check.reason).toMatch(reason);
  });
});

function event(entityName: string, changeType: string, recordIds: string[], extra: Record<string, unknown> = {}, commitTimestamp = 1000, sequenceNumber = 1) {
  return {
    ChangeEventHeader: { entityName, recordIds, changeType, changedFields: [], commitTimestamp, commitNumber: 1, commitUser: '005000000000001AAA', transactionKey: `tx-${commitTimestamp}`, sequenceNumber, changeOrigin: '' },
    ...extra,
  };
}

function parse(events: unknown[]): SalesforceChangeEvent[] {
  const parsed = parseSalesforceEvents({ events });
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.events;
}

function recorder() {
  const calls: string[] = [];
  const actions: RecordActions = {
    refresh: async (stream, ids) => {
      calls.push(`refresh ${stream} ${[...ids].sort().join(',')}`);
      return [];
    },
    markMerged: async () => void calls.push('merge'),
  };
  return { calls, actions };
}

describe('parseSalesforceEvents', () => {
  it('parses change events and keeps their field values', () => {
    const [parsed] = parse([event('Contact', 'UPDATE', ['003000000000001AAA'], { Title: 'CTO' })]);
    expect(parsed!.ChangeEventHeader.changeType).toBe('UPDATE');
    expect(parsed!.Title).toBe('CTO');
  });

  it('says what is wrong with a body that is not a change event batch', () => {
    expect(parseSalesforceEvents([])).toMatchObject({ ok: false });
    const bad = parseSalesforceEvents({ events: [event('Contact', 'RENAME', ['003000000000001AAA'])] });
    expect(bad.ok ? '' : bad.reason).toMatch(/events\.0\.ChangeEventHeader\.changeType/);
  });

  it('gives redeliveries of one change the same id, and different changes different ids', () => {
    const a = parse([event('Contact', 'UPDATE', ['003000000000001AAA'])])[0]!;
    const again = parse([{ ...event('Contact', 'UPDATE', ['003000000000001AAA']) }])[0]!;
    const next = parse([event('Contact', 'UPDATE', ['003000000000001AAA'], {}, 1000, 2)])[0]!;
    expect(salesforceEventId(a)).toBe(salesforceEventId(again));
    expect(salesforceEventId(a)).not.toBe(salesforceEventId(next));
  });
});

describe('applySalesforceEvents', () => {
  it('re-reads changed and deleted records alike, grouped per stream', async () => {
    const { calls, actions } = recorder();
    const applied = await applySalesforceEvents(
      parse([
        event('Contact', 'CREATE', ['003000000000001AAA'], {}, 1000),
        event('Contact', 'UPDATE', ['003000000000001AAA', '003000000000002AAA'], {}, 1001),
        event('Lead', 'DELETE', ['00Q000000000001AAA'], {}, 1002),
        event('Lead', 'UNDELETE', ['00Q000000000002AAA'], {}, 1003),
        event('Task', 'GAP_UPDATE', ['00T000000000001AAA'], {}, 1004),
        event('Case', 'UPDATE', ['500000000000001AAA'], {}, 1005),
      ]),
      actions,
    );
    expect(calls.sort()).toEqual([
      'refresh Contact 003000000000001AAA,003000000000002AAA',
      'refresh Lead 00Q000000000001AAA,00Q000000000002AAA',
      'refresh Task 00T000000000001AAA',
    ]);
    expect(applied).toEqual({ refreshed: 5, ignored: 1, resyncStreams: [], failures: new Map() });
  });

  it('re-reads a record deleted and undeleted once, whatever the delivery order: the org decides', async () => {
    const { calls, actions } = recorder();
    await applySalesforceEvents(
      parse([event('Account', 'UNDELETE', ['001000000000001AAA'], {}, 2000), event('Account', 'DELETE', ['001000000000001AAA'], {}, 1000)]),
      actions,
    );
    expect(calls).toEqual(['refresh Account 001000000000001AAA']);
  });

  it('turns contact role changes into refreshes of their Opportunity', async () => {
    const { calls, actions } = recorder();
    await applySalesforceEvents(
      parse([
        event('OpportunityContactRole', 'CREATE', ['00K000000000001AAA'], { OpportunityId: '006000000000001AAA' }),
        event('OpportunityContactRole', 'DELETE', ['00K000000000002AAA']),
      ]),
      actions,
    );
    // The delete names no Opportunity: the role stream re-reads the role (queryAll) to find it.
    expect(calls.sort()).toEqual(['refresh Opportunity 006000000000001AAA', 'refresh OpportunityContactRole 00K000000000002AAA']);
  });

  it('asks for a resync when events cannot name their records', async () => {
    const { calls, actions } = recorder();
    const applied = await applySalesforceEvents(parse([event('Contact', 'GAP_OVERFLOW', []), event('OpportunityContactRole', 'GAP_OVERFLOW', [])]), actions);
    expect(calls).toEqual([]);
    expect(applied.resyncStreams.sort()).toEqual(['Contact', 'Opportunity']);
  });
});
