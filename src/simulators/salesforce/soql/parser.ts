/**
 * Recursive-descent parser for the SOQL subset in ast.ts. Like Salesforce, it refuses AND and OR
 * mixed at one level without parentheses, and reports errors as MALFORMED_QUERY with the
 * row/column pointer real orgs print.
 */
import type { ComparisonOperator, Condition, DateRangeName, FieldPath, Literal, OrderItem, SoqlQuery } from './ast.js';
import { errorAt, tokenize, type Token } from './lexer.js';

const DATE_RANGES = new Set<DateRangeName>([
  'TODAY', 'YESTERDAY', 'TOMORROW', 'LAST_N_DAYS', 'NEXT_N_DAYS', 'THIS_MONTH', 'LAST_MONTH', 'THIS_YEAR',
]);
const RANGES_WITH_N = new Set<DateRangeName>(['LAST_N_DAYS', 'NEXT_N_DAYS']);
const CLAUSE_KEYWORDS = new Set(['FROM', 'WHERE', 'ORDER', 'LIMIT', 'OFFSET', 'AND', 'OR', 'NOT', 'BY', 'GROUP', 'HAVING']);

class Parser {
  private index = 0;

  constructor(
    private readonly soql: string,
    private readonly tokens: Token[],
  ) {}

  private peek(): Token {
    return this.tokens[this.index] as Token;
  }

  private advance(): Token {
    const token = this.peek();
    if (token.type !== 'eof') this.index += 1;
    return token;
  }

  private fail(token: Token = this.peek()): never {
    throw errorAt(this.soql, token.position, `unexpected token: ${describeToken(token)}`);
  }

  private isKeyword(word: string, token: Token = this.peek()): boolean {
    return token.type === 'ident' && token.upper === word;
  }

  private acceptKeyword(word: string): boolean {
    if (!this.isKeyword(word)) return false;
    this.advance();
    return true;
  }

  private expectKeyword(word: string): void {
    if (!this.acceptKeyword(word)) this.fail();
  }

  private acceptPunct(text: string): boolean {
    const token = this.peek();
    if (token.type !== 'punct' || token.text !== text) return false;
    this.advance();
    return true;
  }

  private expectPunct(text: string): void {
    if (!this.acceptPunct(text)) this.fail();
  }

  parseQuery(): SoqlQuery {
    this.expectKeyword('SELECT');
    const select = this.parseSelect();
    this.expectKeyword('FROM');
    const fromToken = this.advance();
    if (fromToken.type !== 'ident' || fromToken.text.includes('.')) this.fail(fromToken);
    const query: SoqlQuery = { select, from: fromToken.text, where: null, orderBy: [], limit: null, offset: null };
    if (this.acceptKeyword('WHERE')) query.where = this.parseCondition();
    if (this.acceptKeyword('ORDER')) {
      this.expectKeyword('BY');
      query.orderBy = this.parseOrderBy();
    }
    if (this.acceptKeyword('LIMIT')) query.limit = this.parseNonNegativeInteger();
    if (this.acceptKeyword('OFFSET')) query.offset = this.parseNonNegativeInteger();
    if (this.peek().type !== 'eof') this.fail();
    return query;
  }

  private parseSelect(): SoqlQuery['select'] {
    if (this.isKeyword('COUNT') && this.tokens[this.index + 1]?.type === 'punct') {
      this.advance();
      this.expectPunct('(');
      this.expectPunct(')');
      return { kind: 'count' };
    }
    const fields: FieldPath[] = [this.parseFieldPath()];
    while (this.acceptPunct(',')) fields.push(this.parseFieldPath());
    return { kind: 'fields', fields };
  }

  private parseFieldPath(): FieldPath {
    const token = this.advance();
    if (token.type === 'punct' && token.text === '(') {
      throw errorAt(this.soql, token.position, 'unexpected token: \'(\' (the simulator does not support child relationship subqueries)');
    }
    if (token.type !== 'ident' || CLAUSE_KEYWORDS.has(token.upper) || token.text.includes(':')) this.fail(token);
    return token.text.split('.');
  }

  private parseNonNegativeInteger(): number {
    const token = this.advance();
    if (token.type !== 'number' || !Number.isInteger(token.value) || token.value < 0) this.fail(token);
    return token.value;
  }

