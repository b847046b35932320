// Bundles the extension, the CLI and the panel script with esbuild.
// Native and wasm packages stay external: they are loaded from node_modules at run time.
//
// The extension is two bundles. dist/extension.js holds what activation needs (the glue,
// the views); dist/core.js holds what the first command loads (engine, serial transport,
// simulators), reached only through the extension's dynamic imports of
// src/glue/coreLoader.ts and src/core/transport/portOwner.ts, so activation does not
// parse them (a core module the glue imports statically still lands in extension.js).
// A module both halves use (errors.ts, the typed emitter, ...) lives only in
// extension.js and core.js takes it from there, so `instanceof PortClosedError` in the
// glue still matches an error thrown by the transport.
import * as esbuild from 'esbuild';
import { existsSync, watch as watchFiles } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const nodeExternals = ['vscode', 'serialport', '@serialport/*', '@micropython/micropython-webassembly-pyscript', '@micropython/micropython-webassembly-pyscript/*'];

/** Modules the extension imports with import() only, and what core.js exports for them. */
export const LAZY_MODULES = {
  'src/glue/coreLoader.ts': ['loadModemCore'],
  'src/core/transport/portOwner.ts': ['PortOwner'],
};
const LAZY_BUNDLE = 'core.js';

/**
 * The panel's toolkit components live in an ES module imported statically by name (see
 * webview/ui/toolkit.ts): statically, so esbuild drops the components and FAST code the
 * panel does not use (a dynamic import() keeps them all).
 */
const WEBVIEW_ALIASES = { 'pycom-webview-toolkit': './webview/ui/toolkitElements.mts' };
const SHARED_EXPORT = '__sharedWithCore';

function nodeBundle(options, outfile) {
  return { ...options.common, outfile: join(options.outdir, outfile), platform: 'node', format: 'cjs', target: 'node20', external: nodeExternals };
}

function extensionBundle(options, outfile) {
  return { ...nodeBundle(options, outfile), supported: { 'dynamic-import': false } };
}

function isLazyModule(path) {
  return Object.hasOwn(LAZY_MODULES, relative(repoRoot, path).replace(/\\/g, '/'));
}

/**
 * In the extension build: import() of a lazy module becomes require('./core.js') (the
 * `supported` setting below turns import() into require, so the extension host's module
 * cache and its `vscode` mapping apply to core.js too).
 */
const lazyImportsToCoreBundle = {
  name: 'lazy-imports-to-core-bundle',
  setup(build) {
    build.onResolve({ filter: /^\./ }, async (args) => {
      if (args.kind !== 'dynamic-import' || args.pluginData === 'resolving') return undefined;
      const resolved = await build.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: 'resolving' });
      return isLazyModule(resolved.path) ? { path: `./${LAZY_BUNDLE}`, external: true } : undefined;
    });
  },
};

/** In the core build: a module the extension bundle already holds is taken from it. */
function modulesFromExtensionBundle(eagerModules, borrowed) {
  return {
    name: 'modules-from-extension-bundle',
    setup(build) {
      build.onResolve({ filter: /.*/ }, async (args) => {
        if (args.namespace === 'borrowed') return { path: './extension.js', external: true };
        if (args.pluginData === 'resolving' || args.kind === 'entry-point' || !args.path.startsWith('.')) return undefined;
        const resolved = await build.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: 'resolving' });
        if (!eagerModules.has(resolved.path)) return undefined;
        if (!borrowed.includes(resolved.path)) borrowed.push(resolved.path);
        return { path: resolved.path, namespace: 'borrowed' };
      });
      build.onLoad({ filter: /.*/, namespace: 'borrowed' }, (args) => ({
        contents: `module.exports = require('./extension.js').${SHARED_EXPORT}[${borrowed.indexOf(args.path)}];`,
        loader: 'js',
      }));
    },
  };
}

