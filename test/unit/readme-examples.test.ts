import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSchema, parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { graphqlSchemaPath, projectRoot } from '../../src/paths.js';

/** The README's GraphQL examples must run against the schema the server loads. */
describe('README GraphQL examples', () => {
  const schema = buildSchema(readFileSync(graphqlSchemaPath, 'utf8'));
  const readme = readFileSync(join(projectRoot, 'README.md'), 'utf8');
  const examples = [...readme.matchAll(/```graphql\n([\s\S]*?)```/g)].map((m) => m[1]!);

  it('has examples', () => {
    expect(examples.length).toBeGreaterThanOrEqual(4);
  });

  it.each(examples.map((e, i) => [i, e] as const))('example %i is valid against schema.graphql', (_i, example) => {
    const errors = validate(schema, parse(example)).map((e) => e.message);
    expect(errors).toEqual([]);
  });
});
