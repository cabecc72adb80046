/**
 * Converts JSON values sent by clients into stored values for one field, with the error codes
 * Salesforce uses for each kind of bad input.
 */
import { SalesforceApiError, jsonParserError } from './errors.js';
import { ID_PATTERN, to18 } from './ids.js';
import type { FieldDef } from './schema.js';
import type { RecordLookup } from './soql/fields.js';
import { formatDate, formatDateTime, parseDate, parseDateTime, type FieldValue } from './values.js';

const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function cannotDeserialize(soapType: string, value: unknown): SalesforceApiError {
  const kind = typeof value === 'string' ? 'VALUE_STRING' : typeof value === 'number' ? 'VALUE_NUMBER_INT' : 'START_OBJECT';
  return jsonParserError(`Cannot deserialize instance of ${soapType} from ${kind} value ${String(value)} or request may be missing a required field`);
}

function asText(field: FieldDef, value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw cannotDeserialize('string', value);
}

export function coerceFieldValue(lookup: RecordLookup, field: FieldDef, value: unknown): FieldValue {
  if (value === null || value === undefined) return null;
  switch (field.type) {
    case 'string':
    case 'phone':
    case 'url':
    case 'picklist':
    case 'multipicklist':
    case 'textarea': {
      const text = asText(field, value);
      if (field.length > 0 && text.length > field.length) {
        throw new SalesforceApiError(400, 'STRING_TOO_LONG', `${field.label}: data value too large: ${text.slice(0, 40)} (max length=${field.length})`, [field.name]);
      }
      return text === '' ? null : text;
    }
    case 'email': {
      const text = asText(field, value);
      if (text === '') return null;
      if (!EMAIL_PATTERN.test(text)) throw new SalesforceApiError(400, 'INVALID_EMAIL_ADDRESS', `${field.label}: invalid email address: ${text}`, [field.name]);
      return text;
    }
    case 'double':
    case 'currency':
    case 'percent':
    case 'int': {
      const number = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
      if (!Number.isFinite(number)) throw cannotDeserialize(field.type === 'int' ? 'int' : 'double', value);
      if (field.type === 'int' && !Number.isInteger(number)) throw cannotDeserialize('int', value);
      return number;
    }
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (value === 'true' || value === 'false') return value === 'true';
      throw cannotDeserialize('boolean', value);
    case 'date': {
      const text = asText(field, value);
      const ms = parseDate(text) ?? parseDateTime(text);
      if (ms === null) throw cannotDeserialize('date', value);
      return formatDate(ms);
    }
    case 'datetime': {
      const text = asText(field, value);
      const ms = parseDateTime(text) ?? parseDate(text);
      if (ms === null) throw cannotDeserialize('datetime', value);
      return formatDateTime(ms);
    }
    case 'id':
    case 'reference': {
      const text = asText(field, value);
      if (text === '') return null;
      if (!ID_PATTERN.test(text)) {
        throw new SalesforceApiError(400, 'MALFORMED_ID', `${field.label}: id value of incorrect type: ${text}`, [field.name]);
      }
      const id = to18(text);
      const target = lookup.schema.objectForId(id);
      const record = target && field.referenceTo.includes(target.name) ? lookup.store.get(target.name, id) : undefined;
      // A record in the recycle bin answers as Salesforce does, without naming the field.
      if (record?.IsDeleted === true) throw new SalesforceApiError(400, 'ENTITY_IS_DELETED', 'entity is deleted', []);
      if (!record) throw new SalesforceApiError(400, 'INVALID_CROSS_REFERENCE_KEY', `invalid cross reference id`, [field.name]);
      return id;
    }
  }
}
