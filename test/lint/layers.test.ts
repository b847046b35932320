import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ESLint } from 'eslint';

const root = join(__dirname, '..', '..');

// Only the import rules, parsed without type information: the probed files need not exist.
const eslint = new ESLint({
  cwd: root,
  overrideConfig: { languageOptions: { parserOptions: { projectService: false } } },
  ruleFilter: ({ ruleId }) => ruleId === 'no-restricted-imports',
});

/** [file, import specifier, may it import it?] */
const cases: [string, string, boolean][] = [
  ['src/core/engine/upgradeEngine.ts', '../../sim/simulatedGpy', false],
  ['src/core/board/fullUpgrade.ts', '../../sim/board/micropythonHost', false],
  ['src/core/engine/upgradeEngine.ts', '../../cli/main', false],
  ['src/core/engine/upgradeEngine.ts', '../../glue/modemCore', false],
  ['src/core/engine/upgradeEngine.ts', '../../commands/upgradeModem', false],
  ['src/core/engine/upgradeEngine.ts', '../../views/logTree', false],
  ['src/core/engine/upgradeEngine.ts', '../../extension.js', false],
  ['src/core/engine/upgradeEngine.ts', '../../../webview/render', false],
  ['src/core/engine/upgradeEngine.ts', 'vscode', false],
  ['src/core/errors.ts', '../sim/simulatedGpy', false],
  ['src/core/a/b/c/d/e/f/g/deep.ts', '../../../../../../../../sim/x', false],
  ['src/core/engine/upgradeEngine.ts', '../at/atChannel', true],
  ['src/core/engine/steps/transfer.ts', '../../stp/stpClient', true],
  ['src/core/errors.ts', './engine/upgradeEngine', true],
  ['src/core/transport/serialBinding.ts', 'serialport', true],
  ['src/core/files/fileSource.ts', 'node:fs/promises', true],

  ['src/sim/board/micropythonHost.ts', '../../core/repl/rawRepl', true],
  ['src/sim/board/micropythonHost.ts', '../../cli/main', false],
  ['src/sim/simulatedGpy.ts', '../glue/portProviders', false],
  ['src/sim/simulatedGpy.ts', 'vscode', false],

  ['src/cli/main.ts', './commands/index', true],
  ['src/cli/commands/upgrade.ts', '../args', true],
  ['src/cli/main.ts', '../sim/simulatedGpy', true],
  ['src/cli/main.ts', '../shared/waitText', true],
  ['src/cli/main.ts', '../commands/upgradeModem', false],
  ['src/cli/commands/upgrade.ts', '../../commands/upgradeModem', false],
  ['src/cli/main.ts', '../glue/settings', false],
  ['src/cli/main.ts', '../views/logTree', false],
  ['src/cli/main.ts', '../../webview/render', false],
  ['src/cli/main.ts', 'vscode', false],

  ['src/views/logTree.ts', '../commands/pastSessionsCommands', false],
  ['src/views/logTree.ts', '../glue/services', true],
  ['src/views/logTree.ts', 'vscode', true],
  ['src/glue/services.ts', '../commands/index', true],

  ['src/shared/panelMessages.ts', './waitText', true],
  ['src/shared/panelMessages.ts', '../core/events/upgradeEvent', false],
  ['src/shared/panelMessages.ts', '../sim/simulatedGpy', false],
  ['src/shared/panelMessages.ts', 'vscode', false],
  ['src/shared/panelMessages.ts', 'node:path', false],
  ['src/shared/panelMessages.ts', 'path', false],

  ['webview/main.ts', '../src/shared/panelMessages', true],
  ['webview/main.ts', './ui/button', true],
  ['webview/main.ts', '@vscode/webview-ui-toolkit/dist/button/index.js', true],
  ['webview/ui/toolkit.ts', '../format', true],
  ['webview/ui/toolkit.ts', '../../src/shared/waitText', true],
  ['webview/main.ts', '../src/core/errors', false],
  ['webview/main.ts', '../src/views/panelHtml', false],
  ['webview/main.ts', '../test/fixtures/x', false],
  ['webview/main.ts', '../../src/shared/panelMessages', false],
  ['webview/ui/toolkit.ts', '../../src/sim/simulatedGpy', false],
  ['webview/ui/toolkit.ts', '../../../x', false],
  ['webview/main.ts', 'vscode', false],
  ['webview/main.ts', 'node:path', false],
];

test('each layer may import what the layering allows and nothing else', async () => {
  const wrong: string[] = [];
  for (const [file, specifier, allowed] of cases) {
    const code = `import { x } from '${specifier}';\nexport * from '${specifier}';\nexport const y = x;\n`;
    const [result] = await eslint.lintText(code, { filePath: join(root, file) });
    const reported = result.messages.filter((m) => m.ruleId === 'no-restricted-imports').length;
    const fatal = result.messages.find((m) => m.fatal);
    if (fatal) wrong.push(`${file}: ${fatal.message}`);
    else if (reported !== (allowed ? 0 : 2)) wrong.push(`${file} importing '${specifier}': ${reported} reports, expected ${allowed ? 0 : 2}`);
  }
  assert.deepEqual(wrong, []);
});

test('a type-only import of vscode from core is refused too', async () => {
  const [result] = await eslint.lintText("import type { Uri } from 'vscode';\nexport type U = Uri;\n", {
    filePath: join(root, 'src/core/errors.ts'),
  });
  assert.equal(result.messages.filter((m) => m.ruleId === 'no-restricted-imports').length, 1);
});
