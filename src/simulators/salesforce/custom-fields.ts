/**
 * Custom fields, as an admin creates them in Setup or a client through the Tooling API
 * (POST /tooling/sobjects/CustomField {FullName: "Contact.AI_Score__c", Metadata: {...}}).
 * A created field is immediately usable in SOQL, writes and describe. Each creation is also
 * recorded as a Tooling CustomField row so `SELECT … FROM CustomField` works.
 */
import { z } from 'zod';
import { SalesforceApiError } from './errors.js';
import { makeField, picklist, SchemaRegistry, buildObject, type FieldDef, type FieldType } from './schema.js';
import { RecordStore } from './store.js';
import { QueryService } from './query-service.js';
import type { RecordLookup } from './soql/fields.js';
import { formatDateTime } from './values.js';

const METADATA_TYPES: Record<string, FieldType> = {
  Text: 'string', TextArea: 'textarea', LongTextArea: 'textarea', Number: 'double', Currency: 'currency', Percent: 'percent',
  Checkbox: 'boolean', Date: 'date', DateTime: 'datetime', Email: 'email', Phone: 'phone', Url: 'url',
  Picklist: 'picklist', MultiselectPicklist: 'multipicklist',
};

export const customFieldRequestSchema = z.object({
  FullName: z.string(),
  Metadata: z.object({
    label: z.string().min(1),
    type: z.string(),
    length: z.number().int().positive().optional(),
    precision: z.number().int().positive().optional(),
    scale: z.number().int().nonnegative().optional(),
    externalId: z.boolean().optional(),
    unique: z.boolean().optional(),
    required: z.boolean().optional(),
    defaultValue: z.string().nullable().optional(),
    description: z.string().optional(),
    inlineHelpText: z.string().optional(),
    valueSet: z.object({
      valueSetDefinition: z.object({
        value: z.array(z.object({ fullName: z.string(), label: z.string().optional(), default: z.boolean().optional() })),
      }).optional(),
    }).optional(),
  }).passthrough(),
});

export type CustomFieldRequest = z.infer<typeof customFieldRequestSchema>;

export interface ToolingServices {
  lookup: RecordLookup;
  queries: QueryService;
}

export function createToolingServices(now: () => number): ToolingServices {
  const schema = new SchemaRegistry();
  schema.register(buildObject('CustomField', '00N', 'Custom Fields', [
    { name: 'DeveloperName', type: 'string', createable: false, updateable: false },
    { name: 'TableEnumOrId', type: 'string', createable: false, updateable: false },
    { name: 'FullName', type: 'string', createable: false, updateable: false },
    { name: 'Description', type: 'string', createable: false, updateable: false },
  ], { withOwner: false }));
  const lookup = { schema, store: new RecordStore(now) };
  return { lookup, queries: new QueryService(lookup) };
}

function toFieldDef(name: string, metadata: CustomFieldRequest['Metadata']): FieldDef {
  const type = METADATA_TYPES[metadata.type];
  if (!type) throw new SalesforceApiError(400, 'FIELD_INTEGRITY_EXCEPTION', `Invalid field type: ${metadata.type}`, ['Metadata']);
  const values = metadata.valueSet?.valueSetDefinition?.value ?? [];
  if ((type === 'picklist' || type === 'multipicklist') && values.length === 0) {
    throw new SalesforceApiError(400, 'FIELD_INTEGRITY_EXCEPTION', 'Picklist fields need at least one value', ['Metadata']);
  }
  const labels = Object.fromEntries(values.map((value) => [value.fullName, value.label ?? value.fullName]));
  const defaultEntry = values.find((value) => value.default)?.fullName;
  return makeField({
    name,
    type,
    label: metadata.label,
    custom: true,
    length: type === 'string' ? (metadata.length ?? 255) : type === 'textarea' ? (metadata.length ?? 32768) : 0,
    precision: metadata.precision ?? (type === 'double' || type === 'currency' || type === 'percent' ? 18 : 0),
    scale: metadata.scale ?? 0,
    externalId: metadata.externalId === true,
    unique: metadata.unique === true,
    picklistValues: picklist(values.map((value) => value.fullName), labels, defaultEntry),
    defaultValue: type === 'boolean' ? metadata.defaultValue === 'true' : null,
    nillable: type !== 'boolean',
  });
}

/** Adds the field to the org's schema and records it as a Tooling CustomField row; returns the row id. */
export function defineCustomField(schema: SchemaRegistry, tooling: ToolingServices, request: CustomFieldRequest): string {
  const match = /^([A-Za-z][A-Za-z0-9_]*)\.([A-Za-z][A-Za-z0-9_]*__c)$/.exec(request.FullName);
  if (!match) throw new SalesforceApiError(400, 'INVALID_FIELD', `FullName must look like Object.Field__c: ${request.FullName}`, ['FullName']);
  const [, objectName, fieldName] = match as unknown as [string, string, string];
  const object = schema.find(objectName);
  if (!object) throw new SalesforceApiError(400, 'INVALID_TYPE', `sObject type '${objectName}' is not supported.`);
  if (object.fieldsByLowerName.has(fieldName.toLowerCase())) {
    throw new SalesforceApiError(400, 'DUPLICATE_DEVELOPER_NAME', `There's already a field named ${fieldName.replace(/__c$/, '')} on ${object.name}.`, ['FullName']);
  }
  schema.addCustomField(object.name, toFieldDef(fieldName, request.Metadata));
  const { store } = tooling.lookup;
  const id = store.ids.next('00N');
  const stamp = formatDateTime(store.now());
  store.atomic(() =>
    store.put('CustomField', {
      Id: id, IsDeleted: false, CreatedDate: stamp, CreatedById: null, LastModifiedDate: stamp, LastModifiedById: null, SystemModstamp: stamp,
      DeveloperName: fieldName.replace(/__c$/, ''), TableEnumOrId: object.name, FullName: `${object.name}.${fieldName}`,
      Description: request.Metadata.description ?? null,
    }, null),
  );
  return id;
}
