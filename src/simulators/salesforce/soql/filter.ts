/**
 * Compiles a WHERE clause into a predicate over stored records. Literals are checked against the
 * field's type once, at compile time, with Salesforce's INVALID_FIELD messages; per row the
 * predicate only compares normalized values (text lower-cased: SOQL compares case-insensitively).
 */
import { invalidField } from '../errors.js';
import { to18 } from '../ids.js';
import type { FieldDef, FieldType, ObjectDef } from '../schema.js';
import type { RecordValues } from '../store.js';
import { formatDate, formatDateTime, type FieldValue } from '../values.js';
import type { ComparisonOperator, Condition, Literal } from './ast.js';
import { dateRange } from './date-ranges.js';
import { resolveField, type RecordLookup } from './fields.js';

export type Predicate = (record: RecordValues) => boolean;
type Comparable = string | number | boolean;
type Operand = { kind: 'value'; value: Comparable | null } | { kind: 'range'; start: string; end: string };

type TypeFamily = 'text' | 'id' | 'number' | 'boolean' | 'date' | 'datetime' | 'multi' | 'longtext';

export function familyOf(type: FieldType): TypeFamily {
  switch (type) {
    case 'id':
    case 'reference':
      return 'id';
    case 'double':
    case 'currency':
    case 'percent':
    case 'int':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'date':
      return 'date';
    case 'datetime':
      return 'datetime';
    case 'multipicklist':
      return 'multi';
    case 'textarea':
      return 'longtext';
    default:
      return 'text';
  }
}

const SOAP_TYPE: Record<TypeFamily, string> = {
  text: 'string', id: 'id', number: 'double', boolean: 'boolean', date: 'date', datetime: 'dateTime', multi: 'string', longtext: 'string',
};

/** Normalizes a stored value for comparison in its family. */
export function comparableValue(family: TypeFamily, value: FieldValue): Comparable | null {
  if (value === null) return null;
  if (family === 'text' || family === 'multi') return String(value).toLowerCase();
  return value;
}

function wrongType(field: FieldDef, family: TypeFamily): Error {
  return invalidField(`value of filter criterion for field '${field.name}' must be of type ${SOAP_TYPE[family]} and should not be enclosed in quotes`);
}

function operandFor(field: FieldDef, family: TypeFamily, literal: Literal, nowMs: number): Operand {
  if (literal.kind === 'null') return { kind: 'value', value: null };
  switch (family) {
    case 'text':
    case 'multi':
      if (literal.kind !== 'string') throw invalidField(`value of filter criterion for field '${field.name}' must be of type string and should be enclosed in quotes`);
      return { kind: 'value', value: literal.value.toLowerCase() };
    case 'id':
      if (literal.kind !== 'string') throw invalidField(`value of filter criterion for field '${field.name}' must be of type id and should be enclosed in quotes`);
      return { kind: 'value', value: to18(literal.value) };
    case 'number':
      if (literal.kind !== 'number') throw wrongType(field, family);
      return { kind: 'value', value: literal.value };
    case 'boolean':
      if (literal.kind !== 'boolean') throw wrongType(field, family);
      return { kind: 'value', value: literal.value };
    case 'date':
    case 'datetime': {
      const format = family === 'date' ? formatDate : formatDateTime;
      if (literal.kind === 'dateRange') {
        const range = dateRange(literal.name, literal.n, nowMs);
        return { kind: 'range', start: format(range.start), end: format(range.end) };
      }
      if (family === 'date' && literal.kind === 'date') return { kind: 'value', value: literal.value };
      if (family === 'datetime' && literal.kind === 'datetime') return { kind: 'value', value: formatDateTime(literal.ms) };
      throw wrongType(field, family);
    }
    case 'longtext':
      throw invalidField(`field '${field.name}' can not be filtered in a query call`);
  }
}

