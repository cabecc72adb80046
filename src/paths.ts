import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder holding this package's package.json, whether run from src/ (tsx) or dist/. */
function findProjectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).name === 'context-layer') return dir;
    const parent = resolve(dir, '..');
    if (parent === dir) throw new Error('context-layer package root not found');
    dir = parent;
  }
}

export const projectRoot = findProjectRoot();
export const migrationsDir = join(projectRoot, 'prisma', 'migrations');
export const graphqlSchemaPath = join(projectRoot, 'schema.graphql');
