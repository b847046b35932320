import { ModemToolError } from '../core/errors';

/**
 * A long-lived holder of a port (the REPL terminal) that can lend it: `lend()`
 * resolves only once the holder has closed its handle, `takeBack()` tells it the
 * borrower is done.
 */
export interface PortHolder {
  readonly portPath: string;
  lend(): Promise<void>;
  takeBack(state?: HandBackState): void;
}

/** How the borrower leaves the board. */
export interface HandBackState {
  /** The board switched to mirror mode (921600, no REPL) and stays there until power-cycled. */
  isBoardInMirrorMode?: boolean;
}

/**
 * Who holds which port in this window, so a job (an upgrade, a file push) can borrow
 * it from the REPL terminal with no gap in which a third party could grab it, and the
 * terminal gets it back afterwards whether the job succeeded or not.
 */
export class PortLoans {
  private readonly holders = new Set<PortHolder>();
  private readonly busyPaths = new Set<string>();

  /** Registers a holder; returns the unregister function. */
  hold(holder: PortHolder): () => void {
    this.holders.add(holder);
    return () => this.holders.delete(holder);
  }

  isBorrowed(portPath: string): boolean {
    return this.busyPaths.has(portPath);
  }

  /** Runs `job` with every holder of `portPath` having let go of it. */
  async borrow<T>(portPath: string, job: () => Promise<T>, handBack: () => HandBackState = () => ({})): Promise<T> {
    if (this.busyPaths.has(portPath)) {
      throw new PortBusyInWindowError(portPath);
    }
    this.busyPaths.add(portPath);
    const lenders = [...this.holders].filter((holder) => holder.portPath === portPath);
    const lent: PortHolder[] = [];
    try {
      for (const holder of lenders) {
        await holder.lend();
        lent.push(holder);
      }
      return await job();
    } finally {
      this.busyPaths.delete(portPath);
      const state = lent.length ? handBack() : {};
      for (const holder of lent) holder.takeBack(state);
    }
  }
}

/** A second job on a port this window is already using for a job. */
export class PortBusyInWindowError extends ModemToolError {
  readonly code = 'port-busy-in-window';
  constructor(readonly portPath: string) {
    super(
      `${portPath} is already in use by another modem operation in this window.`,
      'Wait for the running operation to finish (or cancel it), then try again.',
    );
  }
}
