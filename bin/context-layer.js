#!/usr/bin/env node
// The published entry point: run the TypeScript CLI through tsx so a fresh clone needs no build.
import { register } from 'tsx/esm/api';
register();
await import('../src/cli.ts');
