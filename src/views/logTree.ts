import * as vscode from 'vscode';
import type { UpgradeEvent } from '../core/engine/upgradeEvents';
import { describeEvent } from './eventText';
import { groupByStep, type SessionLog, type StepGroup, type RunRecord } from './sessionLog';

export const LOG_VIEW_ID = 'pycomModem.log';
/** Re-reads the past sessions from the transcripts (src/commands/pastSessionsCommands.ts). */
export const REFRESH_SESSIONS_COMMAND = 'pycomModem.refreshSessions';

export type LogNode =
  | { kind: 'session'; session: RunRecord }
  | { kind: 'step'; session: RunRecord; group: StepGroup }
  | { kind: 'event'; session: RunRecord; event: UpgradeEvent };

/** A step can hold thousands of progress events; the tree shows the latest ones. */
const MAX_EVENTS_PER_STEP = 500;
/** Progress arrives per block: refresh the tree at most this often. */
const REFRESH_INTERVAL_MS = 300;

const PHASE_ICONS: Record<string, string> = {
  start: 'loading~spin',
  waiting: 'watch',
  done: 'pass',
  fail: 'error',
  skip: 'debug-step-over',
};
const OUTCOME_ICONS: Record<string, string> = { success: 'pass-filled', failed: 'error', cancelled: 'circle-slash' };

/** The log view: sessions → steps → what happened in each step (AT exchanges, events). */
export class LogTreeProvider implements vscode.TreeDataProvider<LogNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<LogNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly unsubscribe: () => void;
  private hasAskedForPast = false;

  constructor(private readonly sessions: SessionLog) {
    const stopLive = sessions.changes.on(() => this.scheduleRefresh());
    const stopPast = sessions.pastChanged.on(() => this.scheduleRefresh());
    this.unsubscribe = () => {
      stopLive();
      stopPast();
    };
  }

  private scheduleRefresh(): void {
    if (this.refreshTimer) return;
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = undefined;
      this.changed.fire(undefined);
    }, REFRESH_INTERVAL_MS);
  }

  getChildren(node?: LogNode): LogNode[] {
    if (!node) {
      // Sessions of earlier windows come from the transcripts on disk; the folder is the
      // services' (settings, global storage), which the refresh command reads. Asked once,
      // when the view is first drawn, so activation stays free of file system work.
      if (!this.hasAskedForPast) {
        this.hasAskedForPast = true;
        void vscode.commands.executeCommand(REFRESH_SESSIONS_COMMAND);
      }
      const live = [...this.sessions.sessions].reverse();
      return [...live, ...this.sessions.past].map((session) => ({ kind: 'session', session }));
    }
    if (node.kind === 'session') {
      // Why it failed and what to do come first, above the steps (a user looks for that first).
      const diagnoses = node.session.events
        .filter((event) => event.kind === 'diagnosis')
        .map((event): LogNode => ({ kind: 'event', session: node.session, event }));
      return [...diagnoses, ...groupByStep(node.session.events).map((group): LogNode => ({ kind: 'step', session: node.session, group }))];
    }
    if (node.kind === 'step') {
      return node.group.events
        .filter((event) => event.kind !== 'step' && event.kind !== 'diagnosis')
        .slice(-MAX_EVENTS_PER_STEP)
        .map((event) => ({ kind: 'event', session: node.session, event }));
    }
    return [];
  }

  getTreeItem(node: LogNode): vscode.TreeItem {
    switch (node.kind) {
      case 'session': {
        const s = node.session;
        const item = new vscode.TreeItem(s.title, vscode.TreeItemCollapsibleState.Collapsed);
        item.id = s.id;
        const started = new Date(s.startedAtEpochMs);
        // A past session may be days old: its date matters; today's sessions show the time only.
        const when = s.isPast ? `${started.toLocaleDateString()} ${started.toLocaleTimeString()}` : started.toLocaleTimeString();
        item.description = [s.portPath, when, s.isPast ? pastNote(s) : undefined].filter(Boolean).join(' · ');
        item.iconPath = new vscode.ThemeIcon(s.outcome ? OUTCOME_ICONS[s.outcome]! : s.isPast ? 'debug-disconnect' : 'sync~spin');
        item.contextValue = s.transcriptPath ? 'session.withTranscript' : 'session';
        item.tooltip = sessionTooltip(s);
        return item;
      }
      case 'step': {
        const g = node.group;
        const item = new vscode.TreeItem(
          g.title,
          g.events.length > 1 ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None,
        );
        item.id = `${node.session.id}/${g.step}`;
        item.description = g.phase;
        item.iconPath = new vscode.ThemeIcon(g.phase ? (PHASE_ICONS[g.phase] ?? 'circle-outline') : 'list-unordered');
        item.contextValue = 'step';
        return item;
      }
      case 'event': {
        const e = node.event;
        if (e.kind === 'diagnosis') {
          const item = new vscode.TreeItem(vscode.l10n.t('Diagnosis: {0}', e.diagnosis.title), vscode.TreeItemCollapsibleState.None);
          item.description = e.diagnosis.action;
          item.tooltip = [
            e.diagnosis.title,
            '',
            vscode.l10n.t('What to do: {0}', e.diagnosis.action),
            '',
            ...e.diagnosis.evidence.map((fact) => `• ${fact}`),
            '',
            vscode.l10n.t('Rule: {0}', e.diagnosis.cause),
          ].join('\n');
          item.iconPath = new vscode.ThemeIcon(eventIcon(e));
          item.contextValue = 'event.diagnosis';
          return item;
        }
        const text = describeEvent(e);
        const item = new vscode.TreeItem(text, vscode.TreeItemCollapsibleState.None);
        item.tooltip = text;
        item.iconPath = new vscode.ThemeIcon(eventIcon(e));
        item.contextValue = `event.${e.kind}`;
        return item;
      }
    }
  }

  dispose(): void {
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.unsubscribe();
    this.changed.dispose();
  }
}

