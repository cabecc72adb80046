/**
 * Tokenizer for SOQL. Keywords are case-insensitive; dotted names stay one token so the parser
 * sees relationship paths whole. Date and datetime literals are recognised before numbers
 * because both start with digits.
 */
import { malformedQuery } from '../errors.js';
import { parseDateTime } from '../values.js';

export type Token =
  | { type: 'ident'; text: string; upper: string; position: number }
  | { type: 'string'; value: string; position: number }
  | { type: 'number'; value: number; position: number }
  | { type: 'date'; value: string; position: number }
  | { type: 'datetime'; ms: number; position: number }
  | { type: 'punct'; text: string; position: number }
  | { type: 'eof'; position: number };

const DATETIME_AT = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})/y;
const DATE_AT = /\d{4}-\d{2}-\d{2}(?![\dT])/y;
const NUMBER_AT = /-?\d+(?:\.\d+)?/y;
const IDENT_AT = /[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*(?::\d+)?/y;

const ESCAPES: Record<string, string> = {
  n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', '"': '"', "'": "'", '\\': '\\',
};

export function errorAt(soql: string, position: number, detail: string): Error {
  const column = position + 1;
  return malformedQuery(`\n${soql}\n${' '.repeat(position)}^\nERROR at Row:1:Column:${column}\n${detail}`);
}

function readString(soql: string, start: number): { value: string; end: number } {
  let value = '';
  let i = start + 1;
  while (i < soql.length) {
    const ch = soql[i];
    if (ch === "'") return { value, end: i + 1 };
    if (ch === '\\') {
      const next = soql[i + 1];
      if (next === undefined) break;
      // \_ and \% survive as escapes: they only mean something inside LIKE patterns.
      if (next === '_' || next === '%') value += '\\' + next;
      else if (ESCAPES[next] !== undefined) value += ESCAPES[next];
      else throw errorAt(soql, i, `Invalid string literal '${soql.slice(start, i + 2)}'. Illegal character sequence '\\${next}' in string literal.`);
      i += 2;
      continue;
    }
    value += ch;
    i += 1;
  }
  throw errorAt(soql, start, 'unexpected token: unterminated string literal');
}

export function tokenize(soql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const matchAt = (pattern: RegExp): string | null => {
    pattern.lastIndex = i;
    const m = pattern.exec(soql);
    return m ? m[0] : null;
  };
  while (i < soql.length) {
    const ch = soql[i] as string;
    if (/\s/.test(ch)) {
      i += 1;
      continue;
    }
    if (ch === "'") {
      const { value, end } = readString(soql, i);
      tokens.push({ type: 'string', value, position: i });
      i = end;
      continue;
    }
    const datetime = matchAt(DATETIME_AT);
    if (datetime) {
      const ms = parseDateTime(datetime);
      if (ms === null) throw errorAt(soql, i, `line 1:${i} no viable alternative at character '${datetime}'`);
      tokens.push({ type: 'datetime', ms, position: i });
      i += datetime.length;
      continue;
    }
    const date = matchAt(DATE_AT);
    if (date) {
      tokens.push({ type: 'date', value: date, position: i });
      i += date.length;
      continue;
    }
    const number = matchAt(NUMBER_AT);
    if (number) {
      tokens.push({ type: 'number', value: Number(number), position: i });
      i += number.length;
      continue;
    }
    const ident = matchAt(IDENT_AT);
    if (ident) {
      tokens.push({ type: 'ident', text: ident, upper: ident.toUpperCase(), position: i });
      i += ident.length;
      continue;
    }
    const two = soql.slice(i, i + 2);
    if (two === '!=' || two === '<=' || two === '>=' || two === '<>') {
      tokens.push({ type: 'punct', text: two === '<>' ? '!=' : two, position: i });
      i += 2;
      continue;
    }
    if ('(),=<>'.includes(ch)) {
      tokens.push({ type: 'punct', text: ch, position: i });
      i += 1;
      continue;
    }
    throw errorAt(soql, i, `line 1:${i} no viable alternative at character '${ch}'`);
  }
  tokens.push({ type: 'eof', position: soql.length });
  return tokens;
}
