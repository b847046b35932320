import '../support/registerVscodeStub';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, test } from 'node:test';
import { __stub, createExtensionContext, Uri } from '../support/vscodeStub';
import { activate } from '../../src/extension';
import { parseCrashDump } from '../../src/core/parse/crashDump';
import { formatTranscriptEvent } from '../../src/core/transcript/transcriptFormat';
import { crashDumpFromTranscript, summarizeTranscript, transcriptStartFromName } from '../../src/core/transcript/transcriptSummary';
import { transcriptFileName } from '../../src/core/transcript/transcriptWriter';
import { loadPastSessions } from '../../src/views/pastSessions';
import type { LogNode } from '../../src/views/logTree';
import { seedHead } from '../parse/seedCrashDump';
import { until } from './fakeCore';

beforeEach(() => __stub.reset());

const DAY = 24 * 3600 * 1000;

/** A failed upgrade as transcriptWriter writes it (lines from a real run of the simulated GPy). */
function failedTranscript(at: Date): string {
  const t = (offsetMs: number) => new Date(at.getTime() + offsetMs).toISOString();
  return [
    `${t(1)} STEP board-connect start: Connect to the board`,
    `${t(50)} STEP board-connect done: Connect to the board — /dev/ttyACM0 at 115200 baud, raw REPL`,
    `${t(60)} PREFLIGHT pass files-readable: upgdiff_38638-to-41065.dup (1.1 MiB)`,
    `${t(70)} STEP trigger start: Start the updater on the board`,
    `${t(80)} AT> AT+SMOD?`,
    `${t(90)} STEP trigger fail: Start the updater on the board — The updater on the board stopped: "Could not detect your modem!"`,
    `${t(95)} DIAGNOSIS board-updater-said: The board's updater could not detect the modem — Power the board off (unplug it), then start it in safe boot.`,
    `${t(96)} RESULT failed: The board half of the upgrade failed; the modem was not touched.`,
    `${t(97)} ERROR trigger-failed in trigger: The updater on the board stopped.`,
    `${t(98)} ACTION Power the board off.`,
    '',
  ].join('\n');
}

function successTranscript(at: Date): string {
  const t = (offsetMs: number) => new Date(at.getTime() + offsetMs).toISOString();
  return [
    `${t(1)} PLAN on-the-fly: CATM1-41065.dup (about 120 s of transfer)`,
    `${t(2)} STEP transfer done: Send the firmware`,
    `${t(3)} RESULT success: Upgrade finished.`,
    '',
  ].join('\n');
}

function scratch(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'pycom-past-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('a transcript summary: steps, port, files, result, error and diagnosis; no RESULT means unfinished', () => {
  const summary = summarizeTranscript(failedTranscript(new Date('2026-11-24T13:28:01.000Z')));
  assert.equal(summary.outcome, 'failed');
  assert.equal(summary.portPath, '/dev/ttyACM0');
  assert.deepEqual(summary.files, ['upgdiff_38638-to-41065.dup']);
  assert.deepEqual(summary.diagnoses, [{ cause: 'board-updater-said', title: "The board's updater could not detect the modem", action: 'Power the board off (unplug it), then start it in safe boot.' }]);
  assert.deepEqual(summary.error, { code: 'trigger-failed', step: 'trigger', message: 'The updater on the board stopped.', action: 'Power the board off.' });
  assert.deepEqual(summary.steps.map((s) => [s.step, s.phase]), [['board-connect', 'done'], ['trigger', 'fail']]);
  assert.equal(summarizeTranscript(failedTranscript(new Date()).split('\n').slice(0, 5).join('\n')).outcome, 'unfinished');
  assert.deepEqual(summarizeTranscript(successTranscript(new Date())).files, ['CATM1-41065.dup']);
  const at = new Date('2026-11-24T13:28:01.123Z');
  assert.equal(transcriptStartFromName(transcriptFileName(at)), at.getTime());
  assert.equal(transcriptStartFromName(transcriptFileName(at, 2)), at.getTime());
  assert.equal(transcriptStartFromName('notes.log'), undefined);
});

test('past sessions: newest first; keep and maxAgeDays remove old transcripts only; other files and live transcripts are left', async (t) => {
  const dir = scratch(t);
  const now = Date.parse('2026-12-01T12:00:00.000Z');
  const names = [1, 2, 3, 200].map((daysAgo) => {
    const at = new Date(now - daysAgo * DAY);
    writeFileSync(join(dir, transcriptFileName(at)), daysAgo === 2 ? successTranscript(at) : failedTranscript(at));
    return transcriptFileName(at);
  });
  const live = transcriptFileName(new Date(now + 1000));
  writeFileSync(join(dir, live), successTranscript(new Date(now + 1000)));
  writeFileSync(join(dir, 'last-attempt.json'), '{}');
  writeFileSync(join(dir, 'my-notes.log'), 'mine');

  const { sessions, pruned } = await loadPastSessions(dir, { keep: 2, maxAgeDays: 90, startedBeforeMs: now, nowMs: now });
  assert.deepEqual(sessions.map((s) => s.id), [`past:${names[0]}`, `past:${names[1]}`]);
  assert.deepEqual(sessions.map((s) => s.outcome), ['failed', 'success']);
  assert.equal(sessions[0]!.title, 'Upgrade upgdiff_38638-to-41065.dup');
  assert.equal(sessions[0]!.isPast, true);
  assert.deepEqual(pruned.sort(), [join(dir, names[2]!), join(dir, names[3]!)].sort());
  assert.deepEqual(readdirSync(dir).sort(), [live, names[0]!, names[1]!, 'last-attempt.json', 'my-notes.log'].sort());

  // 0 keeps all; the age limit alone removes nothing younger than it.
  const all = await loadPastSessions(dir, { keep: 0, maxAgeDays: 0, startedBeforeMs: now, nowMs: now });
  assert.equal(all.sessions.length, 2);
  assert.deepEqual(all.pruned, []);
});

