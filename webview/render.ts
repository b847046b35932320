import type { PanelModemInfo } from '../src/shared/panelMessages';
import { formatBytes, formatDuration, formatHexDump, formatPercent, formatRate } from './format';
import { formatWaitDuration } from '../src/shared/waitText';
import { isRunning, type PanelState, type StepView } from './panelState';
import { rateChart } from './rateChart';
import { badge } from './ui/badge';
import { button } from './ui/button';
import { dataGrid } from './ui/dataGrid';
import { el, type Child, type PanelDocument } from './ui/dom';
import { progressRing } from './ui/progressRing';
import { keyed } from './ui/keyed';
import { fleetCard, type FleetViewActions } from './fleetCard';

/** What the page's buttons do: post a message, or change page-local state. */
export interface PanelViewActions extends FleetViewActions {
  cancel(): void;
  copyReport(): void;
  openTranscript(): void;
  toggleHex(): void;
}

const PATH_WORDS: Record<string, string> = {
  'on-the-fly': 'ON_THE_FLY (full image streamed)',
  fff: 'FFF (staged, then applied)',
  recovery: 'Recovery (updater.elf first)',
  resume: 'Resume an interrupted upgrade',
};

const STEP_MARKS: Record<string, string> = { done: '✓', fail: '✗', skip: '↷', waiting: '…', start: '•' };
/** What a step's mark means, for screen readers (the mark itself is a symbol). */
const STEP_WORDS: Record<string, string> = { done: 'done', fail: 'failed', skip: 'skipped', waiting: 'waiting', start: 'started', pending: 'not started' };

/**
 * The whole panel from its state, as new DOM; main.ts patches the live page to match it
 * (patchDom.ts), so what did not change keeps its focus and selection. Every text from
 * the host or the device goes through text nodes (see ui/dom.ts).
 */
export function renderPanel(state: PanelState, doc: PanelDocument, actions: PanelViewActions): HTMLElement {
  if (!state.fleet) return sessionView(state, doc, actions);
  // Several boards: their table first, then the session of the board shown.
  return el(
    doc,
    'div',
    { className: 'fleet-layout' },
    fleetCard(doc, state.fleet, state.session?.id, actions),
    state.session
      ? // Cancel under a board's steps stops that board only; keyed by port, so a kept button never cancels another board.
        sessionView(state, doc, { ...actions, cancel: () => actions.cancelBoard(state.session!.portPath) }, `cancel-shown-${state.session.portPath}`)
      : el(doc, 'p', { className: 'empty' }, 'Choose “Details” on a board to see its steps here.'),
  );
}

function sessionView(state: PanelState, doc: PanelDocument, actions: PanelViewActions, cancelKey = 'cancel'): HTMLElement {
  if (!state.session && !state.hasHostAnswered) {
    // A freshly opened page waits for the host's replay (a few ms) rather than saying "no session".
    return el(doc, 'section', { className: 'empty-state' }, el(doc, 'h1', {}, 'Modem upgrade'));
  }
  if (!state.session) {
    return el(
      doc,
      'section',
      { className: 'empty-state' },
      el(doc, 'h1', {}, 'Modem upgrade'),
      el(doc, 'p', { className: 'empty' }, 'No modem session in this window yet. Run “Pycom: Upgrade Modem”, or “Pycom: Try Upgrade on Simulated GPy” to see it work without a board.'),
    );
  }
  const running = isRunning(state);
  return el(
    doc,
    'section',
    {},
    el(doc, 'h1', {}, state.session.title),
    el(
      doc,
      'p',
      { className: 'subtitle' },
      `${state.session.portPath} · started ${new Date(state.session.startedAtMs).toLocaleTimeString()}`,
      state.plan ? ` · ${PATH_WORDS[state.plan.path] ?? state.plan.path}` : undefined,
      state.plan?.estimatedMs ? ` · about ${formatDuration(state.plan.estimatedMs)}` : undefined,
    ),
    el(
      doc,
      'div',
      { className: 'toolbar' },
      running && keyed(button(doc, 'Cancel', actions.cancel, { appearance: 'secondary', title: 'Stop the upgrade safely' }), cancelKey),
      keyed(button(doc, 'Copy Diagnostic Report', actions.copyReport), 'copy-report'),
      state.result?.transcriptPath && keyed(button(doc, 'Open Transcript', actions.openTranscript), 'open-transcript'),
    ),
    state.result && resultCard(doc, state),
    running && waitCard(doc, state.steps),
    findings(doc, state, actions),
    el(
      doc,
      'div',
      { className: 'layout' },
      el(doc, 'div', { className: 'column' }, stepsCard(doc, state.steps, running)),
      el(
        doc,
        'div',
        { className: 'column' },
        state.transfer && transferCard(doc, state),
        (state.before || state.after) && versionsCard(doc, state.before, state.after),
        state.preflight && preflightCard(doc, state.preflight),
        state.logs.length > 0 && logCard(doc, state),
      ),
    ),
  );
}

