// Builds a platform-specific VSIX with @vscode/vsce:
//   node scripts/package.mjs [--target linux-x64] [--out <dir>] [--skip-build]
//
// The extension ships its esbuild bundles plus two runtime packages that cannot be
// bundled: `serialport` (a native binding: one prebuilt .node per platform) and the
// MicroPython WebAssembly build the simulated board runs. A VSIX can carry only one
// platform's binding, so each target gets its own package. Targets and the prebuild
// folder of @serialport/bindings-cpp each one carries:
//   linux-x64    prebuilds/linux-x64   (glibc)     alpine-x64   prebuilds/linux-x64   (musl)
//   linux-arm64  prebuilds/linux-arm64 (glibc)     alpine-arm64 prebuilds/linux-arm64 (musl)
//   linux-armhf  prebuilds/linux-arm   (armv7 glibc)
//   darwin-x64, darwin-arm64   prebuilds/darwin-x64+arm64 (one universal binary)
//   win32-x64    prebuilds/win32-x64   win32-arm64  prebuilds/win32-arm64
// The Marketplace serves each user the VSIX of their platform; publish every target
// with `vsce publish --packagePath <file>` for each file this script produced.
//
// What goes in is decided by .vscodeignore (everything ignored, then the bundle, media
// and docs re-included) plus the lines this script adds for the runtime packages: only
// their .js/.mjs/.cjs/.json/.wasm files and licences, and the one prebuild of the target.
// vsce lets any `!pattern` win over every ignore pattern, which is why the runtime files
// are re-included by kind rather than whole folders.
//
// vsce lists every file under its working folder before it applies the ignore file, and
// the repository holds .e2e-cache/ (a code-server install, ~100k files): packaging in
// place took a minute. So the candidate files are staged in a temporary folder first
// (the bundle, media, docs, and the production dependency tree as `npm ls` reports it)
// and vsce runs there.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** vsce target → the @serialport/bindings-cpp prebuild file(s) that target loads. */
export const TARGET_PREBUILDS = {
  'linux-x64': ['linux-x64/*.glibc.node'],
  'alpine-x64': ['linux-x64/*.musl.node'],
  'linux-arm64': ['linux-arm64/*.glibc.node'],
  'alpine-arm64': ['linux-arm64/*.musl.node'],
  'linux-armhf': ['linux-arm/*.armv7.glibc.node'],
  'darwin-x64': ['darwin-x64+arm64/*.node'],
  'darwin-arm64': ['darwin-x64+arm64/*.node'],
  'win32-x64': ['win32-x64/*.node'],
  'win32-arm64': ['win32-arm64/*.node'],
};

/** Packages in the production tree that are needed only to compile the binding from source. */
const BUILD_ONLY_PACKAGES = new Set(['node-addon-api']);

/** File kinds a runtime package needs when loaded by Node; drops types, sources, maps, docs. */
const RUNTIME_FILE_GLOBS = ['**/*.js', '**/*.cjs', '**/*.mjs', '**/*.json', '**/*.wasm', '**/LICENSE*'];

/** The VSIX size we hold ourselves to (the linux-x64 package is well under it). */
export const VSIX_SIZE_BUDGET_BYTES = 5 * 1024 * 1024;

export function hostTarget() {
  const arch = process.arch === 'arm' ? 'armhf' : process.arch;
  return `${process.platform}-${arch}`;
}

function runtimePackageDirs() {
  const listed = spawnSync('npm', ['ls', '--omit=dev', '--all', '--parseable', '--loglevel=error'], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
  if (listed.status !== 0) throw new Error(`npm ls failed: ${listed.stderr}`);
  return listed.stdout
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && resolve(line) !== repoRoot)
    .map((line) => relative(repoRoot, line).replace(/\\/g, '/'));
}

