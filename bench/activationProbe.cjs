// Runs in a fresh Node process (plain CommonJS, no tsx, so nothing else is loaded):
//   node bench/activationProbe.cjs <stub.js> <dist dir> activate|first-command|cli
// Maps `vscode` to the compiled test stub, then times one of:
//   activate       require(extension.js) + activate(): what VS Code waits for
//   first-command  running the core the first command needs (extension already active)
//   cli            require(cli.js): the vscode-free core (engine, transports, simulators) alone
// and lists the files loaded by it. Prints one JSON line.
'use strict';
const Module = require('node:module');
const { statSync } = require('node:fs');
const { dirname, join } = require('node:path');

const [stubPath, distDir, mode] = process.argv.slice(2);
const original = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  return original.call(this, request === 'vscode' ? stubPath : request, ...rest);
};
const stub = require(stubPath);
// The extension host has loaded these long before it activates an extension; loading
// them here first keeps their cost (crypto alone takes milliseconds) out of the figure.
for (const builtin of ['crypto', 'fs', 'fs/promises', 'path', 'os', 'stream', 'events', 'util', 'child_process', 'net', 'url']) {
  require(builtin);
}
// The first performance.now() loads perf_hooks.
performance.now();

let baseline = new Set(Object.keys(require.cache));
function loadedSince() {
  const files = Object.keys(require.cache).filter((path) => !baseline.has(path));
  return {
    files: files.map((path) => ({ path, bytes: statSync(path).size })),
    bytes: files.reduce((sum, path) => sum + statSync(path).size, 0),
    hasSerialport: files.some((path) => /[\\/](serialport|@serialport)[\\/]/.test(path)),
    hasMicropython: files.some((path) => path.includes('micropython')),
    hasWebview: files.some((path) => path.endsWith('webview.js') || path.includes('webview-ui-toolkit')),
  };
}

/** Wall time, and CPU time (less disturbed when other processes hold the CPUs). */
function timed(job) {
  const cpuBefore = process.cpuUsage();
  const startedMs = performance.now();
  const value = job();
  const ms = performance.now() - startedMs;
  const cpu = process.cpuUsage(cpuBefore);
  return { value, ms, cpuMs: (cpu.user + cpu.system) / 1000 };
}

const extensionPath = join(distDir, 'extension.js');
if (mode === 'activate') {
  const required = timed(() => require(extensionPath));
  const context = stub.createExtensionContext(dirname(distDir));
  const activated = timed(() => required.value.activate(context));
  const loaded = loadedSince();
  for (const disposable of context.subscriptions) disposable.dispose();
  process.stdout.write(`${JSON.stringify({ requireMs: required.ms, activateMs: activated.ms, totalMs: required.ms + activated.ms, cpuMs: required.cpuMs + activated.cpuMs, ...loaded })}\n`);
} else if (mode === 'first-command') {
  // The core is in extension.js behind import(): the first command pays for running it.
  const services = require(extensionPath).activate(stub.createExtensionContext(dirname(distDir)));
  baseline = new Set(Object.keys(require.cache));
  const cpuBefore = process.cpuUsage();
  const startedMs = performance.now();
  void services.loadCore().then(() => {
    const ms = performance.now() - startedMs;
    const cpu = process.cpuUsage(cpuBefore);
    process.stdout.write(`${JSON.stringify({ totalMs: ms, cpuMs: (cpu.user + cpu.system) / 1000, ...loadedSince() })}\n`);
    process.exit(0);
  });
} else if (mode === 'cli') {
  const cli = timed(() => require(join(distDir, 'cli.js')));
  process.stdout.write(`${JSON.stringify({ totalMs: cli.ms, cpuMs: cli.cpuMs, ...loadedSince() })}\n`);
} else {
  throw new Error(`unknown mode ${mode}`);
}
