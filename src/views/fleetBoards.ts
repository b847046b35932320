import type { UpgradeEvent } from '../core/engine/upgradeEvents';
import { TypedEmitter } from '../core/events/typedEmitter';
import type { PanelFleetRow, PanelFleetStatus } from '../shared/panelMessages';
import { formatWaitText } from '../shared/waitText';

/** How a board's run ended, as the fleet run reports it. */
export interface FleetBoardEnd {
  portPath: string;
  result: Extract<PanelFleetStatus, 'success' | 'failed' | 'cancelled' | 'skipped'>;
  reason?: string;
  buildBefore?: number;
  buildAfter?: number;
}

/**
 * The boards of a several-board upgrade as the panel shows them: a row per board, moved
 * on by that board's events. `changes` fires only when a row's text changed, so a
 * transfer's hundreds of progress events become at most a hundred panel updates per file.
 */
export class FleetBoards {
  readonly changes = new TypedEmitter<void>();
  private readonly rows = new Map<string, PanelFleetRow>();

  constructor(
    readonly title: string,
    portPaths: readonly string[],
  ) {
    for (const portPath of portPaths) this.rows.set(portPath, { portPath, status: 'queued' });
  }

  get snapshot(): PanelFleetRow[] {
    return [...this.rows.values()].map((row) => ({ ...row }));
  }

  has(portPath: string): boolean {
    return this.rows.has(portPath);
  }

  row(portPath: string): PanelFleetRow | undefined {
    const row = this.rows.get(portPath);
    return row ? { ...row } : undefined;
  }

  get isUnderWay(): boolean {
    return [...this.rows.values()].some((row) => row.status === 'queued' || row.status === 'running');
  }

  /** Changes a row; fires `changes` when anything in it differs. */
  update(portPath: string, patch: Partial<Omit<PanelFleetRow, 'portPath'>>): void {
    const row = this.rows.get(portPath);
    if (!row) return;
    const next: PanelFleetRow = { ...row, ...patch };
    for (const key of Object.keys(next) as (keyof PanelFleetRow)[]) if (next[key] === undefined) delete next[key];
    if (JSON.stringify(next) === JSON.stringify(row)) return;
    this.rows.set(portPath, next);
    this.changes.emit();
  }

  /** One event of the board's run. */
  apply(portPath: string, event: UpgradeEvent): void {
    const row = this.rows.get(portPath);
    if (!row || isEnded(row.status)) return;
    switch (event.kind) {
      case 'step': {
        const isWait = event.phase === 'waiting' && event.wait;
        this.update(portPath, {
          status: 'running',
          step: event.title,
          // A wait says how long, what is normal and whether stopping is safe; it ends with its step.
          detail: isWait ? formatWaitText(event.wait!) : undefined,
          isUnsafeToInterrupt: isWait && !event.wait!.isSafeToInterrupt ? true : undefined,
          ...(event.step === 'board-identify' && event.phase === 'done' && event.detail ? { board: event.detail.split(',')[0]!.trim() } : {}),
        });
        return;
      }
      case 'progress':
        this.update(portPath, {
          status: 'running',
          percent: event.bytesTotal > 0 ? Math.min(100, Math.floor((event.bytesDone / event.bytesTotal) * 100)) : 100,
        });
        return;
      case 'result':
        this.update(portPath, {
          status: event.outcome,
          detail: event.outcome === 'success' ? undefined : event.message,
          isUnsafeToInterrupt: undefined,
        });
        return;
      default:
        return;
    }
  }

  /** The fleet run's verdict on a board: a refusal before anything changed is a skip. */
  finish(end: FleetBoardEnd): void {
    const builds =
      end.buildBefore !== undefined || end.buildAfter !== undefined ? `${end.buildBefore ?? '?'} → ${end.buildAfter ?? '?'}` : undefined;
    this.update(end.portPath, {
      status: end.result,
      detail: end.result === 'success' ? builds : end.reason,
      isUnsafeToInterrupt: undefined,
    });
  }
}

function isEnded(status: PanelFleetStatus): boolean {
  return status !== 'queued' && status !== 'running';
}
