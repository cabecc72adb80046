/**
 * The Properties API: describe (HubSpot property → canonical FieldDefinition) and
 * ensureFields (create the properties AI outputs are written to).
 */
import type { FieldDefinition, FieldType } from '../../canonical/fields.js';
import { CrmError, type FieldReport, type FieldRequest } from '../types.js';
import type { HubspotClient } from './client.js';
import { propertyDefinitionSchema, propertyListSchema, type HubspotPropertyDefinition } from './schemas.js';

export function toFieldType(def: Pick<HubspotPropertyDefinition, 'type' | 'fieldType'>): FieldType {
  switch (def.type) {
    case 'number':
      return 'number';
    case 'bool':
      return 'boolean';
    case 'date':
      return 'date';
    case 'datetime':
      return 'datetime';
    case 'enumeration':
      return def.fieldType === 'checkbox' ? 'multienum' : def.fieldType === 'booleancheckbox' ? 'boolean' : 'enumeration';
    default:
      return def.fieldType === 'html' || def.fieldType === 'textarea' ? 'text' : 'string';
  }
}

export function toFieldDefinition(def: HubspotPropertyDefinition): FieldDefinition {
  return {
    name: def.name,
    label: def.label,
    type: toFieldType(def),
    // Hidden options still label values that records already hold.
    options: (def.options ?? []).map((o) => ({ value: o.value, label: o.label })),
    custom: def.hubspotDefined === false,
  };
}

export async function readProperties(client: HubspotClient, objectType: string): Promise<HubspotPropertyDefinition[]> {
  const page = await client.request({
    method: 'GET',
    path: `/crm/v3/properties/${encodeURIComponent(objectType)}`,
    schema: propertyListSchema,
    count: (p) => p.results.length,
  });
  return page.results;
}

const DEFAULT_GROUPS: Record<string, string> = {
  contacts: 'contactinformation',
  companies: 'companyinformation',
  deals: 'dealinformation',
};

const CREATE_SHAPE: Record<FieldRequest['type'], { type: string; fieldType: string }> = {
  number: { type: 'number', fieldType: 'number' },
  text: { type: 'string', fieldType: 'textarea' },
  string: { type: 'string', fieldType: 'text' },
  datetime: { type: 'datetime', fieldType: 'date' },
};

/**
 * Reads each object's properties once, creates the missing ones, and reports what an admin
 * must create by hand when we may not (403) or HubSpot refuses the definition (400).
 */
export async function ensureProperties(client: HubspotClient, fields: FieldRequest[], groups: Record<string, string>): Promise<FieldReport> {
  const report: FieldReport = { existing: [], created: [], manual: [] };
  const byObject = new Map<string, FieldRequest[]>();
  for (const field of fields) byObject.set(field.objectType, [...(byObject.get(field.objectType) ?? []), field]);
  for (const [objectType, requested] of byObject) {
    const existing = new Set((await readProperties(client, objectType)).map((p) => p.name));
    for (const field of requested) {
      const qualified = `${objectType}.${field.name}`;
      if (existing.has(field.name)) {
        report.existing.push(qualified);
        continue;
      }
      try {
        await client.request({
          method: 'POST',
          path: `/crm/v3/properties/${encodeURIComponent(objectType)}`,
          body: {
            name: field.name,
            label: field.label,
            ...CREATE_SHAPE[field.type],
            groupName: groups[objectType] ?? DEFAULT_GROUPS[objectType] ?? `${objectType.replace(/s$/, '')}information`,
            description: 'Written by context-layer',
          },
          schema: propertyDefinitionSchema,
        });
        report.created.push(qualified);
        existing.add(field.name);
      } catch (error) {
        if (!(error instanceof CrmError)) throw error;
        // Someone created it between our read and our write.
        if (error.kind === 'conflict') report.existing.push(qualified);
        else if (error.kind === 'forbidden' || error.kind === 'validation') report.manual.push({ field, reason: error.message });
        else throw error;
      }
    }
  }
  return report;
}