/**
 * What explains a failure (the diagnoses, the modem's crash dump) spans the panel's
 * width under the result: read first, and never stacked in one column beside a short
 * list of steps. Undefined when there is nothing to explain.
 */
function findings(doc: PanelDocument, state: PanelState, actions: PanelViewActions): HTMLElement | undefined {
  if (state.diagnoses.length === 0 && !state.crashDump) return undefined;
  return el(
    doc,
    'div',
    { className: 'findings' },
    ...state.diagnoses.map((d) =>
      el(
        doc,
        'div',
        { className: 'card diagnosis' },
        el(doc, 'h2', {}, 'Diagnosis: ', d.title),
        el(doc, 'p', { className: 'action' }, d.action),
        d.evidence.length > 0 && el(doc, 'ul', { className: 'evidence' }, ...d.evidence.map((fact) => el(doc, 'li', {}, fact))),
      ),
    ),
    state.crashDump && crashDumpCard(doc, state, actions),
  );
}

function resultCard(doc: PanelDocument, state: PanelState): HTMLElement {
  const result = state.result!;
  const heading = result.outcome === 'success' ? 'Upgrade finished' : result.outcome === 'cancelled' ? 'Cancelled' : 'Failed';
  return el(
    doc,
    'div',
    // A failure interrupts (alert); the other outcomes wait their turn (status).
    { className: `card result-${result.outcome}`, attrs: { 'data-key': 'result', role: result.outcome === 'failed' ? 'alert' : 'status' } },
    el(doc, 'h2', {}, heading),
    el(doc, 'p', {}, result.message),
    result.action && el(doc, 'p', { className: 'action' }, result.action),
    result.resumeHint && el(doc, 'p', {}, result.resumeHint),
    result.outcome === 'success' &&
      state.session?.title.startsWith('Upgrade') &&
      // The board's own updater (SD card, /flash) never enters mirror mode: its result says what the board needs.
      !state.steps.some((step) => step.step === 'on-board-file') &&
      el(
        doc,
        'p',
        { className: 'reminder' },
        'Power-cycle the board now (unplug it, plug it back in): mirror mode has no exit, and the reset button does not reset the modem.',
      ),
  );
}

/**
 * A long wait, shown as a wait: how long so far, what is normal, and, while the modem may
 * be writing its flash, that unplugging or cancelling now can brick it.
 */
function waitCard(doc: PanelDocument, steps: StepView[]): HTMLElement | undefined {
  const waiting = [...steps].reverse().find((step) => step.phase === 'waiting' && step.wait);
  const wait = waiting?.wait;
  if (!wait) return undefined;
  const isUnusual = wait.elapsedMs > wait.normalMs;
  return el(
    doc,
    'div',
    { className: `card wait${wait.isSafeToInterrupt ? '' : ' unsafe'}`, attrs: { 'data-key': 'wait', role: 'status', 'aria-live': 'polite' } },
    el(doc, 'h2', {}, wait.what),
    el(
      doc,
      'p',
      {},
      `${formatWaitDuration(wait.elapsedMs)} so far; up to ${formatWaitDuration(wait.normalMs)} is normal${
        isUnusual ? `, and the tool keeps waiting up to ${formatWaitDuration(wait.budgetMs)} before it reports a failure` : ''
      }.`,
    ),
    !wait.isSafeToInterrupt &&
      el(doc, 'p', { className: 'action' }, 'Do not unplug the board or cancel: the modem may be writing its flash, and interrupting it now can brick it.'),
  );
}

