import type * as vscode from 'vscode';
import { parseLastAttempt, type LastAttempt } from '../core/engine/lastAttempt';

const KEY = 'pycomModem.lastAttempts';

/**
 * The files of the last upgrade attempt per port, in the workspace state: an upgrade
 * interrupted by a cancel, a pulled cable or a closed window can be continued with the
 * same files (the record written at the start says 'running' when the window closed).
 */
export class LastAttemptStore {
  constructor(private readonly memento: vscode.Memento) {}

  get(portPath: string): LastAttempt | undefined {
    const all = this.memento.get<Record<string, unknown>>(KEY) ?? {};
    return parseLastAttempt(all[portPath]);
  }

  async save(attempt: LastAttempt): Promise<void> {
    const all = { ...(this.memento.get<Record<string, unknown>>(KEY) ?? {}) };
    all[attempt.portPath] = attempt;
    await this.memento.update(KEY, all);
  }
}
