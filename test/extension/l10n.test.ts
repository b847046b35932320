// User-facing strings go through vscode.l10n.t, so a translation is a bundle file rather than a
// code change. The scan reads src/commands, src/views and src/glue and lists every message,
// progress title, quick pick title / placeholder and input box title / prompt / placeholder
// whose text is written as a plain string or template literal instead of a vscode.l10n.t call.
import '../support/registerVscodeStub';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { l10n } from '../support/vscodeStub';

const ROOT = join(__dirname, '..', '..');
const FOLDERS = ['src/commands', 'src/views', 'src/glue'];

const MESSAGE_CALLS = new Set(['showInformationMessage', 'showWarningMessage', 'showErrorMessage']);
/** Option names holding text the user reads, per call; the number is the options argument's position. */
const OPTION_CALLS: Record<string, { argument: number; keys: string[] }> = {
  withProgress: { argument: 0, keys: ['title'] },
  showQuickPick: { argument: 1, keys: ['title', 'placeHolder'] },
  showInputBox: { argument: 0, keys: ['title', 'prompt', 'placeHolder'] },
};

function sourceFiles(): string[] {
  return FOLDERS.flatMap((folder) =>
    readdirSync(join(ROOT, folder))
      .filter((name) => name.endsWith('.ts'))
      .map((name) => join(ROOT, folder, name)),
  );
}

/** True when `node` is text written in place: a string or template literal (also inside `?:`, `+` or parentheses). */
function isLiteralText(node: ts.Expression): boolean {
  if (ts.isParenthesizedExpression(node) || ts.isAsExpression(node)) return isLiteralText(node.expression);
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return /[A-Za-z]/.test(node.text);
  if (ts.isTemplateExpression(node)) {
    return /[A-Za-z]/.test(node.head.text + node.templateSpans.map((span) => span.literal.text).join(''));
  }
  if (ts.isConditionalExpression(node)) return isLiteralText(node.whenTrue) || isLiteralText(node.whenFalse);
  if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.PlusToken) {
    return isLiteralText(node.left) || isLiteralText(node.right);
  }
  return false;
}

function calleeName(call: ts.CallExpression): string | undefined {
  const callee = call.expression;
  if (ts.isPropertyAccessExpression(callee)) return callee.name.text;
  if (ts.isIdentifier(callee)) return callee.text;
  return undefined;
}

/** Every unlocalised text in `source`, as "path:line: call — text". */
function unlocalised(file: string, source: string): string[] {
  const sourceFile = ts.createSourceFile(file, source, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const found: string[] = [];
  const report = (node: ts.Node, what: string) => {
    const { line } = sourceFile.getLineAndCharacterOfPosition(node.getStart(sourceFile));
    found.push(`${relative(ROOT, file)}:${line + 1}: ${what} — ${node.getText(sourceFile).split('\n')[0]}`);
  };
  const visit = (node: ts.Node) => {
    if (ts.isCallExpression(node)) {
      const name = calleeName(node);
      const first = node.arguments[0];
      if (name && MESSAGE_CALLS.has(name) && first && isLiteralText(first)) report(first, name);
      const options = name ? OPTION_CALLS[name] : undefined;
      const argument = options ? node.arguments[options.argument] : undefined;
      if (options && argument && ts.isObjectLiteralExpression(argument)) {
        for (const property of argument.properties) {
          if (!ts.isPropertyAssignment(property) || !property.name || !ts.isIdentifier(property.name)) continue;
          if (options.keys.includes(property.name.text) && isLiteralText(property.initializer)) {
            report(property.initializer, `${name} ${property.name.text}`);
          }
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return found;
}

test('messages, progress titles, quick picks and input boxes in the extension go through vscode.l10n.t', () => {
  const found = sourceFiles().flatMap((file) => unlocalised(file, readFileSync(file, 'utf8')));
  if (found.length > 0) assert.fail(`wrap these in vscode.l10n.t(...):\n${found.join('\n')}`);
});

test('the scan catches literals and lets vscode.l10n.t through', () => {
  const source = [
    "vscode.window.showErrorMessage('Upgrade failed');",
    'vscode.window.showWarningMessage(`Port ${path} is busy`, UPGRADE);',
    "vscode.window.withProgress({ location: 15, title: 'Reading the modem' }, run);",
    "vscode.window.showQuickPick(items, { title: vscode.l10n.t('Choose'), placeHolder: 'Pick a port' });",
    "vscode.window.showInformationMessage(vscode.l10n.t('Done: {0}', what), vscode.l10n.t('Open'));",
    'vscode.window.showErrorMessage(error.message);',
  ].join('\n');
  assert.deepEqual(
    unlocalised(join(ROOT, 'src/commands/example.ts'), source).map((line) => line.replace(/ — .*/, '')),
    [
      'src/commands/example.ts:1: showErrorMessage',
      'src/commands/example.ts:2: showWarningMessage',
      'src/commands/example.ts:3: withProgress title',
      'src/commands/example.ts:4: showQuickPick placeHolder',
    ],
  );
});

test('the stub formats placeholders the way vscode.l10n.t does', () => {
  assert.equal(l10n.t('{0} failed: {1}', 'Upgrade', 'timeout'), 'Upgrade failed: timeout');
  assert.equal(l10n.t('Port {path} is busy', { path: '/dev/ttyACM0' }), 'Port /dev/ttyACM0 is busy');
  assert.equal(l10n.t({ message: 'Hello {0}', args: ['board'], comment: 'greeting' } as never), 'Hello board');
  assert.equal(l10n.t('Left {1} alone', 'only one'), 'Left {1} alone');
});
