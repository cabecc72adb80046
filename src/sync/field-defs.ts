import type { PoolClient } from 'pg';
import type { FieldDefinition, FieldType } from '../canonical/fields.js';
import type { Database } from '../db/client.js';
import { uuidv7 } from '../db/ids.js';

/** Replaces a stream's field definitions with what the CRM's describe just reported. */
export async function saveFieldDefs(client: PoolClient, connectionId: string, objectType: string, defs: FieldDefinition[]): Promise<void> {
  const now = new Date();
  await client.query(
    `INSERT INTO "FieldDef" ("id", "connectionId", "objectType", "name", "label", "type", "options", "custom", "updatedAt")
     SELECT d."id", $1::uuid, $2, d."name", d."label", d."type", d."options", d."custom", $4::timestamptz
     FROM jsonb_to_recordset($3::jsonb) AS d("id" uuid, "name" text, "label" text, "type" text, "options" jsonb, "custom" boolean)
     ON CONFLICT ("connectionId", "objectType", "name") DO UPDATE SET
       "label" = EXCLUDED."label", "type" = EXCLUDED."type", "options" = EXCLUDED."options", "custom" = EXCLUDED."custom",
       "updatedAt" = EXCLUDED."updatedAt"`,
    [connectionId, objectType, JSON.stringify(defs.map((d) => ({ ...d, id: uuidv7() }))), now],
  );
  await client.query(
    `DELETE FROM "FieldDef" WHERE "connectionId" = $1::uuid AND "objectType" = $2 AND NOT ("name" = ANY($3::text[]))`,
    [connectionId, objectType, defs.map((d) => d.name)],
  );
}

export async function loadFieldDefs(db: Database, connectionId: string, objectType: string): Promise<FieldDefinition[]> {
  const rows = await db.prisma.fieldDef.findMany({ where: { connectionId, objectType } });
  return rows.map((r) => ({
    name: r.name,
    label: r.label,
    type: r.type as FieldType,
    options: r.options as { value: string; label: string }[],
    custom: r.custom,
  }));
}
