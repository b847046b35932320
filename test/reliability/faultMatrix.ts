// The fault matrix as data: every point of every host path where the simulated modem
// can be struck, times every fault it can act out, each row with the outcome it must
// end in. The test runs the rows; matrixTable.ts prints them.
import type { StepId, UpgradePath } from '../../src/core/engine/upgradeEvents';
import type { UpgradeTimeouts } from '../../src/core/engine/upgradeTimeouts';
import type { FaultStrike, StrikePoint } from '../../src/sim/modem/modemFaults';
import { STP_DEFAULT_MAX_ATTEMPTS } from '../../src/core/stp/stpSession';

export type MatrixFault =
  | 'silence'
  | 'crash'
  | 'dropped bytes'
  | 'corrupted bytes'
  | 'bad CRC'
  | 'residue'
  | 'unplug'
  | 'slow, inside'
  | 'slow, outside'
  | 'wrong baud';

export const MATRIX_FAULTS: readonly MatrixFault[] = [
  'silence',
  'crash',
  'dropped bytes',
  'corrupted bytes',
  'bad CRC',
  'residue',
  'unplug',
  'slow, inside',
  'slow, outside',
  'wrong baud',
];

/**
 * How the host treats the exchange at a point, which decides what a fault there does:
 * a wake-up probe or a poll is asked again; a plain command is asked once; an STP
 * request is resent with the same tid up to STP_DEFAULT_MAX_ATTEMPTS times.
 */
export type PointKind = 'probe' | 'poll' | 'command' | 'stp';

export interface MatrixPoint {
  step: StepId;
  /** Where it strikes, in words: `AT+SMSWBOOT=3,1`, `STP block 3`, `first AT after AT+SMUPGRADE`. */
  label: string;
  kind: PointKind;
  strike: StrikePoint;
  /** STP TRANSFER_BLOCK (the only request a residue applies to). */
  isBlock?: boolean;
}

export type Expectation =
  | { outcome: 'success'; why: string }
  | { outcome: 'failed'; step: StepId; why: string };

export interface MatrixRow {
  id: string;
  path: UpgradePath;
  point: MatrixPoint;
  fault: MatrixFault;
  strike: FaultStrike;
  expect: Expectation;
  /** In the default (CI) subset; the rest run with RELIABILITY_FULL=1. */
  isInSubset: boolean;
  /** A known defect outside this suite's files: the row runs as a todo and says why. */
  todo?: string;
}

const cmd = (step: StepId, command: string, kind: PointKind = 'command', extra: { occurrence?: number; after?: string } = {}): MatrixPoint => ({
  step,
  label:
    (extra.after ? `${extra.occurrence && extra.occurrence > 1 ? `${ordinal(extra.occurrence)} ` : 'first '}${command} after ${extra.after}` : command) +
    (!extra.after && extra.occurrence && extra.occurrence > 1 ? ` (${ordinal(extra.occurrence)})` : ''),
  kind,
  strike: { at: 'command', command, ...extra },
});

const stp = (step: StepId, request: 'reset' | 'open' | 'block-cmd' | 'block' | 'close', options: { block?: number; session?: number } = {}): MatrixPoint => ({
  step,
  label:
    `STP ${request === 'block-cmd' ? 'block command' : request}${options.block ? ` ${options.block}` : ''}` +
    (options.session ? ` (session ${options.session})` : ''),
  kind: 'stp',
  strike: { at: 'stp', request, ...options },
  ...(request === 'block' ? { isBlock: true } : {}),
});

function ordinal(n: number): string {
  return n === 2 ? '2nd' : n === 3 ? '3rd' : `${n}th`;
}

/** detect + prepare, the same code on every path that starts in the application. */
const DETECT_APP: MatrixPoint[] = [
  cmd('detect', 'AT', 'probe'),
  cmd('detect', 'AT+SMOD?'),
  cmd('detect', 'AT+CGSN'),
  cmd('detect', 'ATI1'),
  cmd('detect', 'AT!="showver"'),
];

