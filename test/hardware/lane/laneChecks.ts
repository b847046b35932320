import { randomBytes, createHash } from 'node:crypto';
import { dirname } from 'node:path';
import { pushFile, readRemoteHash, removeFile } from '../../../src/core/board/boardFiles';
import { PART_HANDLE } from '../../../src/core/board/execPartWriter';
import { identifyBoard } from '../../../src/core/board/boardIdentity';
import { runFullUpgrade } from '../../../src/core/board/fullUpgrade';
import { withModemViaBoard } from '../../../src/core/board/modemViaBoard';
import { UpgradeEngine } from '../../../src/core/engine/upgradeEngine';
import { DEFAULT_UPGRADE_TIMEOUTS, scaleTimeouts } from '../../../src/core/engine/upgradeTimeouts';
import { formatCrashDumpText } from '../../../src/core/parse/crashDump';
import { BoardCodeTimeoutError } from '../../../src/core/repl/rawRepl';
import { friendlyRoundTrip } from './friendlyRoundTrip';
import { parseModemInfoOutput, summarizeModemInfo } from './infoOutput';
import type { LaneSession } from './laneSession';
import { PortOwner } from '../../../src/core/transport/portOwner';

export type CheckStatus = 'pass' | 'fail' | 'skip';

export interface CheckOutcome {
  status: CheckStatus;
  /** One line for the report's table: what was found, why it failed or why it was skipped. */
  summary: string;
}

export type CheckId = 'identify' | 'modem-info' | 'push' | 'repl-round-trip' | 'upgrade' | 'crash-dump';

export interface LaneCheck {
  id: CheckId;
  title: string;
  /** Resolves with the outcome; a throw is a fail with the error's message. */
  run(lane: LaneSession): Promise<CheckOutcome>;
}

/**
 * `sqnsupgrade.info()` and `state()` probe the modem over the board's own UART: an `AT`
 * wait of about 20 s, retried, then the other line speed (PROTOCOL.md §9), so a silent
 * modem takes minutes before the updater gives up and returns.
 */
export const INFO_TIMEOUT_MS = 180_000;
/** Small enough to take seconds on a real board, large enough to span several push chunks. */
export const PUSH_TEST_BYTES = 3_000;
/** Board-side cleanup after a failed or cancelled push: it must not hang the lane's exit. */
const CLEANUP_TIMEOUT_MS = 5_000;

const pass = (summary: string): CheckOutcome => ({ status: 'pass', summary });
const skip = (summary: string): CheckOutcome => ({ status: 'skip', summary });
const fail = (summary: string): CheckOutcome => ({ status: 'fail', summary });

const kib = (bytes: number) => `${Math.round(bytes / 1024)} KiB`;

/** Random bytes that surely hold what breaks naive transfers: NUL, CR, LF, Ctrl-C, Ctrl-D, backslash, quote, 0xFF. */
export function laneTestBytes(length: number): Uint8Array {
  const bytes = new Uint8Array(randomBytes(length));
  const special = [0x00, 0x0d, 0x0a, 0x03, 0x04, 0x5c, 0x27, 0xff, 0x0d, 0x0a, 0x00, 0xff];
  special.forEach((byte, i) => (bytes[Math.floor((i * length) / special.length)] = byte));
  return bytes;
}

function lastLine(text: string): string {
  return text.trim().split(/\r?\n/).at(-1) ?? '';
}

function modemTimeouts(lane: LaneSession) {
  return lane.config.timeoutScale === undefined ? undefined : scaleTimeouts({ ...DEFAULT_UPGRADE_TIMEOUTS }, lane.config.timeoutScale);
}

/** Why a check that needs the board's REPL cannot run, or undefined. */
function replUnavailable(lane: LaneSession): string | undefined {
  if (!lane.findings.identity) return 'the board was not identified (see identify)';
  if (lane.isBoardInMirrorMode) return 'the board is in mirror mode';
  return undefined;
}

const identify: LaneCheck = {
  id: 'identify',
  title: 'Identify the board (raw REPL, os.uname, firmware, LTE modem, sqnsupgrade, /flash)',
  async run(lane) {
    const repl = await lane.repl();
    const id = await identifyBoard(repl, { signal: lane.signal });
    lane.findings.identity = id;
    return pass(
      `${id.machine} (${id.uname.machine}), firmware ${id.release}; LTE modem: ${id.hasLteModem ? 'yes' : 'no'}; ` +
        `sqnsupgrade: ${id.hasSqnsupgrade ? 'importable' : 'missing'}; /flash ${kib(id.flashFreeBytes)} free of ${kib(id.flashTotalBytes)}`,
    );
  },
};

