// Bundles the extension, the CLI and the panel script with esbuild.
// Native and wasm packages stay external: they are loaded from node_modules at run time.
//
// The extension is one bundle, dist/extension.js. The core (engine, serial transport,
// simulators) is reached only through the extension's import() of src/glue/coreLoader.ts
// and src/core/transport/portOwner.ts, which esbuild turns into code that runs on the
// first command, not at activation; the serial binding and MicroPython stay outside the
// bundle and load on first use. A separate lazily loaded core bundle was measured not to
// pay for itself (BENCHMARKS.md, "Activation with and without the split").
import * as esbuild from 'esbuild';
import { existsSync, watch as watchFiles } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const nodeExternals = ['vscode', 'serialport', '@serialport/*', '@micropython/micropython-webassembly-pyscript', '@micropython/micropython-webassembly-pyscript/*'];


/**
 * The panel's toolkit components live in an ES module imported statically by name (see
 * webview/ui/toolkit.ts): statically, so esbuild drops the components and FAST code the
 * panel does not use (a dynamic import() keeps them all).
 */
const WEBVIEW_ALIASES = { 'pycom-webview-toolkit': './webview/ui/toolkitElements.mts' };

function nodeBundle(options, outfile) {
  return { ...options.common, outfile: join(options.outdir, outfile), platform: 'node', format: 'cjs', target: 'node20', external: nodeExternals };
}

function extensionBundle(options, outfile) {
  return { ...nodeBundle(options, outfile), supported: { 'dynamic-import': false } };
}

/** extension.js: what activation loads, with the core behind its import() calls. */
async function buildExtensionBundle(options) {
  const built = await esbuild.build({ ...extensionBundle(options, 'extension.js'), entryPoints: ['src/extension.ts'], metafile: true });
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
  const extension = existsSync(join(repoRoot, 'src/extension.ts')) ? buildExtensionBundle(options) : Promise.resolve({});
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