const PREPARE: MatrixPoint[] = [
  cmd('prepare', 'AT+BIND=AT'),
  cmd('prepare', 'ATE0'),
  cmd('prepare', 'AT+SMLOG?'),
  cmd('prepare', 'AT+SMOD?', 'command', { occurrence: 2 }),
  cmd('prepare', 'AT+SQNSUPGRADENTF="started"'),
  cmd('prepare', 'AT', 'probe', { after: 'AT+SQNSUPGRADENTF="started"' }),
  cmd('prepare', 'AT+SQNWL="sqndcc",2'),
  cmd('prepare', 'AT+CFUN=4'),
];

const REPORT: MatrixPoint[] = [
  cmd('report', 'AT+CGSN', 'command', { after: 'AT+SQNSUPGRADENTF="success"' }),
  cmd('report', 'ATI1', 'command', { after: 'AT+SQNSUPGRADENTF="success"' }),
  cmd('report', 'AT!="showver"', 'command', { after: 'AT+SQNSUPGRADENTF="success"' }),
];

/** The FFF path (a diff, staged then applied); carries the shared detect/prepare/report points. */
const FFF_POINTS: MatrixPoint[] = [
  ...DETECT_APP,
  ...PREPARE,
  cmd('transfer', 'AT+SMSTPU'),
  stp('transfer', 'reset'),
  stp('transfer', 'open'),
  stp('transfer', 'block-cmd', { block: 2 }),
  stp('transfer', 'block', { block: 1 }),
  stp('transfer', 'block', { block: 5 }),
  stp('transfer', 'close'),
  cmd('apply', 'AT+SMUPGRADE'),
  cmd('await-upgrade', 'AT', 'probe', { after: 'AT+SMUPGRADE' }),
  cmd('await-upgrade', 'AT+SMUPGRADE?', 'poll'),
  cmd('boot-check', 'AT+SMSWBOOT?', 'poll'),
  cmd('boot-check', 'AT+SQNSUPGRADENTF="success"'),
  ...REPORT,
];

/** What every path shares after an ON_THE_FLY transfer. */
const AFTER_ON_THE_FLY: MatrixPoint[] = [
  cmd('await-upgrade', 'AT', 'probe', { after: 'AT+SMSTPU="ON_THE_FLY"' }),
  cmd('await-upgrade', 'AT+SMUPGRADE?', 'poll'),
  cmd('boot-check', 'AT+SMSWBOOT?', 'poll'),
  cmd('boot-app', 'AT+SMSWBOOT=1,1'),
  cmd('boot-app', 'AT', 'probe', { after: 'AT+SMSWBOOT=1,1' }),
  cmd('boot-app', 'AT+SQNSUPGRADENTF="success"'),
];

const OTF_TRANSFER = (session?: number): MatrixPoint[] => [
  cmd('transfer', 'AT+SMSTPU="ON_THE_FLY"'),
  stp('transfer', 'open', session ? { session } : {}),
  stp('transfer', 'block', { block: 3, ...(session ? { session } : {}) }),
  stp('transfer', 'block', { block: 1500, ...(session ? { session } : {}) }),
  stp('transfer', 'close', session ? { session } : {}),
];

const ON_THE_FLY_POINTS: MatrixPoint[] = [
  cmd('recovery-boot', 'AT+SMSWBOOT=3,1'),
  cmd('recovery-boot', 'AT', 'probe', { after: 'AT+SMSWBOOT=3,1' }),
  cmd('recovery-boot', 'AT+CFUN=4', 'command', { after: 'AT+SMSWBOOT=3,1' }),
  cmd('recovery-boot', 'AT+SMLOG?', 'command', { after: 'AT+SMSWBOOT=3,1' }),
  ...OTF_TRANSFER(),
  ...AFTER_ON_THE_FLY,
];

