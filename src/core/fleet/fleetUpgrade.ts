import { runFullUpgrade, type FullUpgradeRequest } from '../board/fullUpgrade';
import { UpgradeEngine, type UpgradeOutcome } from '../engine/upgradeEngine';
import type { UpgradeEvent } from '../engine/upgradeEvents';
import type { ConfirmWarnings } from '../preflight/preflightGate';
import type { PortOpener } from '../transport/byteTransport';
import { PortOwner, type PortAccess } from '../transport/portOwner';

/**
 * Where one board of the fleet ended: `skipped` means its preflight refused it and nothing
 * changed; `cancelled` that the user stopped it (its run says where the modem stands).
 */
export type FleetResult = 'success' | 'failed' | 'cancelled' | 'skipped';

export interface FleetBoardOutcome {
  portPath: string;
  result: FleetResult;
  /** Why it failed or was skipped, in one line. */
  reason?: string;
  /** Skipped because its checks raised warnings and the fleet had no one to confirm them. */
  isUnconfirmed?: boolean;
  /** The board's model as it named itself ('GPy'), once identified. */
  board?: string;
  imei?: string;
  buildBefore?: number;
  buildAfter?: number;
  startedAtMs: number;
  durationMs: number;
  transcriptPath?: string;
  /** Everything the board's run emitted, for its section of the report. */
  events: UpgradeEvent[];
  outcome: UpgradeOutcome;
}

/** The same request for every board; each board gets its own port, engine and transcript. */
export type FleetBoardRequest = Omit<FullUpgradeRequest, 'port' | 'confirm'>;

export interface FleetRequest {
  portPaths: readonly string[];
  /**
   * How a board's port is reached: by default a PortOwner of its own over `opener`. An
   * editor passes its window's owner, so a REPL terminal on the port gives way to the run.
   */
  portFor?: (portPath: string) => PortAccess | Promise<PortAccess>;
  opener?: PortOpener;
  request: FleetBoardRequest;
  /** What differs per board (its waits follow its own clock: a simulated board's are shorter). */
  requestFor?: (portPath: string) => Partial<FleetBoardRequest>;
  /** One board's cancel switch; by default every board stops with `signal`. */
  signalFor?: (portPath: string) => AbortSignal;
  /** At most this many boards run at once (default: all of them). */
  maxParallel?: number;
  /**
   * Answers a board's preflight warnings. Absent: a board with warnings is skipped as
   * unconfirmed (the CLI says "needs --yes"): with several boards under way, a prompt per
   * board would stall the rest.
   */
  confirm?: (warnings: Parameters<ConfirmWarnings>[0], portPath: string) => Promise<boolean>;
  signal: AbortSignal;
  /** Every event of every board, with the board's port. */
  onEvent?: (portPath: string, event: UpgradeEvent) => void;
  /** A board's run starts (it may have waited for a free slot under maxParallel). */
  onBoardStart?: (portPath: string) => void;
  /** A board's run ended (the renderer draws its last line). */
  onBoardDone?: (outcome: FleetBoardOutcome) => void;
}

export const UNCONFIRMED_REASON = 'its checks raised warnings that need a confirmation';

/**
 * Upgrades several boards at once: each is its own runFullUpgrade on its own PortOwner
 * with its own UpgradeEngine, so one board's failure or refusal never touches another's
 * port or run. Resolves with one outcome per port, in the order given.
 */
export async function runFleetUpgrade(fleet: FleetRequest): Promise<FleetBoardOutcome[]> {
  const outcomes: FleetBoardOutcome[] = new Array(fleet.portPaths.length);
  const limit = Math.max(1, Math.min(fleet.maxParallel ?? fleet.portPaths.length, fleet.portPaths.length));
  let next = 0;
  // A fixed number of workers, each taking the next board when its own ends.
  const worker = async () => {
    while (next < fleet.portPaths.length) {
      const index = next++;
      const outcome = await upgradeOneBoard(fleet.portPaths[index]!, fleet);
      outcomes[index] = outcome;
      fleet.onBoardDone?.(outcome);
    }
  };
  await Promise.all(Array.from({ length: limit }, worker));
  return outcomes;
}

