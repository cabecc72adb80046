import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretBox } from '../../../src/crypto.js';
import { createConnection } from '../../../src/connections/repository.js';
import { createConnectorCache } from '../../../src/connections/connectors.js';
import { DEFAULT_PRIVATE_APP_TOKEN } from '../../../src/simulators/hubspot/auth.js';
import { startHubspotSimulator, type HubspotSimulator } from '../../../src/simulators/hubspot/index.js';
import { recoverStuckRuns, syncConnection } from '../../../src/sync/connection-sync.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/db.js';
import { simulatorContacts, storedContacts } from '../../helpers/hubspot-store.js';
import { runCli } from '../../helpers/process.js';
import { FAST_SETTINGS, quietLogger } from '../connectors/hubspot-helpers.js';

/** A sync process killed with SIGKILL partway, then run again, ends identical, with no duplicates. */
describe('crash and resume', () => {
  let db: TestDatabase;
  let sim: HubspotSimulator;
  const key = randomBytes(32);

  beforeAll(async () => {
    db = await createTestDatabase();
    sim = await startHubspotSimulator({ seed: 9, contacts: 3000, rateLimit: false });
  });
  afterAll(async () => {
    await sim?.close();
    await db?.close();
  });

  it('resumes from the last committed page after SIGKILL', async () => {
    const secrets = new SecretBox(key);
    const connection = await createConnection(db, secrets, {
      provider: 'HUBSPOT',
      name: 'crashy',
      credentials: { kind: 'private_app', token: DEFAULT_PRIVATE_APP_TOKEN },
      settings: { baseUrl: sim.url, ...FAST_SETTINGS },
    });
    // Slow pages down so the kill lands mid-run.
    sim.faults.add({ match: '^GET /crm/v3/objects/contacts', kind: 'latency', latencyMs: 150 });
    const child = runCli(['sync', 'crashy', '--object', 'contacts'], { DATABASE_URL: db.url, SECRET_KEY: key.toString('hex'), LOG_LEVEL: 'warn' });
    const deadline = Date.now() + 60_000;
    for (;;) {
      const run = await db.prisma.syncRun.findFirst({ where: { connectionId: connection.id, objectType: 'contacts' } });
      if (run && run.pages >= 3) break;
      if (Date.now() > deadline || child.child.exitCode !== null) throw new Error(`the sync never got going:\n${child.output()}`);
      await new Promise((r) => setTimeout(r, 25));
    }
    child.child.kill('SIGKILL');
    await child.exited;
    sim.faults.clear();

    const state = await db.prisma.syncState.findFirstOrThrow({ where: { connectionId: connection.id, objectType: 'contacts' } });
    expect(state.status).toBe('RUNNING'); // as the dead process left it
    expect(state.phase).toBe('FULL');
    const committed = await db.prisma.contact.count({ where: { connectionId: connection.id } });
    expect(committed).toBeGreaterThanOrEqual(300);
    expect(committed).toBeLessThan(sim.store.count('contacts'));

    const ctx = { db, logger: quietLogger };
    expect(await recoverStuckRuns(ctx, 0)).toBe(1);
    const dead = await db.prisma.syncRun.findFirstOrThrow({ where: { connectionId: connection.id }, orderBy: { startedAt: 'asc' } });
    expect(dead).toMatchObject({ status: 'FAILED' });
    expect(dead.error).toMatch(/recovered/);

    const connectors = createConnectorCache({ db, secrets, logger: quietLogger });
    const connector = await connectors.get(connection.id);
    const [outcome] = await syncConnection(ctx, connection.id, connector, { streams: ['contacts'] });
    expect(outcome).toMatchObject({ status: 'SUCCEEDED' });
    // It resumed: the second run read fewer pages than a whole pass needs.
    expect(outcome!.progress.pages).toBeLessThan(Math.ceil(sim.store.count('contacts') / 100));

    const stored = await storedContacts(db, connection.id);
    expect(stored).toEqual(await simulatorContacts(db, connection.id, sim, connector));
    const duplicates = await db.pool.query(`SELECT "remoteId" FROM "Contact" WHERE "connectionId" = $1 GROUP BY "remoteId" HAVING count(*) > 1`, [connection.id]);
    expect(duplicates.rowCount).toBe(0);
    await connectors.closeAll();
  });
});
