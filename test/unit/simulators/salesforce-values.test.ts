import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateJwtKeyPair, signJwtAssertion, verifyJwtAssertion } from '../../../src/simulators/salesforce/auth/jwt.js';
import { signPayload } from '../../../src/simulators/salesforce/cdc.js';
import { IdFactory, checksumSuffix, to18 } from '../../../src/simulators/salesforce/ids.js';
import { formatDateTime, parseDateTime } from '../../../src/simulators/salesforce/values.js';

describe('Salesforce ids', () => {
  it('computes the case-safe suffix of documented 15-character ids', () => {
    expect(to18('001A0000006Vm9r')).toBe('001A0000006Vm9rIAC');
    expect(checksumSuffix('0015000000Gv7qJ')).toBe('AAR');
  });

  it('hands out 18-character ids with the key prefix, sortable by creation', () => {
    const ids = new IdFactory();
    const first = ids.next('003');
    const second = ids.next('003');
    expect(first).toMatch(/^003[A-Za-z0-9]{15}$/);
    expect(to18(first.slice(0, 15))).toBe(first);
    expect(second > first).toBe(true);
  });
});

describe('Salesforce datetimes', () => {
  it('formats in the REST wire format and parses every spelling clients send', () => {
    const ms = Date.UTC(2026, 0, 1, 0, 0, 0, 5);
    expect(formatDateTime(ms)).toBe('2026-01-01T00:00:00.005+0000');
    for (const text of ['2026-01-01T00:00:00.005Z', '2026-01-01T00:00:00.005+0000', '2026-01-01T01:00:00.005+01:00', '2025-12-31T19:00:00.005-0500']) {
      expect(parseDateTime(text)).toBe(ms);
    }
    expect(parseDateTime('2026-01-01')).toBeNull();
  });
});

describe('Salesforce simulator signatures', () => {
  it('signs CDC bodies as t=<seconds>,v1=<hex HMAC-SHA256 over "t.body">', () => {
    const body = '{"events":[]}';
    const expected = createHmac('sha256', 'secret').update(`1767225600.${body}`).digest('hex');
    expect(signPayload('secret', 1767225600, body)).toBe(`t=1767225600,v1=${expected}`);
  });

  it('verifies RS256 JWT assertions and rejects other keys', () => {
    const keys = generateJwtKeyPair();
    const other = generateJwtKeyPair();
    const claims = { iss: 'client', sub: 'user@example.com', aud: 'http://127.0.0.1', exp: 2_000_000_000 };
    const assertion = signJwtAssertion(keys.privateKey, claims);
    expect(verifyJwtAssertion(assertion, keys.publicKey)).toEqual({ claims });
    expect(verifyJwtAssertion(assertion, other.publicKey)).toEqual({ reason: 'invalid assertion: signature' });
    expect(verifyJwtAssertion('not.a-jwt', keys.publicKey)).toEqual({ reason: 'invalid assertion' });
  });
});
