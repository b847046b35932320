import '../support/registerVscodeStub';
import { beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { __stub, Uri } from '../support/vscodeStub';
import type { UpgradeEvent } from '../../src/core/engine/upgradeEvents';
import type { RunRecord } from '../../src/views/sessionLog';
import { initialPanelState, reducePanel } from '../../webview/panelState';
import { renderPanel } from '../../webview/render';
import { toPanelMessage, sessionHeader } from '../../src/views/panelEvents';
import { activateWithFakeCore } from './fakeExtension';
import { versionReport } from './fakeCore';
import { panelDocument, type FakeElement } from './fakeDocument';

beforeEach(() => __stub.reset());

const setup = () => activateWithFakeCore();

const UPGRADE = 'pycomModem.upgradeModem';
const at = () => Date.now();
type Item = { label: string; detail?: string; description?: string; kind?: number };
const pickLabel = (pattern: RegExp) => (items: Item[]) => items.find((item) => pattern.test(item.label));

test('"Choose package…" comes first; the package goes to the run whole, its files chosen once the board read the modem', async () => {
  const { core, services, dispose } = setup();
  const zip = join(mkdtempSync(join(tmpdir(), 'pkg-')), 'CATM1-41065.zip');
  writeFileSync(zip, 'PK');
  core.upgradeScript = async (engine) => {
    engine.events.emit({ kind: 'result', outcome: 'failed', message: 'Upgrade failed: the cable was pulled', atMs: at() });
  };
  __stub.quickPickAnswers.push((items: Item[]) => {
    assert.match(items[0]!.label, /Choose package…/, 'the package is the first way');
    assert.deepEqual(
      items.map((item) => item.label.replace(/^\$\([\w-]+\) /, '')),
      ['Choose package…', 'Choose extracted package folder…', 'Choose firmware files…', 'Use files on the board (SD card or /flash)…'],
    );
    return items[0];
  });
  __stub.openDialogAnswers.push((options: { filters: Record<string, string[]> }) => {
    assert.ok(Object.values(options.filters).some((extensions) => extensions.includes('zip')));
    return [Uri.file(zip)];
  });
  __stub.messageAnswers.push((text: string, _items: string[], options: { detail: string }) => {
    assert.match(text, /Upgrade the modem of the GPy on \/dev\/ttyACM0\?/);
    assert.match(options.detail, /Package: CATM1-41065\.zip\. Once the board has read its modem, the tool picks the files/);
    assert.doesNotMatch(options.detail, /Firmware files present/, 'no checks on files not chosen yet');
    return 'Upgrade';
  });
  const session = (await __stub.commands.get(UPGRADE)!({ portPath: '/dev/ttyACM0' })) as RunRecord;
  const request = core.upgradeRequests[0]!;
  assert.equal(request.packageSource, zip);
  assert.deepEqual(request.files, []);
  assert.equal(session.title, 'Upgrade CATM1-41065.zip');

  // Interrupted: the next run offers to resume from the same package.
  assert.deepEqual((await services.lastAttempts.get('/dev/ttyACM0'))?.files, [zip]);
  services.sessions.record(session, { kind: 'modemState', state: 4, atMs: at() });
  __stub.quickPickAnswers.push((items: Item[]) => {
    assert.match(items[0]!.label, /Resume the interrupted upgrade/);
    assert.equal(items[0]!.description, 'CATM1-41065.zip');
    return items[0];
  });
  __stub.messageAnswers.push('Upgrade');
  await __stub.commands.get(UPGRADE)!({ portPath: '/dev/ttyACM0' });
  assert.equal(core.upgradeRequests[1]!.packageSource, zip, 'resumed from the package, not as a loose file');
  dispose();
});

function emitOnBoardSuccess(emit: (event: UpgradeEvent) => void): void {
  emit({ kind: 'step', step: 'on-board-file', title: 'Find the firmware file on the board', phase: 'done', detail: '/sd/CATM1-41065.dup', atMs: at() });
  emit({ kind: 'modemInfo', phase: 'before', report: versionReport(38638), atMs: at() });
  emit({ kind: 'progress', step: 'transfer', fileIndex: 1, fileName: 'CATM1-41065.dup', bytesDone: 100, bytesTotal: 100, bytesPerSecond: 1, atMs: at() });
  emit({ kind: 'modemInfo', phase: 'after', report: versionReport(41065), atMs: at() });
  emit({
    kind: 'result',
    outcome: 'success',
    message: 'The modem runs build 41065.',
    resumeHint: 'The board is back at its REPL and the modem runs the new firmware. Power-cycle the board (unplug it, plug it back) so the modem starts it cleanly: the modem has finished writing, so it is safe now.',
    atMs: at(),
  });
}

test('files on the board: the SD card and /flash are listed, the pick runs the board\'s own updater, and the end says the board is at its REPL', async () => {
  const { core, dispose } = setup();
  core.filesOnBoard = {
    flash: [{ name: 'upgdiff_38638-to-41065.dup', size: 1_200_000 }, { name: 'main.py', size: 10 }],
    sd: [{ name: 'CATM1-41065.dup', size: 5_835_531 }, { name: 'updater.elf', size: 300_000 }],
  };
  core.onBoardScript = async (engine) => emitOnBoardSuccess((event) => engine.events.emit(event));
  __stub.quickPickAnswers.push(pickLabel(/Use files on the board/));
  __stub.quickPickAnswers.push((items: Item[]) => {
    const files = items.filter((item) => item.label.startsWith('$(file)')).map((item) => item.label.slice('$(file) '.length));
    assert.deepEqual(files, ['/sd/CATM1-41065.dup', '/flash/upgdiff_38638-to-41065.dup'], 'the .dup files, card first');
    assert.match(items.find((item) => item.label.includes('/sd/'))!.description!, /5\.8 MB · SD card/);
    return items.find((item) => item.label.includes('/sd/CATM1-41065.dup'));
  });
  __stub.messageAnswers.push((text: string, _items: string[], options: { detail: string }) => {
    assert.match(text, /Run the board's own updater on \/sd\/CATM1-41065\.dup \(GPy on \/dev\/ttyACM0\)\?/);
    assert.match(options.detail, /SD card method/);
    assert.match(options.detail, /No mirror mode: the board is back at its REPL/);
    return 'Upgrade';
  });
  const session = (await __stub.commands.get(UPGRADE)!({ portPath: '/dev/ttyACM0' })) as RunRecord;
  assert.deepEqual(core.onBoardRequests[0]!.firmware, { kind: 'on-board', path: '/sd/CATM1-41065.dup' });
  assert.equal(core.onBoardRequests[0]!.updaterPath, undefined, 'a modem not known to need updater.elf runs without it');
  assert.equal(core.upgradeRequests.length, 0, 'no mirror-mode upgrade');
  assert.equal(session.outcome, 'success');
  const final = __stub.messages.at(-1)!;
  assert.match(final.message, /The board is back at its REPL/);
  assert.doesNotMatch(final.message, /mirror mode has no exit/);

  // The panel's result card: no mirror-mode reminder for the board's own updater.
  const state = [sessionHeader(session), ...session.events.map(toPanelMessage).filter((m) => m !== undefined)].reduce(reducePanel, initialPanelState);
  const page = renderPanel(state, panelDocument, { cancel() {}, copyReport() {}, openTranscript() {}, toggleHex() {}, cancelBoard() {}, showBoard() {} }) as unknown as FakeElement;
  assert.match(page.textContent, /The board is back at its REPL/);
  assert.doesNotMatch(page.textContent, /mirror mode has no exit/);
  dispose();
});

test('no SD card: the picker says so, and the /flash method copies a local diff; a modem in its bootrom gets the updater.elf beside the file', async () => {
  const { core, services, dispose } = setup();
  core.filesOnBoard = { flash: [] };
  __stub.quickPickAnswers.push(pickLabel(/Use files on the board/));
  __stub.quickPickAnswers.push((items: Item[], options: { placeHolder: string }) => {
    assert.equal(options.placeHolder, 'No SD card in the board.');
    return items.find((item) => /Copy a diff file from this computer to \/flash/.test(item.label));
  });
  __stub.openDialogAnswers.push([Uri.file('/fw/upgdiff_38638-to-41065.dup')]);
  __stub.messageAnswers.push((_text: string, _items: string[], options: { detail: string }) => {
    assert.match(options.detail, /\/flash method: the diff is copied to \/flash/);
    return 'Upgrade';
  });
  await __stub.commands.get(UPGRADE)!({ portPath: '/dev/ttyACM0' });
  assert.deepEqual(core.onBoardRequests[0]!.firmware, { kind: 'via-flash', localPath: '/fw/upgdiff_38638-to-41065.dup' });

  // A modem last seen in its recovery bootrom: the card's updater.elf goes with the image.
  const info = services.sessions.start({ kind: 'info', title: 'Modem info', portPath: '/dev/ttyACM1' });
  services.sessions.record(info, { kind: 'modemState', state: 0, atMs: at() });
  core.filesOnBoard = { flash: [], sd: [{ name: 'CATM1-41065.dup', size: 5_835_531 }, { name: 'updater.elf', size: 300_000 }] };
  __stub.quickPickAnswers.push(pickLabel(/Use files on the board/));
  __stub.quickPickAnswers.push((items: Item[]) => items.find((item) => item.label.includes('/sd/CATM1-41065.dup')));
  __stub.messageAnswers.push((_text: string, _items: string[], options: { detail: string }) => {
    assert.match(options.detail, /With \/sd\/updater\.elf/);
    return 'Upgrade';
  });
  await __stub.commands.get(UPGRADE)!({ portPath: '/dev/ttyACM1' });
  assert.equal(core.onBoardRequests[1]!.updaterPath, '/sd/updater.elf');
  dispose();
});

test('the same file on the board\'s SD card: the USB confirmation says the SD card method is faster, and its button runs it', async () => {
  const { core, dispose } = setup();
  // FakeCore's file checks give every file 5,000,000 bytes.
  core.filesOnBoard = { flash: [], sd: [{ name: 'CATM1-41065.dup', size: 5_000_000 }] };
  __stub.messageAnswers.push((_text: string, items: string[], options: { detail: string }) => {
    assert.match(options.detail, /The same file is on the board's SD card \(\/sd\/CATM1-41065\.dup\): the SD card method is faster/);
    assert.deepEqual(items, ['Upgrade', 'Use SD Card Method', 'Advanced: Method…']);
    return 'Use SD Card Method';
  });
  __stub.messageAnswers.push((text: string) => {
    assert.match(text, /Run the board's own updater on \/sd\/CATM1-41065\.dup/);
    return 'Upgrade';
  });
  await __stub.commands.get(UPGRADE)!({ portPath: '/dev/ttyACM0', files: ['/fw/CATM1-41065.dup'] });
  assert.equal(core.upgradeRequests.length, 0, 'no USB upgrade');
  assert.deepEqual(core.onBoardRequests[0]!.firmware, { kind: 'on-board', path: '/sd/CATM1-41065.dup' });

  // Another size on the card is another file: no offer.
  core.filesOnBoard = { flash: [], sd: [{ name: 'CATM1-41065.dup', size: 4_999_999 }] };
  __stub.messageAnswers.push((_text: string, items: string[]) => {
    assert.deepEqual(items, ['Upgrade', 'Advanced: Method…']);
    return undefined;
  });
  await __stub.commands.get(UPGRADE)!({ portPath: '/dev/ttyACM0', files: ['/fw/CATM1-41065.dup'] });
  dispose();
});
