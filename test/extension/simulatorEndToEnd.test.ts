import '../support/registerVscodeStub';
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { __stub, createExtensionContext } from '../support/vscodeStub';
import { activate } from '../../src/extension';
import type { UpgradeEvent } from '../../src/core/engine/upgradeEvents';
import type { RunRecord } from '../../src/views/sessionLog';

// The real core and the simulated GPy behind the palette command: the glue, the board
// half and the engine together, with only the VS Code UI stubbed.
const storage = mkdtempSync(join(tmpdir(), 'pycom-ext-e2e-'));
const context = createExtensionContext(process.cwd(), storage);
after(async () => {
  for (const d of context.subscriptions) await d.dispose();
  rmSync(storage, { recursive: true, force: true });
});

test('Try Upgrade on Simulated GPy runs the whole upgrade through the command and the panel', { timeout: 120_000 }, async () => {
  __stub.reset();
  __stub.configuration.set('pycomModem.simulator.timeScale', 1000);
  const services = activate(context as never);
  await __stub.commands.get('pycomModem.openPanel')!();
  __stub.panels[0]!.sendFromPage({ type: 'ready' });
  let detail = '';
  __stub.messageAnswers.push((_text: string, _items: string[], options: { detail: string }) => {
    detail = options.detail;
    return 'Upgrade';
  });

  const session = (await __stub.commands.get('pycomModem.tryOnSimulator')!()) as RunRecord;

  const result = session.events.find((e): e is Extract<UpgradeEvent, { kind: 'result' }> => e.kind === 'result');
  assert.equal(result?.outcome, 'success', JSON.stringify(result?.error ?? session.events.slice(-5)));
  assert.match(detail, /Board: GPy/);
  assert.match(detail, /^\[ok\] +Files are modem firmware of a sane size: CATM1-41065\.dup: CAT-M1 full image, build 41065$/m);
  assert.match(detail, /^\[ok\] +Upgrade path and duration: Expected ON_THE_FLY/m);
  assert.match(detail, /0 failures, 0 warnings: ready to upgrade\./);
  const after = session.events.find((e): e is Extract<UpgradeEvent, { kind: 'modemInfo' }> => e.kind === 'modemInfo' && e.phase === 'after');
  assert.equal(after?.report.softwareBuild, 41065);
  assert.ok(session.transcriptPath && existsSync(session.transcriptPath), 'a transcript was written');
  const posted = __stub.panels[0]!.webview.posted.map((m) => (m as { type: string }).type);
  assert.ok(posted.includes('progress') && posted.includes('result'));
  assert.match(__stub.messages[__stub.messages.length - 1]!.message, /Modem upgraded to .*41065.*power-cycle/i);
  assert.equal(services.activeOperation, undefined);

  // The board stays in mirror mode: the modem can be read straight away.
  const info = (await __stub.commands.get('pycomModem.readModemInfo')!('sim:GPy')) as { state: number; report: { softwareBuild?: number } };
  assert.equal(info.state, 2);
  assert.equal(info.report.softwareBuild, 41065);

  // A second Try Upgrade: the board is still in mirror mode, so the glue power-cycles the
  // simulated GPy (the user cannot unplug it) and the upgrade runs again from its REPL.
  let secondDetail = '';
  __stub.messageAnswers.push((_text: string, _items: string[], options: { detail: string }) => {
    secondDetail = options.detail;
    return 'Upgrade';
  });
  const second = (await __stub.commands.get('pycomModem.tryOnSimulator')!()) as RunRecord;
  const secondResult = second.events.find((e): e is Extract<UpgradeEvent, { kind: 'result' }> => e.kind === 'result');
  assert.equal(secondResult?.outcome, 'success', JSON.stringify(secondResult?.error ?? second.events.slice(-5)));
  assert.match(secondDetail, /Board: GPy/, 'identified after the automatic power cycle');
  assert.doesNotMatch(secondDetail, /resume|state 4/i, 'no plan from the state read during the first upgrade');
  assert.match(secondDetail, /0 failures/);

  // And a third straight after, through the palette's Upgrade Modem with the same file.
  __stub.messageAnswers.push('Upgrade');
  const third = (await __stub.commands.get('pycomModem.upgradeModem')!({ portPath: 'sim:GPy', files: [join(storage, 'demo', 'CATM1-41065.dup')] })) as RunRecord;
  assert.equal(third.outcome, 'success', JSON.stringify(third.events.slice(-5)));
  assert.ok(
    third.events.some((e) => e.kind === 'log' && e.message === 'Simulated GPy power-cycled (a real board needs unplugging).'),
    'the session log says the simulated board was power-cycled',
  );
});

