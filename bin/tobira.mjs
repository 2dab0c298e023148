#!/usr/bin/env node
// Entry point for `npx tobira`: checks the runtime, then loads the TypeScript CLI through tsx.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const major = Number(process.versions.node.split('.')[0]);
// npx normally puts node_modules/.bin (Node 24) first on PATH; if it did not, use that Node directly.
const node = major === 24 ? process.execPath : join(root, 'node_modules', '.bin', 'node');
const result = spawnSync(
  node,
  [join(root, 'scripts', 'check-runtime.mjs')],
  { stdio: 'inherit' },
);
if (result.status !== 0) process.exit(result.status ?? 1);
const cli = spawnSync(node, [`--import=${import.meta.resolve('tsx')}`, join(root, 'src', 'cli', 'main.ts'), ...process.argv.slice(2)], {
  stdio: 'inherit',
});
process.exit(cli.status ?? 1);
