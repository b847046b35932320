import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileBytes, MiB, engineRig, abortAfterSending } from '../support/engineRig';
import { jsonLines, runInProcess } from './cliHarness';

const FIXTURES = join(__dirname, '..', 'fixtures');

test('help lists every command; unknown commands exit 2', async () => {
  const help = await runInProcess(['help']);
  assert.equal(help.code, 0);
  for (const name of ['ports', 'info', 'upgrade', 'crashdump', 'check', 'sim', 'help']) assert.match(help.stdout, new RegExp(`^  ${name} `, 'm'));
  const usage = await runInProcess(['help', 'upgrade']);
  assert.match(usage.stdout, /--updater/);
  const unknown = await runInProcess(['frobnicate']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown command "frobnicate"/);
});

test('usage errors: one paragraph with what to do, exit 2; --verbose adds the stack', async () => {
  const missing = await runInProcess(['upgrade', 'x.dup']);
  assert.equal(missing.code, 2);
  assert.equal(missing.stderr, 'Error: pycom-modem upgrade needs --port <path>.\nWhat to do: Run `pycom-modem ports` to list the serial ports, then pass one with --port.\n');
  const badOption = await runInProcess(['info', '--port', 'p', '--bogus', '--verbose']);
  assert.equal(badOption.code, 2);
  assert.match(badOption.stderr, /Unknown option '--bogus'/);
  assert.match(badOption.stderr, /\n    at /, 'stack with --verbose');
  const jsonUsage = await runInProcess(['crashdump', '--json', '--port', 'x', 'file.bin']);
  assert.equal(jsonUsage.code, 2);
  const [errorLine] = jsonLines(jsonUsage.stdout);
  assert.equal(errorLine!.kind, 'error');
  assert.equal((errorLine!.error as { code: string }).code, 'usage');
  // Preflight reports unreadable files as failed checks (a line each), not as one thrown error.
  const missing2 = await runInProcess(['check', '--json', '--updater', '/nonexistent/updater.elf', '/nonexistent/x.dup']);
  assert.equal(missing2.code, 2);
  const [preflight] = jsonLines(missing2.stdout);
  assert.equal(preflight!.kind, 'preflight');
  assert.equal(preflight!.isReady, false);
  const readable = (preflight!.results as { id: string; status: string; detail: string }[]).find((r) => r.id === 'files-readable');
  assert.equal(readable?.status, 'fail');
  assert.match(readable!.detail, /x\.dup: no such file; updater\.elf: no such file/);
});

test('upgrade --json: one parseable event per line, ending in a success result; exit 0', async (t) => {
  const rig = engineRig({ state: 2, build: 38638 });
  t.after(() => rig.close());
  const file = await rig.firmware('upgdiff_38638-to-41065.dup', { kind: 'diff', network: 'CAT-M1', fromBuild: 38638, build: 41065, size: 600_000 });
  const run = await runInProcess(['upgrade', '--port', 'sim:modem', '--json', '--timeout-scale', '0.05', '--transcript-dir', rig.dir, file], { opener: rig.registry });
  assert.equal(run.code, 0, run.stderr + run.stdout.slice(-2000));
  const events = jsonLines(run.stdout);
  const kinds = new Set(events.map((e) => e.kind));
  for (const kind of ['step', 'at', 'stp', 'progress', 'plan', 'modemState', 'modemInfo', 'result']) assert.ok(kinds.has(kind), `has ${kind} events`);
  const result = events.at(-1)!;
  assert.equal(result.kind, 'result');
  assert.equal(result.outcome, 'success');
  assert.match(String(result.transcriptPath), /pycom-modem-.*\.log$/);
  assert.match(readFileSync(String(result.transcriptPath), 'utf8'), /RESULT success/);
  assert.deepEqual(rig.modem.stored[0]?.bytes, fileBytes(file));
});

test('upgrade that fails exits 1 and says where the modem stands', async (t) => {
  const rig = engineRig({ state: 2, build: 38638, faults: ['patch-fails'] });
  t.after(() => rig.close());
  const file = await rig.firmware('upgdiff_38638-to-41065.dup', { kind: 'diff', network: 'CAT-M1', fromBuild: 38638, build: 41065, size: 600_000 });
  const run = await runInProcess(['upgrade', '--port', 'sim:modem', '--timeout-scale', '0.05', '--transcript-dir', rig.dir, file], { opener: rig.registry });
  assert.equal(run.code, 1);
  assert.match(run.stdout, /Upgrade failed: The modem reported that the upgrade failed: failure\[diffUpgrade,239\] Patch didn't apply!/);
  assert.match(run.stdout, /^Diagnosis: The diff file does not match the modem's build \(Patch didn't apply!\) \[patch-did-not-apply\]$/m);
  assert.match(run.stdout, /^  What to do: A differential file applies only to the build it was made from/m);
  assert.equal(run.stdout.match(/What to do:/g)?.length, 1, 'the diagnosis replaces the bare error action');
  assert.match(run.stdout, /Where the modem stands: /);
});

test('a refused diff (modem runs another build) exits 2 without changing the modem', async (t) => {
  const rig = engineRig({ state: 2, build: 39529 });
  t.after(() => rig.close());
  const file = await rig.firmware('upgdiff_38638-to-41065.dup', { kind: 'diff', network: 'CAT-M1', fromBuild: 38638, build: 41065, size: 600_000 });
  const run = await runInProcess(['upgrade', '--port', 'sim:modem', '--json', '--timeout-scale', '0.05', '--transcript-dir', rig.dir, file], { opener: rig.registry });
  assert.equal(run.code, 2);
  const result = jsonLines(run.stdout).at(-1)!;
  assert.equal((result.error as { code: string }).code, 'usage');
  assert.equal(rig.modem.stored.length, 0);
});