const RECOVERY_POINTS: MatrixPoint[] = [
  cmd('detect', 'AT+SMOD?'),
  cmd('load-updater', 'AT+STP'),
  stp('load-updater', 'open', { session: 1 }),
  stp('load-updater', 'block', { block: 2, session: 1 }),
  stp('load-updater', 'close', { session: 1 }),
  cmd('load-updater', 'AT', 'probe', { after: 'AT+STP' }),
  cmd('transfer', 'AT+SMOD?', 'command', { occurrence: 2 }),
  ...OTF_TRANSFER(2),
  ...AFTER_ON_THE_FLY,
];

const RESUME_POINTS: MatrixPoint[] = [
  cmd('detect', 'AT+SMOD?'),
  cmd('transfer', 'AT+SMOD?', 'command', { occurrence: 2 }),
  ...OTF_TRANSFER(),
  cmd('await-upgrade', 'AT+SMUPGRADE?', 'poll'),
  cmd('boot-app', 'AT+SMSWBOOT=1,1'),
];

export const PATH_POINTS: Record<UpgradePath, MatrixPoint[]> = {
  fff: FFF_POINTS,
  'on-the-fly': ON_THE_FLY_POINTS,
  recovery: RECOVERY_POINTS,
  resume: RESUME_POINTS,
};

/** STP: one request's whole budget is its deadline times the sends the host allows. */
export function pointDeadlineMs(point: MatrixPoint, timeouts: UpgradeTimeouts): number {
  switch (point.kind) {
    case 'probe':
      return timeouts.wakeAttemptMs;
    case 'stp':
      return timeouts.stpRequestMs * STP_DEFAULT_MAX_ATTEMPTS;
    default:
      return timeouts.atReplyMs;
  }
}

/** "At the edge": this far inside or outside the deadline (at most half of it). */
export function edgeMarginMs(deadlineMs: number): number {
  return Math.min(200, deadlineMs / 2);
}

function faultsFor(point: MatrixPoint): MatrixFault[] {
  return MATRIX_FAULTS.filter((fault) => {
    if (fault === 'residue') return point.isBlock === true;
    if (fault === 'bad CRC') return point.kind === 'stp';
    if (fault === 'corrupted bytes' || fault === 'wrong baud') return point.kind !== 'stp';
    return true;
  });
}

function strikeFor(point: MatrixPoint, fault: MatrixFault, timeouts: UpgradeTimeouts): FaultStrike {
  const deadlineMs = pointDeadlineMs(point, timeouts);
  const margin = edgeMarginMs(deadlineMs);
  switch (fault) {
    case 'silence':
      return { point: point.strike, effect: 'silent' };
    case 'crash':
      return { point: point.strike, effect: 'crash' };
    case 'dropped bytes':
      return { point: point.strike, effect: 'drop' };
    case 'corrupted bytes':
      return { point: point.strike, effect: 'garble' };
    case 'bad CRC':
      return { point: point.strike, effect: 'corrupt-crc' };
    case 'residue':
      return { point: point.strike, effect: 'residue' };
    case 'unplug':
      return { point: point.strike, effect: 'unplug' };
    case 'slow, inside':
      return { point: point.strike, effect: 'delay', delayMs: deadlineMs - margin };
    case 'slow, outside':
      return { point: point.strike, effect: 'delay', delayMs: deadlineMs + margin };
    case 'wrong baud':
      return { point: point.strike, effect: 'baud' };
  }
}

/**
 * The outcome the protocol allows. Faults the protocol recovers from end in success
 * (STP resends, wake-up probes and polls are asked again); anything else must fail in
 * the step it struck, with an action, leaving a state a re-run can continue from.
 */