function isBuildOnly(dir) {
  return BUILD_ONLY_PACKAGES.has(dir.replace(/^.*node_modules\//, ''));
}

/** The ignore file for one target: the repository's .vscodeignore plus the runtime packages. */
export function ignoreLinesFor(target) {
  const prebuilds = TARGET_PREBUILDS[target];
  if (!prebuilds) throw new Error(`unknown target ${target}; one of: ${Object.keys(TARGET_PREBUILDS).join(', ')}`);
  const lines = [readFileSync(join(repoRoot, '.vscodeignore'), 'utf8').trimEnd(), '', `# added by scripts/package.mjs for ${target}`];
  for (const dir of runtimePackageDirs().filter((d) => !isBuildOnly(d))) {
    for (const glob of RUNTIME_FILE_GLOBS) lines.push(`!${dir}/${glob}`);
    if (dir.endsWith('@serialport/bindings-cpp')) {
      for (const prebuild of prebuilds) lines.push(`!${dir}/prebuilds/${prebuild}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** Top-level files and folders vsce may pick from; the ignore file narrows them further. */
const STAGED_ENTRIES = ['package.json', 'package.nls.json', 'README.md', 'CHANGELOG.md', 'LICENSE', 'dist', 'media'];

/** Copies what the VSIX may contain into a fresh folder, dependency tree included. */
function stageCandidates(stageDir) {
  for (const entry of STAGED_ENTRIES) {
    const from = join(repoRoot, entry);
    if (existsSync(from)) cpSync(from, join(stageDir, entry), { recursive: true, filter: (src) => !src.endsWith('.map') });
  }
  for (const dir of runtimePackageDirs()) {
    const from = join(repoRoot, dir);
    // Nested node_modules are packages of their own and listed separately by npm ls.
    cpSync(from, join(stageDir, dir), { recursive: true, filter: (src) => !relative(from, src).split(/[\\/]/).includes('node_modules') });
  }
  stripLocalImages(join(stageDir, 'README.md'));
  dropNpmFiles(join(stageDir, 'package.json'));
}

/**
 * package.json's `files` shapes the npm package (the CLI alone); vsce refuses a manifest
 * that has both `files` and an ignore file, and the VSIX is decided by .vscodeignore.
 */
function dropNpmFiles(manifestPath) {
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  delete manifest.files;
  writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
}

/**
 * The screenshots stay out of the VSIX (size), and with no published repository vsce cannot
 * turn their relative links into URLs: the packaged README names each picture instead.
 */
function stripLocalImages(readmePath) {
  if (!existsSync(readmePath)) return;
  const text = readFileSync(readmePath, 'utf8');
  writeFileSync(readmePath, text.replace(/!\[([^\]]*)\]\((?!https?:)[^)]*\)/g, '*($1)*'));
}

function run(command, args, cwd = repoRoot) {
  const result = spawnSync(command, args, { cwd, stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (exit ${result.status ?? result.signal})`);
}

/**
 * Builds (minified, no source maps) and packages one target.
 * Returns the VSIX path and its size.
 */
export function packageVsix({ target = hostTarget(), outDir = repoRoot, skipBuild = false } = {}) {
  const started = Date.now();
  if (!skipBuild) {
    // Stale maps from a development build stay out of the VSIX by .vscodeignore anyway.
    run(process.execPath, [join(repoRoot, 'scripts', 'build.mjs'), '--production']);
  }
  for (const bundle of ['dist/extension.js', 'dist/cli.js']) {
    if (!existsSync(join(repoRoot, bundle))) throw new Error(`${bundle} is missing: the build did not produce it`);
  }
  const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
  mkdirSync(outDir, { recursive: true });
  const vsixPath = join(outDir, `${manifest.name}-${target}-${manifest.version}.vsix`);
  rmSync(vsixPath, { force: true });
  const stageDir = mkdtempSync(join(tmpdir(), `pycom-vsix-${target}-`));
  try {
    stageCandidates(stageDir);
    const ignoreFile = join(stageDir, '.vscodeignore');
    writeFileSync(ignoreFile, ignoreLinesFor(target));
    const vsce = join(repoRoot, 'node_modules', '@vscode', 'vsce', 'vsce');
    run(process.execPath, [vsce, 'package', '--target', target, '--ignoreFile', ignoreFile, '--out', vsixPath, '--no-update-package-json', '--allow-missing-repository'], stageDir);
  } finally {
    rmSync(stageDir, { recursive: true, force: true });
  }
  return { vsixPath, target, sizeBytes: statSync(vsixPath).size, packageMs: Date.now() - started };
}

function parseArgs(argv) {
  const options = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--target') options.target = argv[++i];
    else if (arg === '--out') options.outDir = resolve(argv[++i]);
    else if (arg === '--skip-build') options.skipBuild = true;
    else throw new Error(`unknown argument ${arg}; usage: node scripts/package.mjs [--target <vsce target>] [--out <dir>] [--skip-build]`);
  }
  return options;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    const result = packageVsix(parseArgs(process.argv.slice(2)));
    const sizeMb = (result.sizeBytes / 1024 / 1024).toFixed(2);
    console.log(`packaged ${relative(process.cwd(), result.vsixPath)} (${result.target}, ${sizeMb} MB, ${(result.packageMs / 1000).toFixed(1)} s)`);
    if (result.sizeBytes > VSIX_SIZE_BUDGET_BYTES) {
      console.error(`the VSIX is over the ${VSIX_SIZE_BUDGET_BYTES / 1024 / 1024} MB budget: check .vscodeignore`);
      process.exit(1);
    }
  } catch (error) {
    console.error(`packaging failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