test('info and check --port read the modem without changing it', async (t) => {
  const rig = engineRig({ state: 2, build: 38638 });
  t.after(() => rig.close());
  const info = await runInProcess(['info', '--port', 'sim:modem', '--json', '--timeout-scale', '0.05'], { opener: rig.registry });
  assert.equal(info.code, 0, info.stderr);
  const last = jsonLines(info.stdout).at(-1)!;
  assert.equal(last.kind, 'info');
  assert.equal(last.state, 2);
  assert.equal((last.report as { softwareBuild: number }).softwareBuild, 38638);
  const text = await runInProcess(['info', '--port', 'sim:modem', '--timeout-scale', '0.05'], { opener: rig.registry });
  assert.match(text.stdout, /Modem state     2 — application/);
  assert.match(text.stdout, /Software        5\.1\.1\.0 \[38638\]/);
  const full = await rig.firmware('CATM1-41065.dup', { kind: 'full', network: 'CAT-M1', build: 41065, size: 4 * MiB + 1 });
  const check = await runInProcess(['check', '--port', 'sim:modem', '--timeout-scale', '0.05', full], { opener: rig.registry });
  assert.equal(check.code, 0, check.stderr);
  assert.match(check.stdout, /^Modem on sim:modem: state 2 — application, build 38638, 921600 baud$/m);
  assert.match(check.stdout, /^\[ok\] +Files are modem firmware of a sane size: CATM1-41065\.dup: CAT-M1 full image, build 41065$/m);
  assert.match(check.stdout, /^\[ok\] +Upgrade path and duration: ON_THE_FLY .*about \d+ min/m);
  assert.match(check.stdout, /0 failures, 0 warnings: ready to upgrade\.$/m);
  const wrongDiff = await rig.firmware('upgdiff_40000-to-41065.dup', { kind: 'diff', network: 'CAT-M1', fromBuild: 40000, build: 41065, size: 600_000 });
  const refused = await runInProcess(['check', '--port', 'sim:modem', '--timeout-scale', '0.05', wrongDiff], { opener: rig.registry });
  assert.equal(refused.code, 2);
  assert.match(refused.stdout, /^\[FAIL\] Diff matches the modem's build: upgdiff_40000-to-41065\.dup upgrades build 40000, but the modem runs build 38638/m);
  assert.match(refused.stdout, /^ +→ Use upgdiff_38638-to-<target>\.dup/m);
  assert.match(refused.stdout, /1 failure, \d+ warnings?: the upgrade would be refused\.$/m);
  assert.ok(!rig.modem.commandsSeen.some((c) => /SMSTPU|SMSWBOOT=|BIND/.test(c)), 'nothing but reads reached the modem');
});

test('crashdump: from a saved file and from the modem, text and --json (bytes as hex)', async (t) => {
  const fromFile = await runInProcess(['crashdump', join(FIXTURES, 'crashdump-seed-33080.bin')]);
  assert.equal(fromFile.code, 0, fromFile.stderr);
  assert.match(fromFile.stdout, /33080/);
  assert.match(fromFile.stdout, /Assertion fai/);
  assert.match(fromFile.stdout, /truncated/);
  const json = await runInProcess(['crashdump', '--json', join(FIXTURES, 'crashdump-seed-33080.bin')]);
  const [line] = jsonLines(json.stdout);
  const dump = line!.dump as { raw: string; build: number; isTruncated: boolean };
  assert.equal(dump.build, 33080);
  assert.equal(dump.isTruncated, true);
  assert.match(dump.raw, /^[0-9a-f]+$/);
  const rig = engineRig({ state: 2 });
  t.after(() => rig.close());
  const fromModem = await runInProcess(['crashdump', '--port', 'sim:modem', '--json', '--timeout-scale', '0.05'], { opener: rig.registry });
  assert.equal(fromModem.code, 0, fromModem.stderr);
  const modemDump = jsonLines(fromModem.stdout).at(-1)!.dump as { raw: string; receivedLength: number };
  assert.equal(modemDump.raw, Buffer.from(rig.modem.crashDump).toString('hex').slice(-modemDump.raw.length));
  assert.ok(modemDump.receivedLength > 1000);
  const both = await runInProcess(['crashdump', '--port', 'x', 'file.bin']);
  assert.equal(both.code, 2);
});

test('cancelling the CLI upgrade (Ctrl-C) exits 1 with a resume hint', async (t) => {
  const rig = engineRig({ state: 2, build: 38638 });
  t.after(() => rig.close());
  const file = await rig.firmware('CATM1-41065.dup', { kind: 'full', network: 'CAT-M1', build: 41065, size: 4 * MiB + 1 });
  const controller = new AbortController();
  // Press "Ctrl-C" once the transfer is under way: watch the bytes the CLI sends.
  const opener = abortAfterSending(rig.registry, 100_000, controller);
  const run = await runInProcess(['upgrade', '--port', 'sim:modem', '--timeout-scale', '0.05', '--transcript-dir', rig.dir, file], { opener, signal: controller.signal });
  assert.equal(run.code, 1);
  assert.match(run.stdout, /Upgrade cancelled\./);
  assert.match(run.stdout, /Where the modem stands: .*resume/);
  assert.equal(rig.link.isOpen('host'), false);
});