/** extension.js + core.js, in three passes: what activation loads, the core, then the extension exporting what the core borrows. */
async function buildExtensionBundles(options) {
  const entry = 'src/extension.ts';
  const eager = await esbuild.build({ ...extensionBundle(options, 'extension.js'), entryPoints: [entry], write: false, metafile: true, plugins: [lazyImportsToCoreBundle] });
  const eagerModules = new Set(Object.keys(eager.metafile.inputs).map((path) => resolve(repoRoot, path)));

  const borrowed = [];
  const lazyEntry = Object.entries(LAZY_MODULES)
    .map(([path, names]) => `export { ${names.join(', ')} } from ${JSON.stringify(`./${path}`)};`)
    .join('\n');
  await esbuild.build({
    ...extensionBundle(options, LAZY_BUNDLE),
    stdin: { contents: lazyEntry, resolveDir: repoRoot, sourcefile: 'core-entry.ts', loader: 'ts' },
    plugins: [modulesFromExtensionBundle(eagerModules, borrowed)],
  });

  const extensionEntry = [
    `export * from ${JSON.stringify(`./${entry}`)};`,
    ...borrowed.map((path, i) => `import * as shared${i} from ${JSON.stringify(path)};`),
    `export const ${SHARED_EXPORT} = [${borrowed.map((_, i) => `shared${i}`).join(', ')}];`,
  ].join('\n');
  const built = await esbuild.build({
    ...extensionBundle(options, 'extension.js'),
    stdin: { contents: extensionEntry, resolveDir: repoRoot, sourcefile: 'extension-entry.ts', loader: 'ts' },
    plugins: [lazyImportsToCoreBundle],
    metafile: true,
  });
  const [, output] = Object.entries(built.metafile.outputs).find(([path]) => path.endsWith('.js')) ?? [];
  return Object.fromEntries(Object.entries(output?.inputs ?? {}).map(([path, input]) => [path, input.bytesInOutput]));
}

/**
 * Builds every bundle into `outdir` (default dist/). Resolves with the bytes each source
 * file contributes to extension.js (what activation loads), for the bench.
 */
export async function buildBundles({ production = false, outdir = join(repoRoot, 'dist') } = {}) {
  const options = { outdir, common: { bundle: true, sourcemap: !production, minify: production, logLevel: 'warning', absWorkingDir: repoRoot } };
  const jobs = [];
  const extension = existsSync(join(repoRoot, 'src/extension.ts')) ? buildExtensionBundles(options) : Promise.resolve({});
  jobs.push(extension);
  if (existsSync(join(repoRoot, 'src/cli/main.ts'))) {
    jobs.push(esbuild.build({ ...nodeBundle(options, 'cli.js'), entryPoints: ['src/cli/main.ts'], banner: { js: '#!/usr/bin/env node' } }));
  }
  if (existsSync(join(repoRoot, 'webview/main.ts'))) {
    jobs.push(esbuild.build({ ...options.common, entryPoints: ['webview/main.ts'], outfile: join(outdir, 'webview.js'), platform: 'browser', format: 'iife', target: 'es2022', alias: WEBVIEW_ALIASES }));
  }
  await Promise.all(jobs);
  return { extensionInputBytes: await extension };
}

/** Rebuilds everything on any source change (a short debounce gathers an editor's burst of writes). */
function watchAndRebuild(production) {
  let timer;
  let running = Promise.resolve();
  const rebuild = () => {
    running = running.then(() => buildBundles({ production }).then(() => console.log(`[watch] rebuilt ${new Date().toLocaleTimeString()}`), (error) => console.error(`[watch] ${error.message}`)));
  };
  for (const dir of ['src', 'webview']) {
    if (!existsSync(join(repoRoot, dir))) continue;
    watchFiles(join(repoRoot, dir), { recursive: true }, () => {
      clearTimeout(timer);
      timer = setTimeout(rebuild, 100);
    });
  }
  rebuild();
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const production = process.argv.includes('--production');
  if (process.argv.includes('--watch')) watchAndRebuild(production);
  else await buildBundles({ production });
}
