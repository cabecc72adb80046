/**
 * The org's metadata: sObjects, their fields, picklists and relationships. Queries, writes and
 * describe all read this one registry, so a custom field created through the Tooling API becomes
 * usable everywhere at once.
 */

export type FieldType =
  | 'id'
  | 'string'
  | 'email'
  | 'phone'
  | 'url'
  | 'picklist'
  | 'multipicklist'
  | 'double'
  | 'currency'
  | 'percent'
  | 'int'
  | 'date'
  | 'datetime'
  | 'boolean'
  | 'reference'
  | 'textarea';

export interface PicklistEntry {
  active: boolean;
  label: string;
  value: string;
  defaultValue: boolean;
}

export interface FieldDef {
  name: string;
  label: string;
  type: FieldType;
  length: number;
  precision: number;
  scale: number;
  picklistValues: PicklistEntry[];
  referenceTo: string[];
  relationshipName: string | null;
  externalId: boolean;
  idLookup: boolean;
  unique: boolean;
  createable: boolean;
  updateable: boolean;
  nillable: boolean;
  /** Required on create unless the simulator fills a default (Salesforce: !nillable && !defaultedOnCreate). */
  requiredOnCreate: boolean;
  defaultValue: string | boolean | null;
  custom: boolean;
}

export interface ObjectDef {
  name: string;
  label: string;
  labelPlural: string;
  keyPrefix: string;
  custom: boolean;
  fields: FieldDef[];
  fieldsByLowerName: Map<string, FieldDef>;
  /** Parent relationships by lower-cased relationship name ("account" → AccountId). */
  relationshipsByLowerName: Map<string, FieldDef>;
}

type FieldSpec = Partial<FieldDef> & Pick<FieldDef, 'name' | 'type'>;

const TEXT_LENGTH: Partial<Record<FieldType, number>> = {
  id: 18, reference: 18, string: 255, email: 80, phone: 40, url: 255, picklist: 255,
  multipicklist: 4099, textarea: 32000,
};

function humanize(name: string): string {
  return name
    .replace(/__c$/, '')
    .replace(/Id$/, ' ID')
    .replace(/_/g, ' ')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .trim();
}

export function makeField(spec: FieldSpec): FieldDef {
  const custom = spec.name.endsWith('__c');
  return {
    label: humanize(spec.name),
    length: TEXT_LENGTH[spec.type] ?? 0,
    precision: spec.type === 'double' || spec.type === 'currency' || spec.type === 'percent' ? 18 : 0,
    scale: spec.type === 'currency' ? 2 : 0,
    picklistValues: [],
    referenceTo: [],
    relationshipName: null,
    externalId: false,
    idLookup: false,
    unique: false,
    createable: true,
    updateable: true,
    nillable: true,
    requiredOnCreate: false,
    defaultValue: null,
    custom,
    ...spec,
  };
}

export function picklist(values: string[], labels: Record<string, string> = {}, defaultValue?: string): PicklistEntry[] {
  return values.map((value) => ({
    active: true,
    value,
    label: labels[value] ?? value,
    defaultValue: value === defaultValue,
  }));
}

const readOnly = { createable: false, updateable: false } as const;

function systemFields(withOwner: boolean): FieldSpec[] {
  const userRef = (name: string, relationshipName: string): FieldSpec => ({
    name, type: 'reference', referenceTo: ['User'], relationshipName, ...readOnly, nillable: false,
  });
  const fields: FieldSpec[] = [
    { name: 'Id', type: 'id', label: 'Record ID', ...readOnly, nillable: false, idLookup: true },
    { name: 'IsDeleted', type: 'boolean', label: 'Deleted', ...readOnly, nillable: false },
    { name: 'CreatedDate', type: 'datetime', label: 'Created Date', ...readOnly, nillable: false },
    userRef('CreatedById', 'CreatedBy'),
    { name: 'LastModifiedDate', type: 'datetime', label: 'Last Modified Date', ...readOnly, nillable: false },
    userRef('LastModifiedById', 'LastModifiedBy'),
    { name: 'SystemModstamp', type: 'datetime', label: 'System Modstamp', ...readOnly, nillable: false },
  ];
  if (withOwner) {
    fields.push({ name: 'OwnerId', type: 'reference', label: 'Owner ID', referenceTo: ['User'], relationshipName: 'Owner', nillable: false });
  }
  return fields;
}

export function buildObject(
  name: string,
  keyPrefix: string,
  labelPlural: string,
  specs: FieldSpec[],
  options: { withOwner?: boolean; label?: string } = {},
): ObjectDef {
  const object: ObjectDef = {
    name,
    label: options.label ?? humanize(name),
    labelPlural,
    keyPrefix,
    custom: false,
    fields: [],
    fieldsByLowerName: new Map(),
    relationshipsByLowerName: new Map(),
  };
  for (const spec of [...systemFields(options.withOwner ?? true), ...specs]) addField(object, makeField(spec));
  return object;
}

export function addField(object: ObjectDef, field: FieldDef): void {
  object.fields.push(field);
  object.fieldsByLowerName.set(field.name.toLowerCase(), field);
  if (field.relationshipName) object.relationshipsByLowerName.set(field.relationshipName.toLowerCase(), field);
}

export class SchemaRegistry {
  private readonly objects = new Map<string, ObjectDef>();
  private readonly byLowerName = new Map<string, ObjectDef>();
  private readonly byPrefix = new Map<string, ObjectDef>();
  /** Bumped on every metadata change so cached describes and query plans can be dropped. */
  version = 0;

  register(object: ObjectDef): void {
    this.objects.set(object.name, object);
    this.byLowerName.set(object.name.toLowerCase(), object);
    this.byPrefix.set(object.keyPrefix, object);
    this.version += 1;
  }

  list(): ObjectDef[] {
    return [...this.objects.values()];
  }

  find(name: string): ObjectDef | undefined {
    return this.byLowerName.get(name.toLowerCase());
  }

  objectForId(id: string): ObjectDef | undefined {
    return this.byPrefix.get(id.slice(0, 3));
  }

  addCustomField(objectName: string, field: FieldDef): void {
    const object = this.find(objectName);
    if (!object) throw new Error(`Unknown sObject ${objectName}`);
    addField(object, field);
    this.version += 1;
  }

  /** Unrestricted picklists accept any value; we record new ones so describe lists them. */
  ensurePicklistValue(field: FieldDef, value: string, label?: string): void {
    if (field.picklistValues.some((entry) => entry.value === value)) return;
    field.picklistValues.push({ active: true, value, label: label ?? value, defaultValue: false });
    this.version += 1;
  }
}
