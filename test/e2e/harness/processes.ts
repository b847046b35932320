import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { Deadline } from '../../../src/core/time/deadline';

/** A child the suite started: its output so far, a way to wait for a line of it, its exit. */
export interface TrackedProcess {
  readonly name: string;
  readonly child: ChildProcess;
  /** stdout and stderr interleaved, as received. */
  output(): string;
  /** Resolves with the first match in the output (past or future); rejects on exit or when the deadline passes. */
  waitForOutput(pattern: RegExp, deadline: Deadline): Promise<RegExpMatchArray>;
  readonly exited: Promise<number | null>;
}

/** Keeps at most this much output per process: enough for the lines we wait on and an error report. */
const OUTPUT_KEEP_CHARS = 256 * 1024;

/**
 * Every process the suite starts, each in its own process group, so that `killAll`
 * also ends what it started (code-server's extension host, a shell's children).
 */
export class ProcessGroup {
  private readonly running = new Set<TrackedProcess>();

  spawn(name: string, command: string, args: readonly string[], options: SpawnOptions = {}): TrackedProcess {
    const child = spawn(command, args, { ...options, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const listeners = new Set<() => void>();
    const append = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-OUTPUT_KEEP_CHARS);
      for (const listener of [...listeners]) listener();
    };
    child.stdout?.on('data', append);
    child.stderr?.on('data', append);
    const exited = new Promise<number | null>((resolve) => {
      child.once('exit', (code) => resolve(code));
      child.once('error', (error) => {
        output += `\n[spawn error] ${error.message}\n`;
        resolve(null);
      });
    });
    let hasExited = false;
    void exited.then(() => {
      hasExited = true;
      for (const listener of [...listeners]) listener();
    });
    const tracked: TrackedProcess = {
      name,
      child,
      output: () => output,
      exited,
      waitForOutput(pattern, deadline) {
        return new Promise((resolve, reject) => {
          const tail = () => output.slice(-3000);
          const settle = (done: () => void) => {
            clearTimeout(timer);
            listeners.delete(check);
            done();
          };
          const check = () => {
            const match = output.match(pattern);
            if (match) settle(() => resolve(match));
            else if (hasExited) settle(() => reject(new Error(`${name} exited before printing ${pattern}; output tail:\n${tail()}`)));
          };
          const timer = setTimeout(
            () => settle(() => reject(new Error(`${name}: no ${pattern} within ${deadline.budgetMs} ms (${deadline.label}); output tail:\n${tail()}`))),
            deadline.remainingMs(),
          );
          listeners.add(check);
          check();
        });
      },
    };
    void exited.then(() => this.running.delete(tracked));
    this.running.add(tracked);
    return tracked;
  }

  /**
   * Synchronous last resort for when the test process itself is ending (Ctrl-C, a
   * runner timeout): the children run in their own process groups and would outlive it.
   */
  killAllNow(): void {
    for (const p of this.running) signalGroup(p.child, 'SIGKILL');
  }

  /** Ends every child if this process exits or is interrupted before `killAll` ran. */
  killOnExit(): void {
    process.once('exit', () => this.killAllNow());
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      process.once(signal, () => {
        this.killAllNow();
        process.exit(130);
      });
    }
  }

  /** Processes still running, oldest first. */
  list(): TrackedProcess[] {
    return [...this.running];
  }

  /** SIGTERM to each process group, SIGKILL to whatever is still there when `graceMs` is up. */
  async killAll(graceMs = 5000): Promise<void> {
    const all = [...this.running];
    for (const p of all) signalGroup(p.child, 'SIGTERM');
    const deadline = Deadline.in(graceMs, 'processes to exit');
    await Promise.all(
      all.map(async (p) => {
        const timedOut = await Promise.race([p.exited.then(() => false), delayUntil(deadline).then(() => true)]);
        if (timedOut) signalGroup(p.child, 'SIGKILL');
        // The group may hold children that outlive the leader (code-server's extension host).
        signalGroup(p.child, 'SIGKILL');
      }),
    );
  }
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

function delayUntil(deadline: Deadline): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, deadline.remainingMs()).unref());
}
