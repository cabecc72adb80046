import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Connection } from 'jsforce';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSalesforceSimulator, type SalesforceSimulator } from '../../../src/simulators/salesforce/index.js';

interface Delivery {
  headers: Record<string, string | string[] | undefined>;
  raw: string;
}

let sf: SalesforceSimulator;
let conn: Connection;
let receiver: Server;
let receiverUrl: string;
const deliveries: Delivery[] = [];
const SECRET = 'cdc-test-secret';

/** What our CDC receiver must do: HMAC over `${t}.${rawBody}`, compared in constant time. */
function verifySignature(header: string, raw: string): boolean {
  const parts = Object.fromEntries(header.split(',').map((part) => part.split('=') as [string, string]));
  const expected = createHmac('sha256', SECRET).update(`${parts.t}.${raw}`).digest();
  const given = Buffer.from(parts.v1 ?? '', 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected) && Math.abs(Date.now() / 1000 - Number(parts.t)) < 300;
}

beforeAll(async () => {
  sf = await startSalesforceSimulator({ seed: 21, contacts: 40, dailyLimit: 1000 });
  conn = new Connection({
    oauth2: { loginUrl: sf.loginUrl, clientId: sf.credentials.clientId, clientSecret: sf.credentials.clientSecret },
    version: '61.0',
  });
  await conn.authorize({ grant_type: 'password', username: sf.credentials.username, password: sf.credentials.password });
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      deliveries.push({ headers: req.headers, raw: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks/salesforce`;
});

afterAll(async () => {
  await sf.close();
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
});

beforeEach(() => {
  sf.faults.clear();
  sf.control.resetDailyUsage();
  sf.control.setLimits({ dailyLimit: 1000, concurrencyLimit: 25 });
});

describe('Salesforce simulator limits', () => {
  it('reports API usage in Sforce-Limit-Info, which jsforce exposes as limitInfo', async () => {
    await conn.query('SELECT Id FROM Contact LIMIT 1');
    await conn.query('SELECT Id FROM Lead LIMIT 1');
    expect(conn.limitInfo).toEqual({ apiUsage: { used: 2, limit: 1000 } });
    expect(sf.control.apiUsage().used).toBe(2);
  });

  it('answers 403 REQUEST_LIMIT_EXCEEDED once the daily limit is used up, until a new day', async () => {
    sf.control.setLimits({ dailyLimit: 1000, used: 1000 });
    await expect(conn.query('SELECT Id FROM Contact LIMIT 1')).rejects.toMatchObject({
      errorCode: 'REQUEST_LIMIT_EXCEEDED',
      message: 'TotalRequests Limit exceeded.',
    });
    sf.control.resetDailyUsage();
    expect((await conn.query('SELECT Id FROM Contact LIMIT 1')).records).toHaveLength(1);
  });

  it('refuses requests beyond the concurrency limit with ConcurrentPerOrgLongTxn', async () => {
    sf.control.setLimits({ concurrencyLimit: 2 });
    sf.faults.add({ kind: 'latency', latencyMs: 300, match: '/query' });
    const outcomes = await Promise.allSettled([1, 2, 3, 4].map(() => conn.query('SELECT Id FROM Contact LIMIT 1')));
    const rejected = outcomes.filter((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(2);
    expect(rejected.map((outcome) => (outcome.reason as Error).message)).toEqual(['ConcurrentPerOrgLongTxn Limit exceeded.', 'ConcurrentPerOrgLongTxn Limit exceeded.']);
  });
});

describe('Salesforce simulator faults', () => {
  it('maps 5xx bursts to Salesforce error bodies; jsforce itself retries them on GET but not on POST', async () => {
    sf.faults.add({ kind: 'status', status: 503, count: 1, match: '^POST ' });
    await expect(conn.sobject('Lead').create({ LastName: 'Unlucky', Company: 'Retry Inc' })).rejects.toMatchObject({ errorCode: 'SERVER_UNAVAILABLE' });
    sf.requests.clear();
    sf.faults.add({ kind: 'status', status: 500, count: 1, match: '/query' });
    expect((await conn.query('SELECT Id FROM Contact LIMIT 1')).records).toHaveLength(1);
    expect(sf.requests.list().map((entry) => entry.status)).toEqual([500, 200]);
  });

  it('answers REQUEST_LIMIT_EXCEEDED storms with 403, which jsforce does not retry', async () => {
    sf.faults.add({ kind: 'rateLimit', count: 2, match: '/query' });
    await expect(conn.query('SELECT Id FROM Contact LIMIT 1')).rejects.toMatchObject({ errorCode: 'REQUEST_LIMIT_EXCEEDED' });
    await expect(conn.query('SELECT Id FROM Contact LIMIT 1')).rejects.toMatchObject({ errorCode: 'REQUEST_LIMIT_EXCEEDED' });
    expect((await conn.query('SELECT Id FROM Contact LIMIT 1')).records).toHaveLength(1);
  });

  it('expires the token after N calls; jsforce refreshes once and carries on', async () => {
    const refreshed: string[] = [];
    conn.on('refresh', (token: string) => refreshed.push(token));
    sf.faults.add({ kind: 'expireToken', afterCalls: 2, count: 1, match: '/query' });
    for (let i = 0; i < 4; i++) expect((await conn.query('SELECT Id FROM Contact LIMIT 1')).records).toHaveLength(1);
    expect(refreshed).toHaveLength(1);
    conn.removeAllListeners('refresh');
  });

  it('resets connections and serves truncated JSON on demand', async () => {
    sf.faults.add({ kind: 'reset', count: 1, match: '^POST ' });
    await expect(conn.sobject('Lead').create({ LastName: 'Dropped', Company: 'Reset Inc' })).rejects.toThrow();
    sf.faults.add({ kind: 'malformedJson', count: 1, match: '/sobjects' });
    const raw = await fetch(`${sf.instanceUrl}/services/data/v61.0/sobjects`, { headers: { authorization: `Bearer ${conn.accessToken}` } });
    await expect(raw.json()).rejects.toThrow(SyntaxError);
    expect((await conn.query('SELECT Id FROM Contact LIMIT 1')).records).toHaveLength(1);
  });
});

describe('Salesforce simulator change data capture', () => {
  it('posts signed CDC events for control-API and API changes, in commit order', async () => {
    deliveries.length = 0;
    sf.control.setCdcTarget({ url: receiverUrl, secret: SECRET });
    const contactId = sf.control.list('Contact')[0]?.Id as string;
    sf.control.update('Contact', contactId, { Title: 'VP Revenue' });
    const created = await conn.sobject('Lead').create({ LastName: 'Streamed', Company: 'CDC Inc' });
    sf.control.delete('Lead', created.id as string);
    sf.control.undelete('Lead', created.id as string);
    await sf.control.flushCdc();
    sf.control.setCdcTarget(null);

    expect(deliveries).toHaveLength(4);
    for (const delivery of deliveries) {
      expect(delivery.headers['content-type']).toBe('application/json');
      expect(verifySignature(String(delivery.headers['x-context-layer-signature']), delivery.raw)).toBe(true);
      expect(verifySignature(String(delivery.headers['x-context-layer-signature']), delivery.raw.replace('}', ' }'))).toBe(false);
    }
    const events = deliveries.map((delivery) => (JSON.parse(delivery.raw) as { events: Record<string, unknown>[] }).events[0] as Record<string, unknown> & { ChangeEventHeader: Record<string, unknown> });
    expect(events.map((event) => event.ChangeEventHeader.changeType)).toEqual(['UPDATE', 'CREATE', 'DELETE', 'UNDELETE']);

    const [update, create] = events;
    expect(update?.ChangeEventHeader).toMatchObject({ entityName: 'Contact', recordIds: [contactId], changeOrigin: '', sequenceNumber: 1 });
    expect(update?.ChangeEventHeader.changedFields).toEqual(expect.arrayContaining(['Title', 'LastModifiedDate']));
    expect(update?.Title).toBe('VP Revenue');
    expect(update?.ChangeEventHeader.commitTimestamp).toEqual(expect.any(Number));
    expect(create?.ChangeEventHeader).toMatchObject({ entityName: 'Lead', recordIds: [created.id], changeOrigin: 'com/salesforce/api/rest/61.0' });
    expect(create).toMatchObject({ LastName: 'Streamed', Company: 'CDC Inc', Status: 'Open - Not Contacted' });
    expect(sf.control.cdcDeliveries.map((delivery) => delivery.status)).toEqual([204, 204, 204, 204]);
  });

  it('stamps many records with one SystemModstamp through touch, without CDC', async () => {
    const ids = sf.control.list('Lead').slice(0, 5).map((record) => String(record.Id));
    expect(sf.control.touch('Lead', ids, '2026-02-01T10:00:00Z')).toBe(5);
    const rows = await conn.query<{ Id: string }>('SELECT Id FROM Lead WHERE SystemModstamp = 2026-02-01T10:00:00Z ORDER BY SystemModstamp, Id');
    expect(rows.records.map((row) => row.Id)).toEqual([...ids].sort());
  });
});