test('after a reload the Sessions view lists the earlier runs from the transcripts, newest first, with result and diagnosis', async (t) => {
  const dir = scratch(t);
  const older = new Date(Date.now() - 2 * DAY);
  const newer = new Date(Date.now() - DAY);
  writeFileSync(join(dir, transcriptFileName(older)), successTranscript(older));
  writeFileSync(join(dir, transcriptFileName(newer)), failedTranscript(newer));
  __stub.configuration.set('pycomModem.transcriptFolder', dir);
  const context = createExtensionContext(join(__dirname, '..', '..'), join(dir, 'storage'));
  activate(context as never, { loadCore: async () => { throw new Error('listing past sessions needs no core'); } });
  t.after(() => context.subscriptions.forEach((d) => d.dispose()));

  const tree = __stub.treeViews[0]!.options.treeDataProvider;
  assert.deepEqual(tree.getChildren(), [], 'nothing yet: the transcripts are read once the view asks');
  await until(() => (tree.getChildren() as LogNode[]).length === 2, 'past sessions listed');
  const [first, second] = tree.getChildren() as LogNode[];
  const firstItem = tree.getTreeItem(first!);
  assert.equal(firstItem.label, 'Upgrade upgdiff_38638-to-41065.dup');
  assert.match(String(firstItem.description), /\/dev\/ttyACM0 · .* · failed: The board's updater could not detect the modem/);
  assert.equal(firstItem.contextValue, 'session.withTranscript');
  assert.match(String(tree.getTreeItem(second!).description), /success$/);
  // The diagnosis comes first under the session, as for a live one.
  const children = tree.getChildren(first) as LogNode[];
  assert.match(String(tree.getTreeItem(children[0]!).label), /^Diagnosis: The board's updater/);
  // "Open Full Transcript" on it opens the file.
  await __stub.commands.get('pycomModem.openSessionTranscript')!(first);
  assert.deepEqual(__stub.openedDocuments, [join(dir, transcriptFileName(newer))]);
});

test('Open Transcripts Folder creates the folder and reveals the newest transcript', async (t) => {
  const dir = scratch(t);
  const folder = join(dir, 'transcripts');
  __stub.configuration.set('pycomModem.transcriptFolder', folder);
  const context = createExtensionContext(join(__dirname, '..', '..'), join(dir, 'storage'));
  activate(context as never, { loadCore: async () => { throw new Error('unused'); } });
  t.after(() => context.subscriptions.forEach((d) => d.dispose()));
  assert.equal(await __stub.commands.get('pycomModem.openTranscriptsFolder')!(), folder);
  assert.ok(existsSync(folder));
  const reveal = __stub.executed.find((e) => e.command === 'revealFileInOS');
  assert.equal((reveal?.args[0] as Uri).fsPath, folder);
});

test('Decode Crash Dump File: a saved dump and a transcript decode into a read-only document; README.md is refused', async (t) => {
  const dir = scratch(t);
  const context = createExtensionContext(join(__dirname, '..', '..'), join(dir, 'storage'));
  activate(context as never, { loadCore: async () => { throw new Error('decoding a file needs no core'); } });
  t.after(() => context.subscriptions.forEach((d) => d.dispose()));
  const decode = __stub.commands.get('pycomModem.decodeCrashDumpFile')!;

  const seedPath = join(__dirname, '..', 'fixtures', 'crashdump-seed-33080.bin');
  __stub.openDialogAnswers.push([Uri.file(seedPath)] as never);
  const dump = (await decode()) as { build?: number };
  assert.equal(dump.build, 33080);
  const provider = __stub.contentProviders.get('pycom-crashdump')!;
  const shown = provider.provideTextDocumentContent(Uri.parse(String(__stub.openedDocuments.at(-1) ? `pycom-crashdump:${__stub.openedDocuments.at(-1)}` : '')) as never);
  assert.match(shown, /Modem crash dump \(firmware 5\.1\.1\.0 \[33080\]/);
  assert.match(shown, /000000  0d0a00002f56/);

  // A transcript that recorded the dump (CRASHDUMP hex lines): the same bytes come back.
  const transcript = join(dir, 'pycom-modem-2026-11-24T13-28-01.000Z.log');
  const lines = formatTranscriptEvent({ kind: 'crashDump', dump: parseCrashDump(seedHead), atMs: 0 }).map((l) => `2026-11-24T13:28:01.000Z ${l}`);
  writeFileSync(transcript, [`2026-11-24T13:28:00.000Z STEP transfer start: Send the firmware`, ...lines, '2026-11-24T13:28:02.000Z RESULT failed: crashed', ''].join('\n'));
  assert.deepEqual(crashDumpFromTranscript(readFileSync(transcript, 'utf8')), seedHead);
  assert.equal(((await decode(Uri.file(transcript))) as { build?: number }).build, 33080);

  __stub.openDialogAnswers.push([Uri.file(join(__dirname, '..', '..', 'README.md'))] as never);
  assert.equal(await decode(), undefined);
  assert.match(__stub.messages.at(-1)!.message, /README\.md is not a modem crash dump: it is a text file/);
  writeFileSync(transcript, successTranscript(new Date()));
  assert.equal(await decode(Uri.file(transcript)), undefined);
  assert.match(__stub.messages.at(-1)!.message, /a transcript without a crash dump/);
});