function compareOperand(operator: ComparisonOperator, value: Comparable | null, operand: Operand): boolean {
  if (operand.kind === 'range') {
    if (value === null) return operator === '!=';
    const inside = value >= operand.start && value < operand.end;
    switch (operator) {
      case '=': return inside;
      case '!=': return !inside;
      case '<': return value < operand.start;
      case '<=': return value < operand.end;
      case '>': return value >= operand.end;
      case '>=': return value >= operand.start;
    }
  }
  const target = operand.value;
  if (operator === '=') return value === target;
  if (operator === '!=') return value !== target;
  if (value === null || target === null) return false;
  switch (operator) {
    case '<': return value < target;
    case '<=': return value <= target;
    case '>': return value > target;
    case '>=': return value >= target;
  }
}

function multiSet(value: string): string {
  return value.toLowerCase().split(';').map((part) => part.trim()).filter(Boolean).sort().join(';');
}

function likeToRegExp(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i] as string;
    if (ch === '\\' && (pattern[i + 1] === '%' || pattern[i + 1] === '_')) {
      source += pattern[i + 1] === '%' ? '%' : '_';
      i += 1;
    } else if (ch === '%') source += '.*';
    else if (ch === '_') source += '.';
    else source += ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 'is');
}

export function compileCondition(lookup: RecordLookup, root: ObjectDef, condition: Condition, nowMs: number): Predicate {
  switch (condition.kind) {
    case 'and': {
      const items = condition.items.map((item) => compileCondition(lookup, root, item, nowMs));
      return (record) => items.every((predicate) => predicate(record));
    }
    case 'or': {
      const items = condition.items.map((item) => compileCondition(lookup, root, item, nowMs));
      return (record) => items.some((predicate) => predicate(record));
    }
    case 'not': {
      const inner = compileCondition(lookup, root, condition.item, nowMs);
      return (record) => !inner(record);
    }
    case 'compare': {
      const field = resolveField(lookup, root, condition.field);
      const family = familyOf(field.leaf.type);
      const operand = operandFor(field.leaf, family, condition.value, nowMs);
      if (family === 'multi' && operand.kind === 'value' && typeof operand.value === 'string') {
        const wanted = multiSet(operand.value);
        const equal = condition.operator === '=';
        if (!equal && condition.operator !== '!=') throw invalidField(`invalid operator on multipicklist field '${field.leaf.name}'`);
        return (record) => {
          const value = field.get(record);
          return (value !== null && multiSet(String(value)) === wanted) === equal;
        };
      }
      return (record) => compareOperand(condition.operator, comparableValue(family, field.get(record)), operand);
    }
    case 'in': {
      const field = resolveField(lookup, root, condition.field);
      const family = familyOf(field.leaf.type);
      const members = new Set<Comparable | null>();
      for (const literal of condition.values) {
        const operand = operandFor(field.leaf, family, literal, nowMs);
        if (operand.kind === 'range') throw invalidField(`date literals are not allowed in IN for field '${field.leaf.name}'`);
        members.add(operand.value);
      }
      return (record) => members.has(comparableValue(family, field.get(record))) !== condition.negated;
    }
    case 'like': {
      const field = resolveField(lookup, root, condition.field);
      const family = familyOf(field.leaf.type);
      if (family !== 'text' && family !== 'id') throw invalidField(`invalid operator on field '${field.leaf.name}'`);
      const pattern = likeToRegExp(condition.pattern);
      return (record) => {
        const value = field.get(record);
        return value !== null && pattern.test(String(value));
      };
    }
    case 'includes': {
      const field = resolveField(lookup, root, condition.field);
      if (field.leaf.type !== 'multipicklist') throw invalidField(`includes or excludes operator only valid on multipicklist field`);
      const groups = condition.values.map((value) => multiSet(value).split(';'));
      return (record) => {
        const value = field.get(record);
        const present = new Set(value === null ? [] : multiSet(String(value)).split(';'));
        const matches = groups.some((group) => group.every((part) => present.has(part)));
        return matches !== condition.excludes;
      };
    }
  }
}
