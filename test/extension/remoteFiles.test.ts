import '../support/registerVscodeStub';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, test } from 'node:test';
import { __stub, createExtensionContext, ProgressLocation, Uri } from '../support/vscodeStub';
import { activate } from '../../src/extension';
import { FakeCore } from './fakeCore';

beforeEach(() => __stub.reset());

function setup(t: { after(fn: () => void): void }) {
  const storage = mkdtempSync(join(tmpdir(), 'pycom-remote-'));
  const core = new FakeCore();
  const context = createExtensionContext(join(__dirname, '..', '..'), storage);
  const services = activate(context as never, { loadCore: async () => core });
  t.after(() => {
    context.subscriptions.forEach((d) => d.dispose());
    rmSync(storage, { recursive: true, force: true });
  });
  return { core, storage, services };
}

const bytes = (length: number, seed: number) => new Uint8Array(Array.from({ length }, (_, i) => (i * seed + 11) & 0xff));

test('remote window: the picked .dup files are read through workspace.fs, copied under our storage, and sent in name order', async (t) => {
  const { core, storage } = setup(t);
  const stage2 = Uri.parse('vscode-remote://ssh-remote+pi/home/pi/NB1-41019-2.dup');
  const stage1 = Uri.parse('vscode-remote://ssh-remote+pi/home/pi/NB1-41019-1.dup');
  __stub.remoteFiles.set(stage1.toString(), bytes(4000, 3));
  __stub.remoteFiles.set(stage2.toString(), bytes(6000, 5));
  __stub.quickPickAnswers.push((items: { label: string }[]) => items.find((i) => /Choose firmware/.test(i.label)));
  __stub.openDialogAnswers.push([stage2, stage1] as never);
  __stub.messageAnswers.push(() => 'Upgrade');
  await __stub.commands.get('pycomModem.upgradeModem')!({ portPath: 'sim:GPy' });

  const sent = core.upgradeRequests[0]!.files;
  assert.equal(sent.length, 2);
  assert.ok(sent.every((path) => path.startsWith(join(storage, 'picked-files'))), sent.join(', '));
  assert.deepEqual(sent.map((path) => path.split(/[\\/]/).pop()), ['NB1-41019-1.dup', 'NB1-41019-2.dup']);
  assert.deepEqual(new Uint8Array(readFileSync(sent[0]!)), bytes(4000, 3));
  assert.deepEqual(new Uint8Array(readFileSync(sent[1]!)), bytes(6000, 5));
});

test('a remote file that cannot be read stops the upgrade before anything is sent, and says why', async (t) => {
  const { core } = setup(t);
  __stub.quickPickAnswers.push((items: { label: string }[]) => items.find((i) => /Choose firmware/.test(i.label)));
  __stub.openDialogAnswers.push([Uri.parse('vscode-remote://wsl+Ubuntu/gone.dup')] as never);
  await __stub.commands.get('pycomModem.upgradeModem')!({ portPath: 'sim:GPy' });
  assert.equal(core.upgradeRequests.length, 0);
  assert.match(__stub.messages.at(-1)!.message, /Cannot read the picked file: .*gone\.dup/);
});

test('push from the explorer of a remote window copies the file first; the notification bar fills to 100', async (t) => {
  const { core, storage, services } = setup(t);
  await services.selection.select({ path: 'sim:GPy' });
  const uri = Uri.parse('vscode-remote://codespaces+x/workspaces/app/main.py');
  __stub.remoteFiles.set(uri.toString(), new TextEncoder().encode('print("hi")\n'));
  __stub.inputBoxAnswers.push('/flash/main.py');
  const remotePath = await __stub.commands.get('pycomModem.pushFile')!(uri);
  assert.equal(remotePath, '/flash/main.py');
  const pushed = core.pushed[0]!;
  assert.ok(pushed.localPath.startsWith(storage) && pushed.localPath.endsWith('main.py'), pushed.localPath);
  assert.equal(readFileSync(pushed.localPath, 'utf8'), 'print("hi")\n');
  const run = __stub.progressRuns.find((r) => r.location === ProgressLocation.Notification)!;
  const increments = run.reports.map((r) => r.increment ?? 0);
  assert.ok(increments.filter((i) => i > 0).length >= 2, 'the bar moves per progress report');
  assert.ok(Math.abs(increments.reduce((a, b) => a + b, 0) - 100) < 1e-9);
});