function stepsCard(doc: PanelDocument, steps: StepView[], running: boolean): HTMLElement {
  return el(
    doc,
    'div',
    { className: 'card' },
    el(doc, 'h2', {}, 'Steps'),
    steps.length === 0
      ? el(doc, 'p', { className: 'empty' }, running ? 'Starting…' : 'No steps.')
      : el(
          doc,
          'ol',
          { className: 'steps', attrs: { 'aria-label': 'Upgrade steps' } },
          ...steps.map((step) => {
            const isActive = running && (step.phase === 'start' || step.phase === 'waiting');
            const took =
              step.startedAtMs !== undefined && step.endedAtMs !== undefined && step.phase === 'done'
                ? formatDuration(step.endedAtMs - step.startedAtMs)
                : undefined;
            return el(
              doc,
              'li',
              { className: `step phase-${step.phase}`, attrs: { 'data-key': `step-${step.step}`, 'aria-current': isActive ? 'step' : undefined } },
              isActive
                ? el(doc, 'span', { className: 'mark' }, progressRing(doc, `${step.title}: running`))
                : el(doc, 'span', { className: 'mark', attrs: { role: 'img', 'aria-label': STEP_WORDS[step.phase] ?? step.phase } }, STEP_MARKS[step.phase] ?? '•'),
              el(doc, 'span', { className: 'title' }, step.title),
              (step.detail || took) && el(doc, 'span', { className: 'detail' }, step.detail ?? took),
            );
          }),
        ),
  );
}

function figure(doc: PanelDocument, label: string, value: string): HTMLElement {
  return el(doc, 'div', { className: 'figure' }, el(doc, 'div', { className: 'label' }, label), el(doc, 'div', { className: 'value' }, value));
}

function transferCard(doc: PanelDocument, state: PanelState): HTMLElement {
  const t = state.transfer!;
  const fileCount = state.plan?.files.length ?? 0;
  return el(
    doc,
    'div',
    { className: 'card transfer' },
    el(doc, 'h2', {}, 'Transfer ', fileCount > 1 ? badge(doc, `file ${t.fileIndex} of ${fileCount}`) : undefined),
    el(doc, 'div', { className: 'transfer-file' }, t.fileName),
    el(doc, 'progress', {
      attrs: {
        max: Math.max(1, t.bytesTotal),
        value: t.bytesDone,
        'aria-label': 'Bytes sent',
        'aria-valuetext': `${formatPercent(t.bytesDone, t.bytesTotal)}: ${formatBytes(t.bytesDone)} of ${formatBytes(t.bytesTotal)}`,
      },
    }),
    el(
      doc,
      'div',
      { className: 'figures' },
      figure(doc, 'Sent', `${formatBytes(t.bytesDone)} of ${formatBytes(t.bytesTotal)}`),
      figure(doc, 'Done', formatPercent(t.bytesDone, t.bytesTotal)),
      figure(doc, 'Rate', formatRate(t.bytesPerSecond)),
      figure(doc, 'Time left', formatDuration(t.etaMs)),
    ),
    t.samples.length > 0 && rateChart(doc, t.samples),
  );
}

function versionRows(before: PanelModemInfo | undefined, after: PanelModemInfo | undefined): Child[][] {
  const rows: [string, (info: PanelModemInfo) => string | undefined][] = [
    ['Firmware', (i) => i.lr ?? i.software],
    ['Build', (i) => (i.build !== undefined ? String(i.build) : undefined)],
    ['Network', (i) => i.kind],
    ['UE', (i) => i.ue],
    ['IMEI', (i) => i.imei],
    ['Bootloaders', (i) => (i.bootloaders.length ? i.bootloaders.join('\n') : undefined)],
  ];
  return rows
    .map(([label, pick]) => {
      const b = before ? pick(before) : undefined;
      const a = after ? pick(after) : undefined;
      return { label, b, a };
    })
    .filter((row) => row.b !== undefined || row.a !== undefined)
    .map((row) => [row.label, row.b ?? '—', row.a ?? '—']);
}

