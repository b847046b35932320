import type * as vscode from 'vscode';
import type { LastAttempt } from '../core/engine/lastAttempt';
import type { SessionRules } from './modemCore';

const KEY = 'pycomModem.lastAttempts';

/**
 * The files of the last upgrade attempt per port, in the workspace state: an upgrade
 * interrupted by a cancel, a pulled cable or a closed window can be continued with the
 * same files (the record written at the start says 'running' when the window closed).
 */
export class LastAttemptStore {
  /** `loadRules` is the lazy core: checking a stored record is a core rule, and the store exists from activation on. */
  constructor(
    private readonly memento: vscode.Memento,
    private readonly loadRules: () => Promise<Pick<SessionRules, 'parseLastAttempt'>>,
  ) {}

  async get(portPath: string): Promise<LastAttempt | undefined> {
    const stored = (this.memento.get<Record<string, unknown>>(KEY) ?? {})[portPath];
    if (stored === undefined) return undefined;
    return (await this.loadRules()).parseLastAttempt(stored);
  }

  async save(attempt: LastAttempt): Promise<void> {
    const all = { ...(this.memento.get<Record<string, unknown>>(KEY) ?? {}) };
    all[attempt.portPath] = attempt;
    await this.memento.update(KEY, all);
  }
}