  private parseOrderBy(): OrderItem[] {
    const items: OrderItem[] = [];
    do {
      const field = this.parseFieldPath();
      let descending = false;
      if (this.acceptKeyword('DESC')) descending = true;
      else this.acceptKeyword('ASC');
      // Salesforce's default: nulls first when ascending, last when descending.
      let nullsLast = descending;
      if (this.acceptKeyword('NULLS')) {
        if (this.acceptKeyword('LAST')) nullsLast = true;
        else if (this.acceptKeyword('FIRST')) nullsLast = false;
        else this.fail();
      }
      items.push({ field, descending, nullsLast });
    } while (this.acceptPunct(','));
    return items;
  }

  private parseCondition(): Condition {
    const first = this.parseUnary();
    const items = [first];
    let joiner: 'AND' | 'OR' | null = null;
    for (;;) {
      const token = this.peek();
      const word = this.isKeyword('AND') ? 'AND' : this.isKeyword('OR') ? 'OR' : null;
      if (!word) break;
      if (joiner && joiner !== word) this.fail(token);
      joiner = word;
      this.advance();
      items.push(this.parseUnary());
    }
    if (!joiner) return first;
    return joiner === 'AND' ? { kind: 'and', items } : { kind: 'or', items };
  }

  private parseUnary(): Condition {
    if (this.acceptKeyword('NOT')) return { kind: 'not', item: this.parseUnary() };
    if (this.acceptPunct('(')) {
      const inner = this.parseCondition();
      this.expectPunct(')');
      return inner;
    }
    return this.parseComparison();
  }

  private parseComparison(): Condition {
    const field = this.parseFieldPath();
    const token = this.peek();
    if (token.type === 'punct' && ['=', '!=', '<', '<=', '>', '>='].includes(token.text)) {
      this.advance();
      return { kind: 'compare', field, operator: token.text as ComparisonOperator, value: this.parseLiteral() };
    }
    if (this.acceptKeyword('LIKE')) {
      const pattern = this.advance();
      if (pattern.type !== 'string') this.fail(pattern);
      return { kind: 'like', field, pattern: pattern.value };
    }
    if (this.acceptKeyword('IN')) return { kind: 'in', field, negated: false, values: this.parseLiteralList() };
    if (this.acceptKeyword('NOT')) {
      this.expectKeyword('IN');
      return { kind: 'in', field, negated: true, values: this.parseLiteralList() };
    }
    const includes = this.isKeyword('INCLUDES');
    if (includes || this.isKeyword('EXCLUDES')) {
      this.advance();
      const values = this.parseLiteralList().map((literal) => {
        if (literal.kind !== 'string') this.fail();
        return literal.value;
      });
      return { kind: 'includes', field, excludes: !includes, values };
    }
    return this.fail();
  }

  private parseLiteralList(): Literal[] {
    this.expectPunct('(');
    const values = [this.parseLiteral()];
    while (this.acceptPunct(',')) values.push(this.parseLiteral());
    this.expectPunct(')');
    return values;
  }

  private parseLiteral(): Literal {
    const token = this.advance();
    switch (token.type) {
      case 'string':
        return { kind: 'string', value: token.value };
      case 'number':
        return { kind: 'number', value: token.value };
      case 'date':
        return { kind: 'date', value: token.value };
      case 'datetime':
        return { kind: 'datetime', ms: token.ms };
      case 'ident': {
        if (token.upper === 'NULL') return { kind: 'null' };
        if (token.upper === 'TRUE' || token.upper === 'FALSE') return { kind: 'boolean', value: token.upper === 'TRUE' };
        const [name, n] = token.upper.split(':');
        if (DATE_RANGES.has(name as DateRangeName)) {
          const range = name as DateRangeName;
          if (RANGES_WITH_N.has(range) !== (n !== undefined)) this.fail(token);
          return { kind: 'dateRange', name: range, n: n === undefined ? 0 : Number(n) };
        }
        return this.fail(token);
      }
      default:
        return this.fail(token);
    }
  }
}

function describeToken(token: Token): string {
  switch (token.type) {
    case 'eof':
      return '<EOF>';
    case 'ident':
    case 'punct':
      return token.text;
    case 'string':
      return `'${token.value}'`;
    case 'number':
      return String(token.value);
    case 'date':
      return token.value;
    case 'datetime':
      return new Date(token.ms).toISOString();
  }
}

export function parseSoql(soql: string): SoqlQuery {
  return new Parser(soql, tokenize(soql)).parseQuery();
}
