import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RuleTester } from 'eslint';
import tseslint from 'typescript-eslint';

// The package is CommonJS and the rule an ES module, so it is loaded with import().
const loadRule = () => import('../../eslint-rules/no-cli-syntax-in-core.mjs');

const cliSyntax = (found: string) => ({ messageId: 'cliSyntax', data: { found } });

test('no-cli-syntax-in-core: flags, the CLI name and template strings are reported; prose, AT commands and separators are not', async () => {
  const { default: rule } = await loadRule();
  // Without global describe/it, RuleTester runs each case at once and throws on the first failure.
  const tester = new RuleTester({ languageOptions: { parser: tseslint.parser } });
  tester.run('no-cli-syntax-in-core', rule, {
    valid: [
      "const action = 'Power-cycle the board and retry.';",
      "const command = 'AT+SQNSUPGRADE?';",
      "const rule = '-----';",
      "const arrow = 'a --> b';",
      "const dash = 'pre-release -- then retry';",
      "const upper = '--A';",
      "const glued = 'x--updater';",
      "const product = 'pycom-modem-upgrader';",
      "const name = 'pycom-modem';",
      '// run pycom-modem info --verbose\nconst quiet = 1;',
      'const size = `${width}--${height}`;',
      "type Action = { kind: 'add-file'; file: 'updater.elf' };",
      "import { x } from './at--ok';",
    ],
    invalid: [
      { code: "const a = 'Pass --updater updater.elf.';", errors: [cliSyntax('--updater')] },
      { code: "const a = 'start it with --via-board.';", errors: [cliSyntax('--via-board')] },
      { code: "const a = '(--verbose)';", errors: [cliSyntax('--verbose')] },
      { code: "const a = 'Run `pycom-modem info` first.';", errors: [cliSyntax('pycom-modem')] },
      { code: 'const a = `Run \\`pycom-modem board upgrade --port ${port}\\` again.`;', errors: [cliSyntax('--port')] },
      { code: 'const a = `${port} then pycom-modem crashdump`;', errors: [cliSyntax('pycom-modem')] },
      { code: "const parts = ['pycom-modem upgrade --port', port];", errors: [cliSyntax('--port')] },
      { code: "const a = 'one ' + 'add --updater';", errors: [cliSyntax('--updater')] },
      { code: "type Flag = '--timeout-scale';", errors: [cliSyntax('--timeout-scale')] },
      {
        code: "throw new UsageError('needs updater.elf', 'Pass --updater updater.elf');",
        errors: [cliSyntax('--updater')],
      },
    ],
  });
});

test('findCliSyntax names the first flag, else the CLI name', async () => {
  const { findCliSyntax } = await loadRule();
  assert.equal(findCliSyntax('run pycom-modem info --verbose'), '--verbose');
  assert.equal(findCliSyntax('run pycom-modem info'), 'pycom-modem');
  assert.equal(findCliSyntax('run the upgrade again'), undefined);
});
