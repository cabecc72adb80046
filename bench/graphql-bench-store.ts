/**
 * The store half of bench/graphql-packet.bench.ts, run as its own child process: embedded
 * PostgreSQL, migrated and seeded with --people people held by both CRMs, plus an admin API
 * key. It stays up, idle, while the server process (bench/graphql-bench-server.ts) is
 * measured: seeding through Prisma leaves hundreds of MB on this process's heap, and a server
 * carrying that heap pays for it in major GC pauses that production servers do not have.
 */
import { parseArgs } from 'node:util';
import { createApiKey } from '../src/auth/api-keys.js';
import { openDatabase } from '../src/db/client.js';
import { createStoreFixtures, seedPeopleInBulk } from '../test/helpers/store-fixtures.js';
import { startBenchPostgres } from './bench-postgres.js';

export interface BenchStore {
  databaseUrl: string;
  apiKey: string;
  /** Both records of each person, interleaved, so both CRMs' rows are asked for. */
  contactIds: string[];
}

const { values } = parseArgs({ options: { people: { type: 'string', default: '3000' } } });

const postgres = await startBenchPostgres('context-layer-bench-');
const databaseUrl = await postgres.createDatabase('bench');

const db = openDatabase({ url: databaseUrl });
const fx = createStoreFixtures(db.prisma);
const hubspot = await fx.connection('HUBSPOT', 'hubspot-bench');
const salesforce = await fx.connection('SALESFORCE', 'salesforce-bench');
const seeded = await seedPeopleInBulk(db.prisma, { hubspot, salesforce }, Number(values.people), { activitiesPerPerson: 6 });
// Vacuumed now, so autovacuum does not wake during the measured rounds.
await db.pool.query('VACUUM ANALYZE');
const { key } = await createApiKey(db.prisma, { name: 'bench', scopes: ['admin'] });
await db.close();

const store: BenchStore = { databaseUrl, apiKey: key, contactIds: seeded.contactIds.flatMap((id, i) => [id, seeded.leadIds[i]!]) };
process.send?.(store);

process.on('message', async (message) => {
  if (message !== 'stop') return;
  await postgres.stop();
  process.exit(0);
});
