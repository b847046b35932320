import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

// The core must stay usable by the CLI and publishable as a package: it may not
// reach VS Code or the DOM-bound webview.
function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

test('no file under src/core imports vscode', () => {
  const offenders = sourceFiles('src/core').filter((file) =>
    /(?:from\s+['"]vscode['"]|require\(\s*['"]vscode['"]\s*\)|import\(\s*['"]vscode['"]\s*\))/.test(readFileSync(file, 'utf8')),
  );
  assert.deepEqual(offenders, []);
});

test('the check itself sees an import of vscode', () => {
  assert.match("import * as vscode from 'vscode';", /from\s+['"]vscode['"]/);
});
