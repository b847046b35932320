import '../support/registerVscodeStub';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { __stub, createExtensionContext } from '../support/vscodeStub';

// Inside node_modules so the bundle resolves serialport from the project, as dist/ does.
const outdir = resolve('node_modules', '.cache', `lazy-core-test-${process.pid}`);

before(async () => {
  const { buildBundles } = await import('../../scripts/build.mjs');
  await buildBundles({ outdir });
});
after(() => rmSync(outdir, { recursive: true, force: true }));

interface ExtensionBundle {
  activate(context: unknown): { loadCore(): Promise<{ openerFor(path: string): Promise<{ open(path: string, settings: { baudRate: number }): Promise<unknown> }> }> };
}

const loadedFrom = (fragment: string) => Object.keys(require.cache).some((path) => path.includes(fragment));

test('one extension bundle: the serial binding and MicroPython stay outside it and load only when the first command needs them', async () => {
  assert.equal(existsSync(join(outdir, 'core.js')), false, 'no second bundle');
  const source = readFileSync(join(outdir, 'extension.js'), 'utf8');
  assert.match(source, /require\("serialport"\)/, 'serialport is required by name, from node_modules');

  __stub.reset();
  const extension = require(join(outdir, 'extension.js')) as ExtensionBundle;
  const context = createExtensionContext(resolve('.'), join(outdir, 'storage'));
  const services = extension.activate(context);
  assert.equal(loadedFrom(join('node_modules', 'serialport')), false, 'activation loads no serial binding');
  assert.equal(loadedFrom('micropython-webassembly'), false, 'activation loads no MicroPython');

  // The first command loads the core; a missing port fails with the glue's own error class (one copy of errors.ts).
  const core = await services.loadCore();
  const missing = '/dev/no-such-port-for-bundle-test';
  const error = await (await core.openerFor(missing)).open(missing, { baudRate: 115200 }).then(
    () => assert.fail('opening a missing port succeeded'),
    (caught: unknown) => caught as Error,
  );
  assert.equal(error.name, 'PortOpenError');
  assert.equal(loadedFrom(join('node_modules', 'serialport')), true, 'the first command loads the serial binding');
  for (const disposable of context.subscriptions) disposable.dispose();
});