function versionsCard(doc: PanelDocument, before: PanelModemInfo | undefined, after: PanelModemInfo | undefined): HTMLElement {
  const needsRecovery = (before ?? after)?.needsRecoveryBootromUpgrade;
  return el(
    doc,
    'div',
    { className: 'card' },
    el(doc, 'h2', {}, 'Modem version'),
    dataGrid(doc, ['', 'Before', 'After'], versionRows(before, after), 'Modem version before and after'),
    needsRecovery &&
      el(doc, 'p', { className: 'reminder' }, 'Bootloader0 is the old 33080 bootrom: the first upgrade needs updater.elf (recovery method).'),
  );
}

function crashDumpCard(doc: PanelDocument, state: PanelState, actions: PanelViewActions): HTMLElement {
  const d = state.crashDump!;
  const where = d.file ? `${d.file}${d.line !== undefined ? `:${d.line}` : ''}` : 'unknown location';
  return el(
    doc,
    'div',
    { className: 'card crash' },
    el(doc, 'h2', {}, 'Modem crash dump ', d.isTruncated ? badge(doc, 'truncated') : undefined),
    d.buildString && el(doc, 'p', {}, 'Build: ', d.buildString),
    el(doc, 'p', { className: 'where' }, where),
    (d.message ?? d.assertionText) && el(doc, 'div', { className: 'message' }, d.message ?? d.assertionText),
    ...d.warnings.map((w) => el(doc, 'p', { className: 'empty' }, w)),
    keyed(button(doc, state.isHexShown ? 'Hide Raw Bytes' : `Show Raw Bytes (${d.rawHex.length / 2})`, actions.toggleHex), 'toggle-hex', {
      'aria-expanded': String(state.isHexShown),
      'aria-controls': HEX_ID,
    }),
    // Focusable, so the keyboard can scroll a dump taller than its box.
    state.isHexShown && el(doc, 'pre', { className: 'hex', attrs: { id: HEX_ID, tabindex: 0, 'aria-label': 'Crash dump bytes' } }, formatHexDump(d.rawHex)),
  );
}

const HEX_ID = 'crash-dump-hex';

const CHECK_MARKS: Record<string, string> = { pass: '✓', warn: '!', fail: '✗', skip: '–' };

/** The preflight: one line per check that ran (skipped ones are left out), with what to do unless it passed. */
function preflightCard(doc: PanelDocument, preflight: NonNullable<PanelState['preflight']>): HTMLElement {
  const shown = preflight.checks.filter((check) => check.status !== 'skip');
  return el(
    doc,
    'div',
    { className: 'card preflight' },
    el(doc, 'h2', {}, 'Preflight ', badge(doc, preflight.isReady ? 'ready' : 'refused')),
    el(
      doc,
      'ul',
      { className: 'checks' },
      ...shown.map((check) =>
        el(
          doc,
          'li',
          { className: `check status-${check.status}` },
          el(doc, 'span', { className: 'mark', attrs: { role: 'img', 'aria-label': check.status } }, CHECK_MARKS[check.status] ?? '•'),
          el(doc, 'span', { className: 'title' }, `${check.title}: `),
          el(doc, 'span', { className: 'detail' }, check.detail),
          check.action && check.status !== 'pass' ? el(doc, 'div', { className: 'action' }, check.action) : undefined,
        ),
      ),
    ),
  );
}

function logCard(doc: PanelDocument, state: PanelState): HTMLElement {
  return el(
    doc,
    'div',
    { className: 'card' },
    el(doc, 'h2', {}, 'Messages'),
    el(
      doc,
      'div',
      // Focusable, so the keyboard can scroll it; lines keyed by number keep a selection as older ones drop off.
      { className: 'log', attrs: { role: 'log', 'aria-label': 'Messages', tabindex: 0 } },
      ...state.logs.slice(-100).map((line) => el(doc, 'div', { className: `level-${line.level}`, attrs: { 'data-key': `log-${line.seq}` } }, line.message)),
    ),
  );
}
