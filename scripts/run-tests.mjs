// Runs every *.test.ts under test/ (except the real-VS-Code e2e suite) with Node's own
// test runner. Node 20 does not glob .ts files itself, so the list is made here.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const roots = process.argv.slice(2).length ? process.argv.slice(2) : ['test'];
const skip = new Set(['e2e', 'node_modules']);
const files = [];
function walk(path) {
  if (statSync(path).isFile()) {
    if (path.endsWith('.test.ts')) files.push(path);
    return;
  }
  for (const name of readdirSync(path).sort()) {
    if (skip.has(name)) continue;
    walk(join(path, name));
  }
}
roots.forEach(walk);
if (files.length === 0) {
  console.error('no test files found under', roots.join(', '));
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=2', ...files],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
