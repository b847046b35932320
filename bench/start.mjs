// `npm run bench`: builds what the bench measures, then runs bench/run.ts bundled.
// - the product as it ships: scripts/build.mjs --production, into a cache folder (so a
//   concurrent `npm run build` of dist/ cannot change the code under measurement);
// - the `vscode` test stub compiled to CommonJS, for loading the extension outside VS Code;
// - the bench itself and its peer processes, bundled like the product (tsx would add its
//   own transform and helpers to every measured call).
// Arguments are passed on to run.ts (--only, --verbose, --write).
import * as esbuild from 'esbuild';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildBundles } from '../scripts/build.mjs';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
// Inside node_modules so the bundles resolve serialport and the MicroPython build from it;
// one folder per run, so two runs side by side (one figure each) do not delete each other's code.
const outDir = join(repoRoot, 'node_modules', '.cache', `pycom-bench-${process.pid}`);
const distDir = join(outDir, 'dist');
const benchDir = join(outDir, 'bench');

const args = process.argv.slice(2);
const onlyAt = args.indexOf('--only');
const only = onlyAt >= 0 ? (args[onlyAt + 1] ?? '').split(',') : undefined;
// Only these figures run the product bundles; the others import the sources they measure.
const needsProductBuild = !only || only.some((id) => id === 'activation' || id === 'cli-memory' || id === 'fleet');

const common = { bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'warning', absWorkingDir: repoRoot };

rmSync(outDir, { recursive: true, force: true });
mkdirSync(benchDir, { recursive: true });
if (needsProductBuild) {
  const { extensionInputBytes } = await buildBundles({ production: true, outdir: distDir });
  writeFileSync(join(distDir, 'extension-inputs.json'), JSON.stringify(extensionInputBytes));
}

await esbuild.build({ ...common, entryPoints: ['test/support/vscodeStub.ts'], outfile: join(outDir, 'vscodeStub.js') });
await esbuild.build({
  ...common,
  entryPoints: ['bench/run.ts', 'bench/modemPeer.ts', 'bench/echoPeer.ts', 'bench/fleet.ts'],
  outdir: benchDir,
  external: ['serialport', '@serialport/*', '@micropython/micropython-webassembly-pyscript', '@micropython/micropython-webassembly-pyscript/*'],
});
for (const script of ['peakMemory.cjs', 'activationProbe.cjs']) copyFileSync(join(repoRoot, 'bench', script), join(benchDir, script));

const benchEnv = { ...process.env, BENCH_DIST: distDir, BENCH_VSCODE_STUB: join(outDir, 'vscodeStub.js'), BENCH_REPO_ROOT: repoRoot };
// The fleet figure (several boards at once, bench/fleet.ts) runs in a process of its own,
// first, with the full bench or `--only fleet`; the other ids go to run.ts.
const rest = only?.filter((id) => id !== 'fleet');
let result = { status: 0 };
if (!only || only.includes('fleet')) result = spawnSync(process.execPath, [join(benchDir, 'fleet.js')], { stdio: 'inherit', cwd: repoRoot, env: benchEnv });
if (!rest || (rest.length > 0 && result.status === 0)) {
  const restArgs = rest ? args.map((arg, index) => (index === onlyAt + 1 ? rest.join(',') : arg)) : args;
  result = spawnSync(process.execPath, [join(benchDir, 'run.js'), ...restArgs], { stdio: 'inherit', cwd: repoRoot, env: benchEnv });
}
rmSync(outDir, { recursive: true, force: true });
process.exit(result.status ?? 1);
