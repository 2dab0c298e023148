#!/usr/bin/env node
// Entry point for `npx tobira`. On Node 24 the TypeScript CLI runs in this very process: Node strips
// the types itself, no loader. On another Node, run again on the Node 24 that `npm ci` installed.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { enableCompileCache } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const major = Number(process.versions.node.split('.')[0]);
if (major === 24) {
  // As in bin/tobira-server.mjs: with the cache on before the first TypeScript file, a repeated
  // command neither strips the types again nor loads the stripper.
  enableCompileCache();
  await import('../src/cli/main.ts');
} else {
  const node24 = join(root, 'node_modules', '.bin', 'node');
  // Without it, check-runtime says in one line what to do.
  const args = existsSync(node24) ? [fileURLToPath(import.meta.url), ...process.argv.slice(2)] : [join(root, 'scripts', 'check-runtime.mjs')];
  const result = spawnSync(existsSync(node24) ? node24 : process.execPath, args, { stdio: 'inherit' });
  process.exit(result.status ?? 1);
}
