import '../support/registerVscodeStub';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { __stub, createExtensionContext } from '../support/vscodeStub';

// Inside node_modules so the bundles resolve serialport from the project, as dist/ does.
const outdir = resolve('node_modules', '.cache', `bundle-split-test-${process.pid}`);
let built: { extensionInputBytes: Record<string, number> };

before(async () => {
  const { buildBundles } = await import('../../scripts/build.mjs');
  built = await buildBundles({ outdir });
});
after(() => rmSync(outdir, { recursive: true, force: true }));

interface ExtensionBundle {
  activate(context: unknown): { loadCore(): Promise<{ openerFor(path: string): Promise<{ open(path: string, settings: { baudRate: number }): Promise<unknown> }> }> };
  __sharedWithCore: Record<string, unknown>[];
}

test('activation code leaves out the engine, the transports and the simulators: they are in core.js', () => {
  assert.ok(existsSync(join(outdir, 'core.js')));
  const extension = readFileSync(join(outdir, 'extension.js'), 'utf8');
  assert.doesNotMatch(extension, /require\("serialport"\)/);
  assert.doesNotMatch(extension, /micropython/i);
  assert.match(extension, /require\("\.\/core\.js"\)/, 'the lazy imports point at core.js');
  const sources = Object.keys(built.extensionInputBytes);
  for (const lazy of ['src/core/engine/upgradeEngine.ts', 'src/core/transport/serialTransport.ts', 'src/sim/modem/simulatedModem.ts', 'src/glue/coreLoader.ts']) {
    assert.ok(!sources.includes(lazy), `${lazy} is in extension.js`);
  }
  assert.ok(sources.includes('src/core/errors.ts'), 'the glue needs the error classes at activation');
});

test('activation code holds none of the diagnosis, preflight, engine, board, STP, AT or simulator modules: the glue reaches them through ModemCore', () => {
  const sources = Object.keys(built.extensionInputBytes);
  // The event contract (types and the step titles the log view groups by) is the one core/engine file the views need.
  const allowed = new Set(['src/core/engine/upgradeEvents.ts']);
  const lazyOnly = /^src\/(core\/(diagnosis|preflight|engine|board|stp|at)|sim)\//;
  const leaked = sources.filter((source) => lazyOnly.test(source) && !allowed.has(source));
  assert.deepEqual(leaked, [], `extension.js holds core modules: ${leaked.join(', ')}`);
  assert.ok(sources.some((source) => source.startsWith('src/commands/')), 'the inputs are named as the test expects');
  const extension = readFileSync(join(outdir, 'extension.js'), 'utf8');
  // Strings only those modules hold: a diagnosis rule's cause, a preflight check's id, the last-attempt file.
  for (const marker of ['firmware-without-sqnsupgrade', 'last-attempt.json', 'build-chain']) {
    assert.ok(!extension.includes(marker), `extension.js contains "${marker}"`);
  }
  const core = readFileSync(join(outdir, 'core.js'), 'utf8');
  for (const marker of ['firmware-without-sqnsupgrade', 'build-chain']) assert.ok(core.includes(marker), `core.js lacks "${marker}"`);
});

test('core.js takes the modules both halves use from extension.js: an error the transport throws is the glue\'s class', async () => {
  __stub.reset();
  const extension = require(join(outdir, 'extension.js')) as ExtensionBundle;
  const context = createExtensionContext(resolve('.'), join(outdir, 'storage'));
  const services = extension.activate(context);
  const core = await services.loadCore();
  const missing = '/dev/no-such-port-for-bundle-test';
  const error = await (await core.openerFor(missing)).open(missing, { baudRate: 115200 }).then(
    () => assert.fail('opening a missing port succeeded'),
    (caught: unknown) => caught,
  );
  const errors = extension.__sharedWithCore.find((module) => 'PortOpenError' in module) as { PortOpenError: new (...args: never[]) => Error; ModemToolError: new (...args: never[]) => Error };
  assert.ok(error instanceof errors.PortOpenError, `got ${String(error)}`);
  assert.ok(error instanceof errors.ModemToolError);
  // core.js did not load a second copy of extension.js.
  const loaded = Object.keys(require.cache).filter((path) => path.startsWith(outdir) && path.endsWith('extension.js'));
  assert.equal(loaded.length, 1);
  for (const disposable of context.subscriptions) disposable.dispose();
});
