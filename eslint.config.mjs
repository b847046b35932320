// `npm run lint`: the layers (core, sim, cli, views, shared, webview) held by the linter rather
// than by memory, plus a few type-aware correctness rules the code already passes. Style is left
// to review: no formatting rules here.
import { builtinModules } from 'node:module';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';
import noCliSyntaxInCore from './eslint-rules/no-cli-syntax-in-core.mjs';

const TS_FILES = ['**/*.ts', '**/*.mts', '**/*.cts'];
const SOURCE = '{ts,mts,cts}';

/**
 * Import specifiers are plain strings, so a folder name alone cannot tell src/commands from
 * src/cli/commands. Each layer's rule is therefore written per depth: from a file `depth` folders
 * below `root`, exactly `depth + 1` times '../' climbs to root's parent, and a pattern anchored on
 * that climb names one real folder. The last block takes every deeper file, with "at least".
 */
const MAX_DEPTH = 6;

const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A `no-restricted-imports` pattern: `regex` matched against the import specifier as written. */
const pattern = (regex, message) => ({ regex, caseSensitive: true, message });

/** `vscode` and Node's built-in modules (bare and `node:`), for code that runs in the webview. */
const NODE_BUILTINS = `^(node:.*|(${builtinModules.filter((name) => !name.startsWith('_')).map(escape).join('|')})(/.*)?)$`;

/**
 * One config block per depth below `root` (e.g. 'src/core'), each with the options that
 * `restrict(up)` returns; `up(further)` is a regex source (anchored at the start) for the climb
 * from the file to root's parent (src/ for a layer) and `further` folders up.
 */
function perDepth(root, restrict) {
  const blocks = [];
  for (let depth = 0; depth <= MAX_DEPTH; depth++) {
    const folders = '*/'.repeat(depth);
    const last = depth === MAX_DEPTH;
    const files = [last ? `${root}/${folders}**/*.${SOURCE}` : `${root}/${folders}*.${SOURCE}`];
    const up = (further = 0) => `^(\\.\\./){${depth + 1 + further}${last ? ',' : ''}}`;
    blocks.push({ files, rules: { 'no-restricted-imports': ['error', restrict(up)] } });
  }
  return blocks;
}

const WEBVIEW_ONLY = 'webview/ may import only webview/ and src/shared: the page is bundled alone and talks to the host by messages.';

const VSCODE = { name: 'vscode', message: 'Only the extension (glue, commands, views, extension.ts) may import vscode.' };

/** A src layer that may not import `vscode` (optionally) and the given sibling folders of src/. */
function layer(name, { vscode, siblings, rootFolders = [], why }) {
  return perDepth(`src/${name}`, (up) => {
    const patterns = [pattern(`${up()}(${siblings.join('|')})(/|\\.js$|$)`, `src/${name} may not import ${siblings.map((s) => `src/${s}`).join(', ')}: ${why}`)];
    if (rootFolders.length) {
      patterns.push(pattern(`${up(1)}(${rootFolders.join('|')})(/|$)`, `src/${name} may not import ${rootFolders.join(', ')}/: ${why}`));
    }
    return { paths: vscode ? [] : [VSCODE], patterns };
  });
}

export default defineConfig(
  {
    ignores: ['dist/**', 'node_modules/**', 'test-results/**', '**/*.d.ts', '**/*.d.mts'],
  },
  {
    files: ['src/**', 'webview/**', 'eslint-rules/**', 'test/lint/**', 'eslint.config.mjs'],
    linterOptions: { reportUnusedDisableDirectives: 'error' },
  },
  {
    // Type-aware rules where the code runs (the extension, the CLI and the panel page).
    files: TS_FILES.flatMap((glob) => [`src/${glob}`, `webview/${glob}`]),
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: {
      // Promises and errors: the port and the upgrade are long async chains, where a dropped
      // promise or a thrown non-Error loses the failure the user must see.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/only-throw-error': 'error',
      // Byte and text handling: an object or undefined glued into a frame or a message.
      '@typescript-eslint/restrict-plus-operands': 'error',
      '@typescript-eslint/restrict-template-expressions': 'error',
      '@typescript-eslint/no-for-in-array': 'error',
      '@typescript-eslint/no-array-delete': 'error',
      '@typescript-eslint/no-implied-eval': 'error',
    },
  },
  {
    files: ['test/lint/**/*.ts'],
    languageOptions: { parser: tseslint.parser },
  },

  // Layers (docs/ARCHITECTURE.md, "Layers"): core is the domain, shared by the extension and the CLI.
  ...layer('core', {
    siblings: ['sim', 'cli', 'glue', 'commands', 'views', 'extension'],
    rootFolders: ['webview'],
    why: 'core runs under both the extension and the CLI and knows neither (nor the simulator, which tests and glue hand in).',
  }),
  ...layer('sim', {
    siblings: ['cli', 'glue', 'commands', 'views', 'extension'],
    rootFolders: ['webview'],
    why: 'the simulator builds on core only, so the CLI, the extension and the tests can all use it.',
  }),
  ...layer('cli', {
    siblings: ['glue', 'commands', 'views', 'extension'],
    rootFolders: ['webview'],
    why: 'the CLI ships alone (npm pack) and must run without VS Code.',
  }),
  ...layer('views', {
    vscode: true,
    siblings: ['commands'],
    why: 'views show state; commands drive views, not the other way round (the composition root is src/glue).',
  }),
  // src/shared is compiled into the panel page too, so it stays free of Node, vscode and the rest of src.
  ...perDepth('src/shared', (up) => ({
    paths: [VSCODE],
    patterns: [
      pattern(up(), 'src/shared may import only src/shared: the webview page compiles it too.'),
      pattern(NODE_BUILTINS, 'src/shared runs in the webview page too, which has no Node built-ins.'),
    ],
  })),
  // The panel page runs in a browser sandbox: its own files, src/shared and npm packages only.
  // (Two patterns: one regex cannot both stop at the repo root and look past it for src/shared.)
  ...perDepth('webview', (up) => ({
    paths: [VSCODE],
    patterns: [
      pattern(`${up()}(?!\\.\\./|src/shared/)`, WEBVIEW_ONLY),
      pattern(up(1), WEBVIEW_ONLY),
      pattern(NODE_BUILTINS, 'The webview page runs in a browser: no Node built-ins.'),
    ],
  })),

  {
    files: ['src/core/**'],
    plugins: { local: { rules: { 'no-cli-syntax-in-core': noCliSyntaxInCore } } },
    rules: {
      // Core says what to do as structured actions (src/core/userActions.ts); each front end
      // renders them (CLI flags, VS Code words and buttons), so no CLI syntax reaches core.
      'local/no-cli-syntax-in-core': 'error',
    },
  },
);