/** A past session's line says how it ended and, for a failure, the diagnosis's title. */
function pastNote(session: RunRecord): string {
  if (!session.outcome) return vscode.l10n.t('did not finish');
  const diagnosis = session.events.find((e): e is Extract<UpgradeEvent, { kind: 'diagnosis' }> => e.kind === 'diagnosis');
  return diagnosis ? `${session.outcome}: ${diagnosis.diagnosis.title}` : session.outcome;
}

function sessionTooltip(session: RunRecord): string {
  if (!session.isPast) return session.outcome ? vscode.l10n.t('Outcome: {0}', session.outcome) : vscode.l10n.t('Running');
  const result = session.events.find((e): e is Extract<UpgradeEvent, { kind: 'result' }> => e.kind === 'result');
  return [
    result ? vscode.l10n.t('Outcome: {0}: {1}', result.outcome, result.message) : vscode.l10n.t('Did not finish: the window or the tool was closed while it ran.'),
    ...session.events.filter((e): e is Extract<UpgradeEvent, { kind: 'diagnosis' }> => e.kind === 'diagnosis').map((e) => `${e.diagnosis.title} — ${e.diagnosis.action}`),
    vscode.l10n.t('From an earlier window: {0}', session.transcriptPath ?? ''),
  ].join('\n');
}

function eventIcon(event: UpgradeEvent): string {
  switch (event.kind) {
    case 'at':
      return event.final === 'OK' ? 'arrow-swap' : 'warning';
    case 'log':
      return event.level === 'error' ? 'error' : event.level === 'warn' ? 'warning' : 'info';
    case 'progress':
      return 'cloud-upload';
    case 'crashDump':
      return 'bug';
    case 'diagnosis':
      return 'lightbulb';
    case 'preflight':
      return event.isReady ? 'checklist' : 'error';
    case 'result':
      return OUTCOME_ICONS[event.outcome] ?? 'info';
    case 'boardOutput':
      return 'terminal';
    default:
      return 'circle-small';
  }
}