async function upgradeOneBoard(portPath: string, fleet: FleetRequest): Promise<FleetBoardOutcome> {
  const engine = new UpgradeEngine();
  const events: UpgradeEvent[] = [];
  const detach = engine.events.on((event) => {
    events.push(event);
    fleet.onEvent?.(portPath, event);
  });
  let neededYes = false;
  const confirm: ConfirmWarnings = fleet.confirm
    ? (warnings) => fleet.confirm!(warnings, portPath)
    : async () => {
        neededYes = true;
        return false;
      };
  const startedAtMs = Date.now();
  const started = performance.now();
  let outcome: UpgradeOutcome;
  try {
    fleet.onBoardStart?.(portPath);
    const port = await portFor(fleet, portPath);
    const signal = fleet.signalFor?.(portPath) ?? fleet.signal;
    outcome = await runFullUpgrade({ ...fleet.request, ...fleet.requestFor?.(portPath), port, confirm }, { engine, signal });
  } catch (error) {
    // runFullUpgrade reports its failures as outcomes; anything thrown is a bug, but it is this board's alone.
    outcome = { outcome: 'failed', error: { code: 'internal', message: (error as Error).message ?? String(error), action: '' } };
  } finally {
    detach();
  }
  const durationMs = performance.now() - started;
  // A refusal before anything changed (the checks failed, or warnings nobody confirmed) is a skip.
  const isSkipped = outcome.outcome !== 'success' && outcome.error?.code === 'usage';
  const result: FleetResult =
    outcome.outcome === 'success' ? 'success' : isSkipped ? 'skipped' : outcome.outcome === 'cancelled' ? 'cancelled' : 'failed';
  const reason = result === 'success' ? undefined : neededYes ? UNCONFIRMED_REASON : (outcome.error?.message ?? outcome.outcome);
  return {
    portPath,
    result,
    ...(reason ? { reason } : {}),
    ...(result === 'skipped' && neededYes ? { isUnconfirmed: true } : {}),
    ...boardFacts(events, outcome),
    startedAtMs,
    durationMs,
    ...(outcome.transcriptPath ? { transcriptPath: outcome.transcriptPath } : {}),
    events,
    outcome,
  };
}

function portFor(fleet: FleetRequest, portPath: string): PortAccess | Promise<PortAccess> {
  if (fleet.portFor) return fleet.portFor(portPath);
  if (!fleet.opener) throw new Error('a fleet needs portFor or an opener');
  return new PortOwner(fleet.opener, portPath);
}

/** Board model, IMEI and builds as the run's events reported them. */
function boardFacts(events: readonly UpgradeEvent[], outcome: UpgradeOutcome): Pick<FleetBoardOutcome, 'board' | 'imei' | 'buildBefore' | 'buildAfter' | 'transcriptPath'> {
  const facts: Pick<FleetBoardOutcome, 'board' | 'imei' | 'buildBefore' | 'buildAfter' | 'transcriptPath'> = {};
  for (const event of events) {
    if (event.kind === 'step' && event.step === 'board-identify' && event.phase === 'done' && event.detail) {
      // "GPy, firmware 1.20.2.r6, /flash …": the model comes first.
      facts.board = event.detail.split(',')[0]!.trim();
    } else if (event.kind === 'modemInfo') {
      if (event.report.imei) facts.imei = event.report.imei;
      if (event.phase === 'before' && facts.buildBefore === undefined && event.report.softwareBuild !== undefined) facts.buildBefore = event.report.softwareBuild;
      if (event.phase === 'after' && event.report.softwareBuild !== undefined) facts.buildAfter = event.report.softwareBuild;
    } else if (event.kind === 'result' && event.transcriptPath) {
      facts.transcriptPath = event.transcriptPath;
    }
  }
  const imei = facts.imei ?? outcome.before?.imei ?? outcome.after?.imei;
  if (imei) facts.imei = imei;
  if (facts.buildBefore === undefined && outcome.before?.softwareBuild !== undefined) facts.buildBefore = outcome.before.softwareBuild;
  if (facts.buildAfter === undefined && outcome.after?.softwareBuild !== undefined) facts.buildAfter = outcome.after.softwareBuild;
  return facts;
}

/** 0 when every board that ran succeeded; 1 when one failed; 2 when none ran (all skipped). */
export function fleetExitCode(outcomes: readonly FleetBoardOutcome[]): number {
  const ran = outcomes.filter((o) => o.result !== 'skipped');
  if (ran.length === 0) return 2;
  return ran.every((o) => o.result === 'success') ? 0 : 1;
}
