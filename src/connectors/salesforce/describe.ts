/**
 * sObject describe → our FieldDefinitions, plus what the SOQL builder needs to know about an
 * object (which fields exist, which relationships can be traversed).
 */
import { z } from 'zod';
import type { FieldDefinition, FieldType } from '../../canonical/fields.js';

export const describeSchema = z.looseObject({
  name: z.string(),
  fields: z.array(
    z.looseObject({
      name: z.string(),
      label: z.string(),
      type: z.string(),
      custom: z.boolean().optional(),
      picklistValues: z
        .array(z.looseObject({ value: z.string(), label: z.string().nullable().optional(), active: z.boolean().optional() }))
        .nullable()
        .optional(),
      relationshipName: z.string().nullable().optional(),
      referenceTo: z.array(z.string()).nullable().optional(),
      externalId: z.boolean().optional(),
    }),
  ),
});
export type SObjectDescribe = z.infer<typeof describeSchema>;

/** An object as our queries see it. */
export interface ObjectShape {
  name: string;
  fields: FieldDefinition[];
  /** API names as Salesforce spells them. */
  fieldNames: Set<string>;
  /** Reference field name → relationship name ("AccountId" → "Account"). */
  relationships: Map<string, string>;
}

const TYPE_MAP: Record<string, FieldType> = {
  id: 'id',
  reference: 'reference',
  string: 'string',
  email: 'string',
  phone: 'string',
  url: 'string',
  encryptedstring: 'string',
  textarea: 'text',
  picklist: 'enumeration',
  combobox: 'enumeration',
  multipicklist: 'multienum',
  double: 'number',
  int: 'number',
  long: 'number',
  percent: 'number',
  currency: 'currency',
  boolean: 'boolean',
  date: 'date',
  datetime: 'datetime',
};

export function toFieldDefinitions(describe: SObjectDescribe): FieldDefinition[] {
  return describe.fields.map((field) => ({
    name: field.name,
    label: field.label,
    type: TYPE_MAP[field.type] ?? 'string',
    // Inactive values stay: old records still hold them and deserve their label.
    options: (field.picklistValues ?? []).map((option) => ({ value: option.value, label: option.label ?? option.value })),
    custom: field.custom === true || field.name.endsWith('__c'),
  }));
}

export function toObjectShape(describe: SObjectDescribe): ObjectShape {
  const relationships = new Map<string, string>();
  for (const field of describe.fields) {
    if (field.type === 'reference' && field.relationshipName) relationships.set(field.name, field.relationshipName);
  }
  return {
    name: describe.name,
    fields: toFieldDefinitions(describe),
    fieldNames: new Set(describe.fields.map((f) => f.name)),
    relationships,
  };
}