export function expectationFor(point: MatrixPoint, fault: MatrixFault): Expectation {
  const fail = (why: string): Expectation => ({ outcome: 'failed', step: point.step, why });
  const ok = (why: string): Expectation => ({ outcome: 'success', why });
  switch (fault) {
    case 'silence':
      return fail('the modem stays silent: the step fails at its deadline');
    case 'unplug':
      return fail('the port vanishes: port-closed in the step');
    case 'slow, inside':
      return ok('the reply arrives inside the deadline');
    case 'residue':
    case 'bad CRC':
      return ok('STP resends what was not taken / not understood');
    case 'slow, outside':
      if (point.kind === 'probe' || point.kind === 'poll') return ok('a late answer is only one probe/poll: the next one is answered');
      if (point.strike.at === 'stp' && point.strike.request === 'close') return ok('the late reply to the closing RESET, or the modem answering AT after it, shows it left STP');
      return fail('the reply comes after the deadline');
    case 'dropped bytes':
    case 'corrupted bytes':
    case 'crash':
      if (point.kind === 'probe' || point.kind === 'poll') return ok('the probe/poll is asked again until the modem answers');
      if (point.kind === 'stp' && fault === 'dropped bytes') return ok('STP resends the request with the same tid');
      return fail('a command asked once gets no usable answer');
    case 'wrong baud':
      if (point.step === 'detect' && point.kind === 'probe') return ok('detection tries 921600 then 115200');
      return fail('the modem changed speed under a running session: garbage until a power cycle');
  }
}

/** The default subset: one row per fault on the cheap path, plus each path's own risky points. */
const SUBSET: ReadonlySet<string> = new Set([
  'fff/detect/AT/wrong baud',
  'fff/detect/AT+SMOD?/crash',
  'fff/prepare/ATE0/slow, outside',
  'fff/prepare/AT+SQNWL="sqndcc",2/slow, inside',
  'fff/prepare/AT+CFUN=4/corrupted bytes',
  'fff/prepare/AT+BIND=AT/wrong baud',
  'fff/transfer/AT+SMSTPU/crash',
  'fff/transfer/STP open/dropped bytes',
  'fff/transfer/STP block 5/residue',
  'fff/transfer/STP block 1/bad CRC',
  'fff/transfer/STP block 5/unplug',
  'fff/transfer/STP block 5/crash',
  'fff/transfer/STP block 5/slow, inside',
  'fff/transfer/STP block 5/slow, outside',
  'fff/transfer/STP close/silence',
  'fff/apply/AT+SMUPGRADE/dropped bytes',
  'fff/await-upgrade/AT+SMUPGRADE?/crash',
  'fff/boot-check/AT+SMSWBOOT?/slow, outside',
  'fff/boot-check/AT+SQNSUPGRADENTF="success"/silence',
  'fff/report/first AT!="showver" after AT+SQNSUPGRADENTF="success"/unplug',
  'on-the-fly/recovery-boot/AT+SMSWBOOT=3,1/silence',
  'on-the-fly/boot-app/AT+SMSWBOOT=1,1/slow, outside',
  'recovery/load-updater/STP block 2 (session 1)/unplug',
  'resume/transfer/STP close/dropped bytes',
]);

export function rowId(path: UpgradePath, point: MatrixPoint, fault: MatrixFault): string {
  return `${path}/${point.step}/${point.label}/${fault}`;
}

/**
 * Defects found by this matrix in files this suite does not own. Each row stays in the
 * matrix with the outcome the protocol allows and runs as a todo until it is fixed.
 */
export const KNOWN_DEFECTS: readonly { matches: (path: UpgradePath, point: MatrixPoint, fault: MatrixFault) => boolean; todo: string }[] = [];

export function buildMatrix(timeouts: UpgradeTimeouts): MatrixRow[] {
  const rows: MatrixRow[] = [];
  for (const [path, points] of Object.entries(PATH_POINTS) as [UpgradePath, MatrixPoint[]][]) {
    for (const point of points) {
      for (const fault of faultsFor(point)) {
        const id = rowId(path, point, fault);
        const defect = KNOWN_DEFECTS.find((d) => d.matches(path, point, fault));
        rows.push({
          id,
          path,
          point,
          fault,
          strike: strikeFor(point, fault, timeouts),
          expect: expectationFor(point, fault),
          isInSubset: SUBSET.has(id),
          ...(defect ? { todo: defect.todo } : {}),
        });
      }
    }
  }
  return rows;
}
