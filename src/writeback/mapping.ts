import { z } from 'zod';
import type { FieldDefinition } from '../canonical/fields.js';
import type { FieldRequest, Provider } from '../connectors/types.js';

/**
 * Canonical AI output fields → CRM fields. Each connection may override the defaults in
 * settings.fieldMapping; lead status and lifecycle stage map to the CRM's own fields, with
 * labels translated to the CRM's values through its field definitions.
 */
export const CANONICAL_AI_FIELDS = ['score', 'rationale', 'playbook', 'scoredAt', 'source'] as const;
export type CanonicalAiField = (typeof CANONICAL_AI_FIELDS)[number];
export type MappedField = CanonicalAiField | 'leadStatus' | 'lifecycleStage';

export const DEFAULT_MAPPING: Record<Provider, Record<MappedField, string | null>> = {
  HUBSPOT: {
    score: 'ai_qualification_score',
    rationale: 'ai_qualification_rationale',
    playbook: 'ai_recommended_playbook',
    scoredAt: 'ai_last_updated',
    source: 'ai_source_pipeline',
    leadStatus: 'hs_lead_status',
    lifecycleStage: 'lifecyclestage',
  },
  SALESFORCE: {
    score: 'AI_Qualification_Score__c',
    rationale: 'AI_Qualification_Rationale__c',
    playbook: 'AI_Recommended_Playbook__c',
    scoredAt: 'AI_Last_Updated__c',
    source: 'AI_Source_Pipeline__c',
    // Only Leads have a standard Status; Contacts have no lead status or lifecycle stage field.
    leadStatus: 'Status',
    lifecycleStage: null,
  },
};

const FIELD_TYPES: Record<CanonicalAiField, { label: string; type: FieldRequest['type'] }> = {
  score: { label: 'AI Qualification Score', type: 'number' },
  rationale: { label: 'AI Qualification Rationale', type: 'text' },
  playbook: { label: 'AI Recommended Playbook', type: 'string' },
  scoredAt: { label: 'AI Last Updated', type: 'datetime' },
  source: { label: 'AI Source Pipeline', type: 'string' },
};

export const fieldMappingSchema = z.partialRecord(z.enum(['score', 'rationale', 'playbook', 'scoredAt', 'source', 'leadStatus', 'lifecycleStage']), z.string().min(1).nullable());

export function mappingFor(provider: Provider, settings: unknown): Record<MappedField, string | null> {
  const overrides = fieldMappingSchema.safeParse((settings as { fieldMapping?: unknown } | null)?.fieldMapping ?? {});
  return { ...DEFAULT_MAPPING[provider], ...(overrides.success ? overrides.data : {}) };
}

/** The CRM object the API expects for a stored record type ("contact" → "contacts" on HubSpot). */
export function crmObjectFor(provider: Provider, remoteType: string): string {
  if (provider === 'HUBSPOT') return { contact: 'contacts', company: 'companies', deal: 'deals' }[remoteType] ?? remoteType;
  return remoteType;
}

/** The AI fields that must exist in the CRM for one object type (for `fields ensure`). */
export function requiredFields(provider: Provider, settings: unknown, objectType: string): FieldRequest[] {
  const mapping = mappingFor(provider, settings);
  return CANONICAL_AI_FIELDS.flatMap((field) => {
    const name = mapping[field];
    return name ? [{ objectType, name, ...FIELD_TYPES[field] }] : [];
  });
}

const OBJECT_DEPENDENT = new Set(['leadStatus', 'lifecycleStage']);

export type CrmValue = string | number | boolean | null;

export interface MappedWrite {
  properties: Record<string, CrmValue>;
  /** Fields the write needs that the CRM lacks: the row is dead-lettered with this reason. */
  missing: string[];
}

/** Maps canonical fields to CRM properties for one record, checking every target field exists. */
export function mapFields(
  fields: Record<string, unknown>,
  mapping: Record<MappedField, string | null>,
  defs: ReadonlyMap<string, FieldDefinition>,
): MappedWrite {
  const properties: Record<string, CrmValue> = {};
  const missing: string[] = [];
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    const target = mapping[key as MappedField];
    if (!target) continue; // no CRM field for it here (e.g. lifecycle stage on Salesforce)
    const def = defs.get(target);
    if (!def) {
      // The CRM's own status fields exist on some objects only (a Salesforce Contact has no
      // Status): skip them there. The AI fields must exist; their absence dead-letters the row.
      if (!OBJECT_DEPENDENT.has(key)) missing.push(target);
      continue;
    }
    properties[target] = toCrmValue(value, def);
  }
  return { properties, missing };
}

/** A picklist takes the CRM's value: accept either a value or a label from the caller. */
function toCrmValue(value: unknown, def: FieldDefinition): CrmValue {
  if (value === null) return null;
  if (def.type === 'enumeration' && typeof value === 'string') {
    const option = def.options.find((o) => o.value === value) ?? def.options.find((o) => o.label.toLowerCase() === value.toLowerCase());
    return option?.value ?? value;
  }
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'string') return value;
  return JSON.stringify(value);
}
