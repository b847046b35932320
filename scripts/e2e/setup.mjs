// Prepares a real VS Code workbench for the end-to-end suite: code-server (VS Code's
// server build, from the npm registry) plus Debian's Chromium, driven by playwright-core.
//
// Why this shape: @vscode/test-electron and @vscode/test-web download VS Code builds
// from servers a CI machine may not reach; code-server comes from the npm registry and
// runs extensions in a Node extension host on the server side, so the native
// `serialport` binding works there. Its postinstall script downloads ripgrep and
// refuses to run as root, so it is installed with --ignore-scripts and the postinstall
// steps are done here by hand, without network access beyond the npm registry.
//
// The install lives in .e2e-cache/code-server/ (its own package.json, not ours) and is
// reused while its stamp file names the same version. Run directly:
//   node scripts/e2e/setup.mjs          (prints the paths and the time it took)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync, lstatSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** 4.100.3 is the newest code-server whose engines field accepts Node 20 (4.104+ want Node 22/24). */
export const CODE_SERVER_VERSION = '4.100.3';

/** Debian packages: the browser, the headers code-server's native modules build against, ripgrep for search, socat for pty pairs, unzip to list the VSIX. */
export const APT_PACKAGES = ['chromium', 'libkrb5-dev', 'libxkbfile-dev', 'libsecret-1-dev', 'pkg-config', 'ripgrep', 'socat', 'unzip'];

export const CHROMIUM_PATH = '/usr/bin/chromium';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const cacheDir = join(repoRoot, '.e2e-cache');
export const codeServerDir = join(cacheDir, 'code-server');
const stampPath = join(codeServerDir, '.installed');
export const codeServerEntry = join(codeServerDir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');

/** Native modules of VS Code's server that code-server's postinstall rebuilds for the running Node. */
const VSCODE_NATIVE_MODULES = ['kerberos', '@parcel/watcher', '@vscode/spdlog', '@vscode/deviceid', 'native-watchdog', 'node-pty'];

function log(message) {
  process.stderr.write(`[e2e-setup] ${message}\n`);
}

function run(command, args, options = {}) {
  const started = Date.now();
  log(`${options.cwd ? `(${relativeToRepo(options.cwd)}) ` : ''}${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, {
    cwd: options.cwd ?? repoRoot,
    env: { ...process.env, npm_config_yes: 'true', npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) {
    const tail = `${result.stdout ?? ''}${result.stderr ?? ''}`.split('\n').slice(-40).join('\n');
    throw new Error(`${command} ${args.join(' ')} failed (exit ${result.status ?? result.signal}) after ${Date.now() - started} ms:\n${tail}`);
  }
  return result.stdout;
}

function relativeToRepo(path) {
  return path.startsWith(repoRoot) ? path.slice(repoRoot.length + 1) || '.' : path;
}

/** Installs the Debian packages that are missing (needs root, as on CI); fails with the command to run otherwise. */
export function ensureAptPackages(packages = APT_PACKAGES) {
  const missing = packages.filter((name) => {
    const query = spawnSync('dpkg-query', ['-W', '-f=${Status}', name], { encoding: 'utf8' });
    return query.status !== 0 || !query.stdout.includes('install ok installed');
  });
  if (missing.length === 0) return [];
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot) {
    throw new Error(`missing Debian packages: ${missing.join(' ')}. Install them with: sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing.join(' ')}`);
  }
  const env = { DEBIAN_FRONTEND: 'noninteractive' };
  run('apt-get', ['update'], { env });
  run('apt-get', ['install', '-y', '--no-install-recommends', ...missing], { env });
  return missing;
}

function linkForce(target, path) {
  try {
    lstatSync(path);
    rmSync(path, { recursive: true, force: true });
  } catch {
    // nothing there yet
  }
  symlinkSync(target, path);
}

function readStamp() {
  try {
    return JSON.parse(readFileSync(stampPath, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Installs code-server into .e2e-cache/code-server/ unless the stamp says this version is already there. */
export function ensureCodeServer() {
  const stamp = readStamp();
  if (stamp?.version === CODE_SERVER_VERSION && stamp?.node === process.versions.modules && existsSync(codeServerEntry)) {
    return { reused: true };
  }
  rmSync(codeServerDir, { recursive: true, force: true });
  mkdirSync(codeServerDir, { recursive: true });
  writeFileSync(
    join(codeServerDir, 'package.json'),
    `${JSON.stringify({ name: 'e2e-code-server', private: true, description: 'code-server for the e2e suite; installed by scripts/e2e/setup.mjs', dependencies: { 'code-server': CODE_SERVER_VERSION } }, null, 2)}\n`,
  );
  run('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: codeServerDir });

  const codeServerPkg = join(codeServerDir, 'node_modules', 'code-server');
  const vscodeDir = join(codeServerPkg, 'lib', 'vscode');
  run('npm', ['install', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: vscodeDir });
  run('npm', ['rebuild', ...VSCODE_NATIVE_MODULES], { cwd: vscodeDir });
  // VS Code looks for ripgrep inside its own package; the postinstall would download it.
  const rgBin = join(vscodeDir, 'node_modules', '@vscode', 'ripgrep', 'bin');
  mkdirSync(rgBin, { recursive: true });
  linkForce('/usr/bin/rg', join(rgBin, 'rg'));
  linkForce('node_modules', join(vscodeDir, 'node_modules.asar'));
  linkForce('code-linux.sh', join(vscodeDir, 'bin', 'remote-cli', 'code-server'));
  linkForce('browser-linux.sh', join(vscodeDir, 'bin', 'helpers', 'browser.sh'));
  run('npm', ['install', '--omit=dev', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: join(vscodeDir, 'extensions') });
  run('npm', ['rebuild', 'argon2', '--build-from-source'], { cwd: codeServerDir });

  if (!existsSync(codeServerEntry)) throw new Error(`code-server installed but ${codeServerEntry} is missing`);
  writeFileSync(stampPath, `${JSON.stringify({ version: CODE_SERVER_VERSION, node: process.versions.modules, installedAt: new Date().toISOString() })}\n`);
  return { reused: false };
}

/**
 * Makes sure everything the e2e suite needs is on this machine.
 * Returns the paths and how long each part took (a cold install is a few minutes).
 */
export function ensureE2eEnvironment() {
  const started = Date.now();
  const aptInstalled = ensureAptPackages();
  const aptMs = Date.now() - started;
  const codeServerStarted = Date.now();
  const { reused } = ensureCodeServer();
  const codeServerMs = Date.now() - codeServerStarted;
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`${CHROMIUM_PATH} is missing although the chromium package is installed`);
  return {
    codeServerEntry,
    chromiumPath: CHROMIUM_PATH,
    codeServerVersion: CODE_SERVER_VERSION,
    codeServerReused: reused,
    aptInstalled,
    timings: { aptMs, codeServerMs, totalMs: Date.now() - started },
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    const env = ensureE2eEnvironment();
    const t = env.timings;
    console.log(
      `e2e setup: code-server ${env.codeServerVersion} ${env.codeServerReused ? 'reused from cache' : 'installed'} ` +
        `(${(t.codeServerMs / 1000).toFixed(1)} s), apt ${env.aptInstalled.length ? env.aptInstalled.join(' ') : 'nothing missing'} ` +
        `(${(t.aptMs / 1000).toFixed(1)} s), total ${(t.totalMs / 1000).toFixed(1)} s`,
    );
  } catch (error) {
    console.error(`e2e setup failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
