import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { startServer, type RunningServer } from '../../src/main.js';
import { DEFAULT_PRIVATE_APP_TOKEN } from '../../src/simulators/hubspot/auth.js';
import { createEmptyDatabase } from '../helpers/db.js';

/**
 * The whole path, as a newcomer meets it: the server in demo mode syncs both simulators, the
 * API serves a context packet and contacts, and a score written through GraphQL reaches the
 * CRM (read back from the HubSpot simulator over its own API).
 */
describe('end to end: sync → query → write-back → CRM state', () => {
  let server: RunningServer;
  let apiKey: string;
  const output: string[] = [];

  beforeAll(async () => {
    const { url } = await createEmptyDatabase();
    const config = loadConfig({ DATABASE_URL: url, DATABASE_POOL_SIZE: '12', PORT: '0', DEMO: 'on', SECRET_KEY: randomBytes(32).toString('hex'), LOG_LEVEL: 'silent' });
    const write = process.stdout.write.bind(process.stdout);
    // The demo prints its banner on stdout once the first sync is done.
    const banner = new Promise<string>((resolve) => {
      process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
        const text = String(chunk);
        output.push(text);
        if (text.includes('API key:')) resolve(text);
        return (write as (c: string | Uint8Array, ...r: unknown[]) => boolean)(chunk, ...rest);
      }) as typeof process.stdout.write;
    });
    server = await startServer(config, createLogger({ level: 'silent' }));
    const text = await banner;
    process.stdout.write = write;
    apiKey = /API key:\s+(clk_\S+)/.exec(text)![1]!;
  });
  afterAll(async () => {
    await server?.stop();
  });

  async function graphql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const res = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as { data: T; errors?: unknown[] };
    expect(body.errors).toBeUndefined();
    return body.data;
  }

  it('prints the URL, a key with every scope, and three requests to paste', () => {
    const banner = output.join('');
    expect(banner).toContain(`${server.url}/graphql`);
    expect(banner.match(/curl -s /g)).toHaveLength(3);
    expect(banner).toMatch(/contextPacket\(contactId: \\"[0-9a-f-]{36}\\"\)/);
  });

  it('sizes its database pool from DATABASE_POOL_SIZE', () => {
    expect(server.db.pool.options.max).toBe(12);
  });

  it('serves a meaningful context packet from both CRMs', async () => {
    const { contacts } = await graphql<{ contacts: { edges: { node: { id: string; email: string } }[] } }>(
      '{ contacts(first: 50, filter: { hasEmail: true, providers: [SALESFORCE] }) { edges { node { id email } } } }',
    );
    const ids = contacts.edges.map((e) => e.node.id);
    expect(ids.length).toBe(50);
    const { contextPackets } = await graphql<{ contextPackets: { person: { email: string }; relationship: { providers: string[] }; sources: { provider: string }[]; text: string }[] }>(
      'query ($ids: [ID!]!) { contextPackets(contactIds: $ids) { person { email } relationship { providers } sources { provider } text(maxTokens: 300) } }',
      { ids },
    );
    expect(contextPackets).toHaveLength(50);
    // One seed puts most people in both CRMs; their packets merge both.
    expect(contextPackets.some((p) => p.relationship.providers.length === 2)).toBe(true);
    for (const packet of contextPackets) {
      expect(packet.text.length).toBeGreaterThan(40);
      expect(Math.ceil(packet.text.length / 4)).toBeLessThanOrEqual(300);
    }
  });

  it('writes a score back to every CRM holding the contact', async () => {
    const both = await server.db.prisma.$queryRaw<{ id: string; email: string }[]>`
      SELECT h."id", h."email" FROM "Contact" h JOIN "Connection" hc ON hc."id" = h."connectionId" AND hc."provider" = 'HUBSPOT'
      JOIN "Contact" s ON s."email" = h."email" JOIN "Connection" sc ON sc."id" = s."connectionId" AND sc."provider" = 'SALESFORCE'
      WHERE h."deletedAt" IS NULL AND s."deletedAt" IS NULL LIMIT 1`;
    const contact = both[0]!;
    const { writeBackScore } = await graphql<{ writeBackScore: { writeBacks: { provider: string }[] } }>(
      'mutation ($id: ID!) { writeBackScore(input: { contactId: $id, score: 91, rationale: "Strong fit", source: "e2e", idempotencyKey: "e2e-1" }) { writeBacks { provider } } }',
      { id: contact.id },
    );
    expect(writeBackScore.writeBacks.map((w) => w.provider).sort()).toEqual(['HUBSPOT', 'SALESFORCE']);
    const drained = await server.worker.drainAll();
    expect(drained.done).toBeGreaterThanOrEqual(2);

    const hubspot = await server.db.prisma.connection.findUniqueOrThrow({ where: { name: 'demo-hubspot' } });
    const row = await server.db.prisma.contact.findFirstOrThrow({ where: { connectionId: hubspot.id, email: contact.email } });
    const baseUrl = (hubspot.settings as { baseUrl: string }).baseUrl;
    const res = await fetch(`${baseUrl}/crm/v3/objects/contacts/${row.remoteId}?properties=ai_qualification_score,ai_source_pipeline`, {
      headers: { authorization: `Bearer ${DEFAULT_PRIVATE_APP_TOKEN}` },
    });
    const record = (await res.json()) as { properties: Record<string, string> };
    expect(record.properties).toMatchObject({ ai_qualification_score: '91', ai_source_pipeline: 'e2e' });
    expect(await server.db.prisma.writeBack.count({ where: { status: 'DONE' } })).toBeGreaterThanOrEqual(2);
  });
});
