import { GraphQLError, GraphQLScalarType, Kind, valueFromASTUntyped, type ValueNode } from 'graphql';

/** ISO-8601 with a zone designator: a bare local time would be read in the server's zone. */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;

function parseInstant(value: unknown): Date {
  if (typeof value !== 'string' || !ISO_INSTANT.test(value)) {
    throw new GraphQLError('DateTime must be an ISO-8601 string with a time zone, e.g. 2026-11-28T09:30:00Z');
  }
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new GraphQLError(`DateTime "${value}" is not a real instant`);
  return date;
}

export const DateTime = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  serialize(value) {
    if (value instanceof Date) return value.toISOString();
    if (typeof value === 'string') return new Date(value).toISOString();
    throw new GraphQLError('DateTime cannot represent this value');
  },
  parseValue: parseInstant,
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) throw new GraphQLError('DateTime must be a string');
    return parseInstant(ast.value);
  },
});

export const JSONScalar = new GraphQLScalarType<unknown, unknown>({
  name: 'JSON',
  serialize: (value) => value,
  parseValue: (value) => value,
  parseLiteral: (ast: ValueNode, variables?: Record<string, unknown> | null) => valueFromASTUntyped(ast, variables ?? undefined),
});

export const Decimal = new GraphQLScalarType<string, string>({
  name: 'Decimal',
  serialize(value) {
    if (typeof value === 'string' || typeof value === 'number') return String(value);
    throw new GraphQLError('Decimal cannot represent this value');
  },
  parseValue(value) {
    if (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value)) return value;
    throw new GraphQLError('Decimal must be a string of digits, e.g. "125000.00"');
  },
  parseLiteral(ast) {
    if (ast.kind === Kind.STRING && /^-?\d+(\.\d+)?$/.test(ast.value)) return ast.value;
    throw new GraphQLError('Decimal must be a string of digits, e.g. "125000.00"');
  },
});

export const scalarResolvers = { DateTime, JSON: JSONScalar, Decimal };