const modemInfo: LaneCheck = {
  id: 'modem-info',
  title: "Board-side modem read: sqnsupgrade.info() and sqnsupgrade.state()",
  async run(lane) {
    const unavailable = replUnavailable(lane);
    if (unavailable) return skip(unavailable);
    const id = lane.findings.identity!;
    if (!id.hasLteModem) return skip(`a ${id.machine} has no LTE modem`);
    if (!id.hasSqnsupgrade) return skip('sqnsupgrade is not importable on this firmware (it is frozen in from 1.20)');
    const repl = await lane.repl();
    const options = { signal: lane.signal, timeoutMs: INFO_TIMEOUT_MS };
    let info: { stdout: string; stderr: string };
    try {
      info = await repl.exec('import sqnsupgrade\nsqnsupgrade.info()', options);
    } catch (error) {
      // Keep what the updater printed before it stopped answering: it names the cause.
      if (error instanceof BoardCodeTimeoutError) {
        lane.findings.infoOutput = { stdout: error.partialStdout, stderr: '', parsed: parseModemInfoOutput(error.partialStdout) };
      }
      throw error;
    }
    const parsed = parseModemInfoOutput(info.stdout);
    lane.findings.infoOutput = { ...info, parsed };
    // state() is a separate call on the board: its failure is recorded, the check is about info().
    lane.findings.stateOutput = await repl.exec('import sqnsupgrade\nprint(repr(sqnsupgrade.state()))', options);
    // The updater must hand the REPL back (no mirror mode): prove it with a fresh exec.
    const echo = await repl.eval('6*7', { signal: lane.signal });
    if (echo !== '42') return fail(`the REPL did not come back after info(): 6*7 gave ${JSON.stringify(echo)}`);
    if (info.stderr.trim()) return fail(`info() raised: ${lastLine(info.stderr)}`);
    const stateResult = lane.findings.stateOutput.stderr.trim()
      ? `state() raised: ${lastLine(lane.findings.stateOutput.stderr)}`
      : `state() = ${lastLine(lane.findings.stateOutput.stdout)}`;
    return pass(`${summarizeModemInfo(parsed)}; ${stateResult}; REPL back`);
  },
};

const push: LaneCheck = {
  id: 'push',
  title: 'Push a file to /flash (verified push), read its sha256 back, remove it',
  async run(lane) {
    const unavailable = replUnavailable(lane);
    if (unavailable) return skip(unavailable);
    const repl = await lane.repl();
    const bytes = laneTestBytes(PUSH_TEST_BYTES);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const remotePath = `/flash/pycom-modem-lane-${randomBytes(4).toString('hex')}.bin`;
    let isCleanupNeeded = true;
    try {
      const result = await pushFile(repl, { bytes, remotePath, signal: lane.signal });
      const back = await readRemoteHash(repl, remotePath, { signal: lane.signal, expectedBytes: bytes.length });
      lane.findings.push = {
        remotePath,
        bytes: bytes.length,
        sha256,
        ...(back ? { readBackSha256: back.sha256 } : {}),
        ...(result.scheme ? { scheme: result.scheme } : {}),
        elapsedMs: result.elapsedMs,
      };
      if (!back) return fail(`${remotePath} is missing after the push`);
      if (back.size !== bytes.length || back.sha256 !== sha256) {
        return fail(`read back ${back.size} bytes, sha256 ${back.sha256}; sent ${bytes.length} bytes, sha256 ${sha256}`);
      }
      const removed = await removeFile(repl, remotePath, { signal: lane.signal });
      const after = await readRemoteHash(repl, remotePath, { signal: lane.signal });
      if (!removed || after) return fail(`${remotePath} could not be removed`);
      isCleanupNeeded = false;
      return pass(`${bytes.length} bytes (NUL, CR, 0xFF and random) in ${(result.elapsedMs / 1000).toFixed(1)} s, sha256 ${sha256.slice(0, 16)}… read back equal; removed`);
    } finally {
      // A failed or cancelled push must not leave the test file (or its .part) on the user's /flash.
      if (isCleanupNeeded) {
        // A push stopped half way leaves the board's .part handle open; FAT must not lose a file under it.
        await repl.exec(`try:\n    ${PART_HANDLE}.close()\nexcept Exception:\n    pass`, { timeoutMs: CLEANUP_TIMEOUT_MS }).catch(() => undefined);
        for (const path of [remotePath, `${remotePath}.part`]) {
          await removeFile(repl, path, { timeoutMs: CLEANUP_TIMEOUT_MS }).catch((error: unknown) =>
            lane.transcript.note(`could not remove ${path}: ${error instanceof Error ? error.message : String(error)}`),
          );
        }
      }
    }
  },
};

