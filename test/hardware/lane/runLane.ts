import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { arch, release, type } from 'node:os';
import { join } from 'node:path';
import { isModemToolError, OperationAbortedError } from '../../../src/core/errors';
import type { PortOpener } from '../../../src/core/transport/byteTransport';
import { LANE_CHECKS, type CheckId, type CheckStatus, type LaneCheck } from './laneChecks';
import type { LaneConfig } from './laneConfig';
import { LaneSession, type LaneFindings } from './laneSession';
import { RawTranscript } from './rawTranscript';
import { renderLaneReport } from './reportWriter';

export interface CheckResult {
  id: CheckId;
  title: string;
  status: CheckStatus;
  summary: string;
  durationMs: number;
}

export interface LaneRun {
  config: LaneConfig;
  results: CheckResult[];
  findings: LaneFindings;
  isCancelled: boolean;
  /** The board was left in mirror mode (crash-dump read or upgrade): it needs a power-cycle. */
  isBoardInMirrorMode: boolean;
  startedAt: Date;
  durationMs: number;
  toolVersion: string;
  platform: string;
  /** The last lines of the raw transcript, for the report. */
  transcriptTail: string[];
}

export type LaneProgress = { phase: 'start'; check: LaneCheck } | { phase: 'done'; result: CheckResult };

export interface RunLaneOptions {
  /** The real serial ports; the lane wraps it to record every byte. */
  opener: PortOpener;
  /** Ctrl-C: the running check stops, the rest are skipped, the port is released and the report written. */
  signal: AbortSignal;
  checks?: readonly LaneCheck[];
  onProgress?: (progress: LaneProgress) => void;
}

/** Lines of the transcript the report repeats; the full file sits beside it. */
export const REPORT_TAIL_LINES = 60;

/** "0.1.0 (git 1a2b3c4)": the package version, and the commit when run from a clone. */
export function toolVersion(): string {
  const root = join(__dirname, '..', '..', '..');
  const { name, version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string; version: string };
  const git = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' });
  const commit = git.status === 0 ? git.stdout.trim() : '';
  return `${name} ${version}${commit ? ` (git ${commit})` : ''}`;
}

function describeError(error: unknown): string {
  if (isModemToolError(error)) return `${error.message}${error.action ? ` ${error.action}` : ''}`;
  return error instanceof Error ? error.message : String(error);
}

/**
 * Runs the checks in order against the board on `config.portPath`, then writes the
 * Markdown report and leaves the raw transcript beside it. The port is released and the
 * report written on every path: a failed check, Ctrl-C, or a bug in a check.
 */
export async function runLane(config: LaneConfig, options: RunLaneOptions): Promise<LaneRun> {
  const startedAt = new Date();
  const startedMs = performance.now();
  const transcript = new RawTranscript(config.transcriptPath);
  const lane = new LaneSession(config, transcript.recording(options.opener), transcript, options.signal);
  const results: CheckResult[] = [];
  const run: LaneRun = {
    config,
    results,
    findings: lane.findings,
    isCancelled: false,
    isBoardInMirrorMode: false,
    startedAt,
    durationMs: 0,
    toolVersion: toolVersion(),
    platform: `${type()} ${release()} ${arch()}, Node ${process.version}`,
    transcriptTail: [],
  };
  transcript.note(`${run.toolVersion} on ${run.platform}; port ${config.portPath}`);
  try {
    for (const check of options.checks ?? LANE_CHECKS) {
      const checkStartedMs = performance.now();
      let outcome: { status: CheckStatus; summary: string };
      if (options.signal.aborted) {
        outcome = { status: 'skip', summary: 'cancelled (Ctrl-C) before it ran' };
      } else {
        options.onProgress?.({ phase: 'start', check });
        transcript.note(`check ${check.id}: start`);
        try {
          outcome = await check.run(lane);
        } catch (error) {
          const isCancel = error instanceof OperationAbortedError || options.signal.aborted;
          // The engine's cancel advice speaks of upgrades; here the lane says what happened.
          outcome = { status: 'fail', summary: isCancel ? 'cancelled (Ctrl-C) while running' : describeError(error) };
        }
      }
      const result: CheckResult = { id: check.id, title: check.title, ...outcome, durationMs: performance.now() - checkStartedMs };
      results.push(result);
      transcript.note(`check ${check.id}: ${result.status} — ${result.summary}`);
      options.onProgress?.({ phase: 'done', result });
    }
  } finally {
    await lane.releasePort();
    run.isCancelled = options.signal.aborted;
    run.isBoardInMirrorMode = lane.isBoardInMirrorMode;
    run.durationMs = performance.now() - startedMs;
    transcript.note(`lane ${run.isCancelled ? 'cancelled' : 'finished'}; port released`);
    run.transcriptTail = transcript.lastLines(REPORT_TAIL_LINES);
    transcript.close();
    writeFileSync(config.reportPath, renderLaneReport(run));
  }
  return run;
}
