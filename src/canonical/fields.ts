/** A CRM field's definition, as describe/properties report it, in canonical terms. */
export type FieldType =
  | 'string'
  | 'text'
  | 'number'
  | 'boolean'
  | 'date'
  | 'datetime'
  | 'enumeration'
  | 'multienum'
  | 'currency'
  | 'reference'
  | 'id';

export interface FieldDefinition {
  name: string;
  label: string;
  type: FieldType;
  options: { value: string; label: string }[];
  custom: boolean;
}

export type FieldDefs = ReadonlyMap<string, FieldDefinition>;

export function fieldDefsByName(list: FieldDefinition[]): FieldDefs {
  return new Map(list.map((d) => [d.name, d]));
}
