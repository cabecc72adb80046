import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PRIVATE_APP_TOKEN } from '../../../src/simulators/hubspot/auth.js';
import { startHubspotSimulator, type HubspotSimulator } from '../../../src/simulators/hubspot/index.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/db.js';
import { runCli } from '../../helpers/process.js';

/** The operator's commands, as real processes against a real database and the HubSpot simulator. */
describe('CLI commands', () => {
  let db: TestDatabase;
  let sim: HubspotSimulator;
  let env: Record<string, string>;

  beforeAll(async () => {
    db = await createTestDatabase();
    sim = await startHubspotSimulator({ seed: 8, contacts: 120, rateLimit: false });
    env = { DATABASE_URL: db.url, SECRET_KEY: randomBytes(32).toString('hex'), LOG_LEVEL: 'error' };
  });
  afterAll(async () => {
    await sim?.close();
    await db?.close();
  });

  async function cli(...args: string[]) {
    const proc = runCli(args, env);
    const code = await proc.exited;
    return { code, output: proc.output() };
  }

  it('adds a connection with sealed credentials, syncs it, provisions fields and drains the outbox', async () => {
    const added = await cli('connections', 'add', 'hubspot', '--name', 'ops', '--token', DEFAULT_PRIVATE_APP_TOKEN, '--base-url', sim.url);
    expect(added).toMatchObject({ code: 0 });
    expect(added.output).toContain('Added HUBSPOT connection "ops"');
    const row = await db.prisma.connection.findUniqueOrThrow({ where: { name: 'ops' } });
    expect(row.credentials).not.toContain(DEFAULT_PRIVATE_APP_TOKEN);

    const listed = await cli('connections', 'list');
    expect(listed.output).toMatch(/ops\tHUBSPOT\tACTIVE/);

    const synced = await cli('sync', 'ops', '--object', 'contacts');
    expect(synced.code).toBe(0);
    expect(synced.output).toMatch(/contacts\s+SUCCEEDED \d+ seen/);
    expect(await db.prisma.contact.count({ where: { connectionId: row.id } })).toBe(sim.store.count('contacts'));

    const fields = await cli('fields', 'ensure', 'ops');
    expect(fields.code).toBe(0);
    expect(fields.output).toContain('created   contacts.ai_qualification_score');

    const contact = await db.prisma.contact.findFirstOrThrow({ where: { connectionId: row.id } });
    await db.prisma.writeBack.create({ data: { connectionId: row.id, objectType: 'contact', remoteId: contact.remoteId, fields: { score: 70, rationale: 'r', source: 'cli', scoredAt: '2026-11-28T00:00:00.000Z' } } });
    await db.prisma.writeBack.create({ data: { connectionId: row.id, objectType: 'contact', remoteId: '999999999', fields: { score: 1, rationale: 'r', source: 'cli', scoredAt: '2026-11-28T00:00:00.000Z' } } });
    const drained = await cli('worker', '--once');
    expect(drained.output).toContain('done 1');
    expect(drained.output).toContain('dead 1');
    expect(sim.store.get('contacts', contact.remoteId)!.properties.ai_qualification_score).toBe('70');
  });

  it('lists dead letters with their reasons and queues them again', async () => {
    const listed = await cli('dead-letters', 'list', '--connection', 'ops');
    expect(listed.code).toBe(0);
    expect(listed.output).toMatch(/contact\/999999999\t1 attempt\(s\)\trecord deleted in CRM/);
    const retried = await cli('dead-letters', 'retry', '--all', '--error', 'deleted in CRM');
    expect(retried.output).toContain('Queued 1 dead letter(s) again.');
    expect(await db.prisma.writeBack.count({ where: { status: 'PENDING', remoteId: '999999999' } })).toBe(1);
  });

  it('lists failed webhook events with their reasons and queues them again', async () => {
    const ops = await db.prisma.connection.findUniqueOrThrow({ where: { name: 'ops' } });
    const failed = await db.prisma.webhookEvent.create({ data: { provider: 'HUBSPOT', eventId: 'cli-failed', connectionId: ops.id, payload: {}, status: 'FAILED', attempts: 20, error: '[HUBSPOT server] 503 for 2 hours' } });
    const unmatched = await db.prisma.webhookEvent.create({ data: { provider: 'HUBSPOT', eventId: 'cli-unmatched', payload: {}, status: 'FAILED', error: 'no connection names HubSpot portal 1' } });
    const listed = await cli('webhooks', 'failed', '--connection', 'ops');
    expect(listed.code).toBe(0);
    expect(listed.output).toContain(`${failed.id}\tHUBSPOT\tops\t20 attempt(s)\t[HUBSPOT server] 503 for 2 hours`);
    expect(listed.output).not.toContain(unmatched.id);
    const retried = await cli('webhooks', 'retry', '--error', '503');
    expect(retried.output).toContain('Queued 1 webhook event(s) again.');
    expect(await db.prisma.webhookEvent.findUniqueOrThrow({ where: { id: failed.id } })).toMatchObject({ status: 'PENDING', attempts: 0, processedAt: null });
    expect((await db.prisma.webhookEvent.findUniqueOrThrow({ where: { id: unmatched.id } })).status).toBe('FAILED');
  });

  it.each([
    [['connections', 'add', 'hubspot', '--name', 'x'], /hubspot needs --token/],
    [['connections', 'add', 'pipedrive', '--name', 'x'], /expected a provider: hubspot or salesforce/],
    [['sync', 'nope'], /no connection named "nope"/],
    [['sync', 'ops', '--object', 'widgets'], /unknown object\(s\) widgets/],
    [['dead-letters', 'retry'], /retry needs --id ID \(repeatable\) or --all/],
    [['dead-letters', 'retry', '--id', 'not-a-uuid'], /expects a dead letter's id/],
    [['fields', 'create', 'ops'], /expected: fields ensure <connection>/],
    [['sync', '--bogus-flag'], /Unknown option '--bogus-flag'/],
  ])('rejects %j with exit 2 and a clear message', async (args, message) => {
    const result = await cli(...args);
    expect(result.code).toBe(2);
    expect(result.output).toMatch(message);
    expect(result.output).toContain('--help');
  });

  it('gives every command --help with examples', async () => {
    for (const command of ['start', 'migrate', 'connections', 'sync', 'worker', 'fields', 'dead-letters', 'webhooks', 'apikey', 'simulate']) {
      const help = await cli(command, '--help');
      expect(help.code, command).toBe(0);
      expect(help.output, command).toMatch(/Usage:\s+context-layer/);
      expect(help.output, command).toMatch(/Examples?:/);
    }
  });
});
