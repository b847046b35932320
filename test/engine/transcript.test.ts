import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { UpgradeEvent } from '../../src/core/engine/upgradeEvents';
import { TypedEmitter } from '../../src/core/events/typedEmitter';
import { formatTranscriptEvent, hexLines } from '../../src/core/transcript/transcriptFormat';
import { TranscriptWriter, transcriptFileName } from '../../src/core/transcript/transcriptWriter';

const at = Date.parse('2026-11-24T13:28:01.123Z');

test('file name carries the ISO time without colons', () => {
  assert.equal(transcriptFileName(new Date(at)), 'pycom-modem-2026-11-24T13-28-01.123Z.log');
  assert.equal(transcriptFileName(new Date(at), 1), 'pycom-modem-2026-11-24T13-28-01.123Z-2.log');
});

test('each event is on disk as soon as it is emitted (nothing buffered)', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'transcript-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const events = new TypedEmitter<UpgradeEvent>();
  const writer = TranscriptWriter.create(dir, new Date(at));
  const detach = writer.attach(events);
  events.emit({ kind: 'at', command: 'AT+SMOD?', reply: '2', final: 'OK', durationMs: 12, atMs: at });
  const afterOne = readFileSync(writer.path, 'utf8');
  assert.match(afterOne, /^2026-11-24T13:28:01\.123Z AT> AT\+SMOD\?\n2026-11-24T13:28:01\.123Z AT< 2 \| OK \(12 ms\)\n$/);
  events.emit({ kind: 'stp', direction: 'tx', summary: 'RESET sid=0 tid=0 plen=0', atMs: at + 1 });
  assert.match(readFileSync(writer.path, 'utf8'), /STP tx RESET sid=0 tid=0 plen=0\n$/);
  detach();
  events.emit({ kind: 'log', level: 'info', message: 'after detach', atMs: at });
  writer.close();
  assert.doesNotMatch(readFileSync(writer.path, 'utf8'), /after detach/);
});

test('two sessions in the same millisecond get two files', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'transcript-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const a = TranscriptWriter.create(dir, new Date(at));
  const b = TranscriptWriter.create(dir, new Date(at));
  assert.notEqual(a.path, b.path);
  a.close();
  b.close();
  assert.equal(readdirSync(dir).length, 2);
});

test('progress is thinned, but the last one is always written', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'transcript-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const writer = TranscriptWriter.create(dir);
  const total = 1_000_000;
  for (let done = 0; done <= total; done += 1000) {
    writer.event({ kind: 'progress', step: 'transfer', fileIndex: 1, fileName: 'x.dup', bytesDone: done, bytesTotal: total, bytesPerSecond: 1, atMs: at });
  }
  writer.close();
  const lines = readFileSync(writer.path, 'utf8').trim().split('\n');
  assert.ok(lines.length >= 100 && lines.length <= 102, `${lines.length} progress lines`);
  assert.match(lines.at(-1)!, /1000000\/1000000 bytes/);
});

test('crash dumps are written with their raw bytes in hex', () => {
  const raw = new Uint8Array(40).map((_, i) => i);
  const lines = formatTranscriptEvent({
    kind: 'crashDump',
    dump: { receivedLength: 40, isTruncated: true, records: [], raw, warnings: [], build: 33080, file: 'l1DspReset.c', line: 96, assertionText: 'Assertion failed\nFile: l1DspReset.c@96' },
    atMs: at,
  });
  assert.match(lines[0]!, /build=33080 file=l1DspReset\.c line=96 truncated=true/);
  assert.equal(lines[1], 'CRASHDUMP text: Assertion failed | File: l1DspReset.c@96');
  assert.deepEqual(lines.slice(2), hexLines(raw).map((l) => `CRASHDUMP hex ${l}`));
  assert.equal(hexLines(raw)[1], '000020  2021222324252627');
});

test('control characters cannot split a transcript line', () => {
  const [line] = formatTranscriptEvent({ kind: 'unsolicited', line: 'a\x00b\rc\x1b', atMs: at });
  assert.equal(line, 'AT< (unsolicited) a\\x00bc\\x1b');
});
