/**
 * Makes sure the custom fields we write back (AI scores, rationales) exist, creating missing ones
 * through the Tooling API (CustomField with FullName "Contact.AI_Score__c" and Metadata). When the
 * integration user lacks "Customize Application", Salesforce answers INSUFFICIENT_ACCESS and we
 * report exactly what an admin must create in Setup instead.
 *
 * A created field is not visible to the integration user until field-level security grants it;
 * real orgs need a permission set for that (Setup → Permission Sets), which the manual text says.
 */
import { z } from 'zod';
import { CrmError, type FieldReport, type FieldRequest } from '../types.js';
import type { SalesforceClient } from './client.js';

/** Custom field API names end in __c; the label-like part is limited to 40 characters. */
export function customFieldApiName(name: string): string {
  return name.endsWith('__c') ? name : `${name}__c`;
}

interface FieldSpec {
  metadata: Record<string, unknown>;
  /** How Setup spells the type, for the manual instructions. */
  setupType: string;
}

function specFor(request: FieldRequest): FieldSpec {
  switch (request.type) {
    case 'number':
      return { metadata: { type: 'Number', precision: 18, scale: 2 }, setupType: 'Number (length 16, decimal places 2)' };
    case 'text':
      return { metadata: { type: 'LongTextArea', length: 32768, visibleLines: 5 }, setupType: 'Text Area (Long), length 32768, 5 visible lines' };
    case 'string':
      return { metadata: { type: 'Text', length: 255 }, setupType: 'Text, length 255' };
    case 'datetime':
      return { metadata: { type: 'DateTime' }, setupType: 'Date/Time' };
  }
}

const createdSchema = z.looseObject({ id: z.string(), success: z.boolean().optional() });

export async function ensureSalesforceFields(
  client: SalesforceClient,
  fields: FieldRequest[],
  fieldNamesOf: (objectType: string) => Promise<Set<string>>,
): Promise<FieldReport> {
  const report: FieldReport = { existing: [], created: [], manual: [] };
  for (const field of fields) {
    const apiName = customFieldApiName(field.name);
    const qualified = `${field.objectType}.${apiName}`;
    const known = await fieldNamesOf(field.objectType);
    if (known.has(apiName)) {
      report.existing.push(qualified);
      continue;
    }
    const spec = specFor(field);
    try {
      await client.request({
        method: 'POST',
        path: '/tooling/sobjects/CustomField',
        body: { FullName: qualified, Metadata: { label: field.label, description: 'Written by context-layer', ...spec.metadata } },
        schema: createdSchema,
        // A repeat after an ambiguous failure answers DUPLICATE_DEVELOPER_NAME, handled below.
      });
      report.created.push(qualified);
    } catch (error) {
      if (!(error instanceof CrmError)) throw error;
      if (error.details.crmCode === 'DUPLICATE_DEVELOPER_NAME') {
        report.existing.push(qualified); // created meanwhile (another replica, or an admin)
      } else if (error.kind === 'forbidden') {
        report.manual.push({ field: { ...field, name: apiName }, reason: manualInstructions(field, apiName, spec, error) });
      } else {
        throw error;
      }
    }
  }
  return report;
}

function manualInstructions(field: FieldRequest, apiName: string, spec: FieldSpec, error: CrmError): string {
  return [
    `Salesforce refused to create the field (${error.details.crmCode ?? error.kind}: the integration user lacks "Customize Application").`,
    `An admin must create it: Setup → Object Manager → ${field.objectType} → Fields & Relationships → New;`,
    `type ${spec.setupType}; Field Label "${field.label}"; Field Name "${apiName.replace(/__c$/, '')}" (API name ${apiName});`,
    'then grant the integration user read and edit access to it (field-level security or a permission set).',
  ].join(' ');
}
