import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../../src/http/app.js';
import { Metrics } from '../../../src/metrics.js';
import { startHubspotSimulator, type HubspotSimulator } from '../../../src/simulators/hubspot/index.js';
import { syncConnection } from '../../../src/sync/connection-sync.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/db.js';
import { connectorFor, quietLogger } from '../connectors/hubspot-helpers.js';

/** GET /metrics after real work: CRM calls, 429s, sync runs, outbox depth and pool use. */
describe('metrics', () => {
  let db: TestDatabase;
  let sim: HubspotSimulator;
  let server: Server;
  let url: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    sim = await startHubspotSimulator({ seed: 4, contacts: 200, rateLimit: false });
    const metrics = new Metrics(db);
    const connector = connectorFor(sim, { observe: metrics.observeCall });
    const connection = await db.prisma.connection.create({ data: { provider: 'HUBSPOT', name: 'metrics', credentials: 'unused' } });
    sim.faults.add({ match: '^GET /crm/v3/objects/contacts', kind: 'rateLimit', count: 2 });
    await syncConnection({ db, logger: quietLogger, metrics }, connection.id, connector, { streams: ['contacts'] });
    await db.prisma.writeBack.createMany({
      data: [
        { connectionId: connection.id, objectType: 'contact', remoteId: '1', fields: {}, status: 'DEAD', lastError: 'x' },
        { connectionId: connection.id, objectType: 'contact', remoteId: '2', fields: {} },
      ],
    });
    await connector.close();
    server = createServer(createApp({ db, logger: quietLogger, metrics: metrics.handler() }));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
  });
  afterAll(async () => {
    await new Promise((r) => server?.close(r));
    await sim?.close();
    await db?.close();
  });

  it('exposes the operational metrics in Prometheus format', async () => {
    const res = await fetch(url);
    expect(res.headers.get('content-type')).toMatch(/text\/plain/);
    const text = await res.text();
    expect(text).toMatch(/context_layer_crm_calls_total\{provider="HUBSPOT",endpoint="[^"]+",status="200"\} \d+/);
    expect(text).toMatch(/context_layer_crm_rate_limited_total\{provider="HUBSPOT"\} 2/);
    expect(text).toMatch(/context_layer_sync_run_duration_seconds_count\{provider="HUBSPOT",stream="contacts",status="SUCCEEDED"\} 1/);
    expect(text).toMatch(/context_layer_sync_records_total\{provider="HUBSPOT",stream="contacts",outcome="written"\} [1-9]\d*/);
    expect(text).toContain('context_layer_outbox_rows{status="DEAD"} 1');
    expect(text).toContain('context_layer_outbox_rows{status="PENDING"} 1');
    expect(text).toMatch(/context_layer_db_pool_connections\{state="total"\} \d+/);
    expect(text).toContain('context_layer_webhook_inbox_rows{status="PENDING"} 0');
  });
});