const replRoundTrip: LaneCheck = {
  id: 'repl-round-trip',
  title: 'REPL terminal round trip: Enter → >>>, print(1+1) → 2, Ctrl-C at the prompt',
  async run(lane) {
    const unavailable = replUnavailable(lane);
    if (unavailable) return skip(unavailable);
    const io = await lane.friendlyPort();
    lane.findings.replExchanges = [];
    const exchanges = await friendlyRoundTrip(io, lane.signal);
    lane.findings.replExchanges = exchanges;
    const slowest = Math.max(...exchanges.map((e) => e.tookMs));
    return pass(`${exchanges.length} exchanges as expected, slowest ${Math.round(slowest)} ms; board left at its friendly REPL`);
  },
};

const upgrade: LaneCheck = {
  id: 'upgrade',
  title: 'Whole board upgrade (only with PYCOM_TEST_FIRMWARE)',
  async run(lane) {
    const { firmwarePaths, updaterPath, portPath, reportPath } = lane.config;
    if (firmwarePaths.length === 0) return skip('no PYCOM_TEST_FIRMWARE: the lane only reads unless it is given a firmware file');
    const unavailable = replUnavailable(lane);
    if (unavailable) return skip(unavailable);
    // runFullUpgrade opens the port itself and keeps it from REPL to mirror mode.
    await lane.releasePort();
    const engine = new UpgradeEngine();
    const stopRecording = engine.events.on((event) => {
      lane.transcript.event(event);
      if (event.kind === 'step' && event.step === 'mirror-handover' && event.phase === 'done') lane.isBoardInMirrorMode = true;
    });
    try {
      const timeouts = modemTimeouts(lane);
      const outcome = await runFullUpgrade(
        {
          port: new PortOwner(lane.opener, portPath),
          files: firmwarePaths,
          ...(updaterPath ? { updaterPath } : {}),
          ...(timeouts ? { timeouts } : {}),
          // The checks' warnings (a network switch, an unusual file) stop the lane's upgrade unless PYCOM_TEST_YES=1.
          confirm: async () => lane.config.isWarningConfirmed,
          transcriptDir: dirname(reportPath),
        },
        { engine, signal: lane.signal },
      );
      lane.findings.upgrade = outcome;
      if (outcome.outcome === 'success') {
        const after = outcome.after?.softwareBuild;
        return pass(`upgraded${after !== undefined ? ` to build ${after}` : ''} (${outcome.path ?? 'path not reported'})`);
      }
      return fail(`${outcome.outcome}: ${outcome.error?.message ?? 'no error reported'}${outcome.resumeHint ? ` ${outcome.resumeHint}` : ''}`);
    } finally {
      stopRecording();
    }
  },
};

const crashDump: LaneCheck = {
  id: 'crash-dump',
  title: 'Modem crash-dump read through mirror mode (only with PYCOM_TEST_MIRROR=1)',
  async run(lane) {
    const { portPath, isMirrorAllowed } = lane.config;
    if (!isMirrorAllowed) {
      return skip('PYCOM_TEST_MIRROR is not 1: reading the crash dump needs mirror mode, which only a power-cycle (unplug) ends');
    }
    if (!lane.findings.identity && !lane.isBoardInMirrorMode) return skip('the board was not identified (see identify)');
    await lane.releasePort();
    const engine = new UpgradeEngine();
    const stopRecording = engine.events.on((event) => lane.transcript.event(event));
    const timeouts = modemTimeouts(lane);
    const port = new PortOwner(lane.opener, portPath);
    const request = { port, ...(timeouts ? { timeouts } : {}) };
    try {
      // After an upgrade the board already bridges the port to the modem; otherwise the
      // CLI's --via-board path starts the firmware's updater to get there.
      const dump = lane.isBoardInMirrorMode
        ? await engine.readCrashDump(request, lane.signal)
        : await withModemViaBoard({ port, events: engine.events }, lane.signal, (modem) => {
            lane.isBoardInMirrorMode = true;
            return engine.readCrashDump({ ...request, port: modem }, lane.signal);
          });
      lane.findings.crashDump = dump ? { dump } : {};
      if (!dump) return pass('the modem has no crash dump (/fs/crashdump is missing or empty)');
      return pass(formatCrashDumpText(dump).split('\n').slice(0, 2).map((l) => l.trim()).join(' — '));
    } finally {
      stopRecording();
    }
  },
};

/**
 * The lane, in order. The checks that need the REPL come first; the upgrade and the
 * crash-dump read end in mirror mode, which has no way back but a power-cycle, so they
 * come last, and the crash dump after the upgrade: it can then read the modem through
 * the mirror mode the upgrade left behind.
 */
export const LANE_CHECKS: readonly LaneCheck[] = [identify, modemInfo, push, replRoundTrip, upgrade, crashDump];
