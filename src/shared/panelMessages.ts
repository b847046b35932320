/**
 * The messages between the extension host and the upgrade panel, both directions,
 * defined once. Each side validates what it receives: the panel script is a web page
 * and the host must not trust it, and the panel must not trust device text either.
 * No vscode, no DOM, no core imports: the webview bundle includes this file.
 */

export const PANEL_STEP_PHASES = ['start', 'waiting', 'done', 'fail', 'skip'] as const;
export type PanelStepPhase = (typeof PANEL_STEP_PHASES)[number];

export const PANEL_OUTCOMES = ['success', 'failed', 'cancelled'] as const;
export type PanelOutcome = (typeof PANEL_OUTCOMES)[number];

export const PANEL_LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type PanelLogLevel = (typeof PANEL_LOG_LEVELS)[number];

/** The modem's version, flattened to text the panel shows as is. */
export interface PanelModemInfo {
  software?: string;
  build?: number;
  lr?: string;
  ue?: string;
  imei?: string;
  kind: string;
  /** e.g. "Bootloader0: 5.1.1.0 [33080]" with "*" on the active one. */
  bootloaders: string[];
  needsRecoveryBootromUpgrade: boolean;
}

/** A crash dump as the panel needs it: parsed fields plus the raw bytes as hex. */
export interface PanelCrashDump {
  buildString?: string;
  build?: number;
  file?: string;
  line?: number;
  message?: string;
  assertionText?: string;
  isTruncated: boolean;
  /** Lower-case hex, two digits per byte, no separators. */
  rawHex: string;
  warnings: string[];
}

export const PANEL_CHECK_STATUSES = ['pass', 'warn', 'fail', 'skip'] as const;
export type PanelCheckStatus = (typeof PANEL_CHECK_STATUSES)[number];

/** One preflight check: what was checked, its verdict and, unless it passed, what to do. */
export interface PanelCheck {
  id: string;
  title: string;
  status: PanelCheckStatus;
  detail: string;
  action?: string;
}

/** A long wait as it lasts: how long so far, what is normal, and whether interrupting is safe. */
export interface PanelWait {
  what: string;
  elapsedMs: number;
  normalMs: number;
  budgetMs: number;
  isSafeToInterrupt: boolean;
}

/** Where one board of a several-board upgrade stands, as its row in the panel says it. */
export const PANEL_FLEET_STATUSES = ['queued', 'running', 'success', 'failed', 'cancelled', 'skipped'] as const;
export type PanelFleetStatus = (typeof PANEL_FLEET_STATUSES)[number];

export interface PanelFleetRow {
  portPath: string;
  /** 'GPy' once the board named itself. */
  board?: string;
  /** The board's session, whose details the panel shows on demand. */
  sessionId?: string;
  status: PanelFleetStatus;
  /** The step under way, or the last one. */
  step?: string;
  /** The current file's transfer, 0–100. */
  percent?: number;
  /** The result in a line: builds before → after, or why it failed or was skipped. */
  detail?: string;
  /** The modem may be writing its flash: the row says not to cancel or unplug. */
  isUnsafeToInterrupt?: boolean;
}

/**
 * Host-to-panel messages repeat the fields of the engine's UpgradeEvent (core/engine/
 * upgradeEvents.ts) on purpose: the webview bundle may import only src/shared, and the
 * panel validates every message as untrusted input, so it keeps its own copy.
 */
export type HostToPanel =
  | { type: 'session'; sessionId: string; title: string; portPath: string; startedAtMs: number }
  | { type: 'plan'; path: string; files: string[]; estimatedMs?: number }
  | { type: 'step'; step: string; title: string; phase: PanelStepPhase; detail?: string; wait?: PanelWait; atMs: number }
  | {
      type: 'progress';
      step: string;
      fileIndex: number;
      fileName: string;
      bytesDone: number;
      bytesTotal: number;
      bytesPerSecond: number;
      etaMs?: number;
      atMs: number;
    }
  | { type: 'log'; level: PanelLogLevel; message: string; atMs: number }
  | { type: 'modemInfo'; phase: 'before' | 'after'; info: PanelModemInfo }
  | { type: 'crashDump'; dump: PanelCrashDump }
  | { type: 'diagnosis'; cause: string; title: string; action: string; evidence: string[] }
  | { type: 'preflight'; checks: PanelCheck[]; isReady: boolean }
  | {
      type: 'result';
      outcome: PanelOutcome;
      message: string;
      action?: string;
      resumeHint?: string;
      transcriptPath?: string;
    }
  /** The boards of a several-board upgrade, whole each time (no rows: there is none). */
  | { type: 'fleet'; title: string; rows: PanelFleetRow[] }
  /** Everything of the current session at once, sent in answer to `ready`. */
  | { type: 'replay'; messages: HostToPanel[] };

export type PanelToHost =
  | { type: 'ready' }
  | { type: 'cancel' }
  | { type: 'copyReport' }
  | { type: 'openTranscript' }
  /** One board of a several-board upgrade: stop it, or show its session. */
  | { type: 'cancelBoard'; portPath: string }
  | { type: 'showBoard'; portPath: string };

// ---- validation helpers: small, total, never throw ----

type Rec = Record<string, unknown>;

/** Plain data only, as a structured clone delivers it: no arrays, class instances or inherited fields. */
function isRecord(value: unknown): value is Rec {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
/** Device and file text is bounded so a hostile or broken source cannot flood the panel. */
const MAX_TEXT_CHARS = 64 * 1024;
const MAX_HEX_CHARS = 2 * 256 * 1024;
const MAX_LIST_ITEMS = 1000;
const MAX_REPLAY_MESSAGES = 100_000;
const MAX_PORT_PATH_CHARS = 1024;

function isText(value: unknown, maxChars = MAX_TEXT_CHARS): value is string {
  return typeof value === 'string' && value.length <= maxChars;
}
function isOptText(value: unknown): value is string | undefined {
  return value === undefined || isText(value);
}
function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}
function isOptCount(value: unknown): value is number | undefined {
  return value === undefined || isCount(value);
}
function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}
function isTextList(value: unknown): value is string[] {
  return Array.isArray(value) && value.length <= MAX_LIST_ITEMS && value.every((item) => isText(item));
}
function isOneOf<T extends string>(list: readonly T[], value: unknown): value is T {
  return typeof value === 'string' && (list as readonly string[]).includes(value);
}

function isModemInfo(value: unknown): value is PanelModemInfo {
  return (
    isRecord(value) &&
    isOptText(value.software) &&
    isOptCount(value.build) &&
    isOptText(value.lr) &&
    isOptText(value.ue) &&
    isOptText(value.imei) &&
    isText(value.kind) &&
    isTextList(value.bootloaders) &&
    typeof value.needsRecoveryBootromUpgrade === 'boolean'
  );
}

function isCrashDump(value: unknown): value is PanelCrashDump {
  return (
    isRecord(value) &&
    isOptText(value.buildString) &&
    isOptCount(value.build) &&
    isOptText(value.file) &&
    isOptCount(value.line) &&
    isOptText(value.message) &&
    isOptText(value.assertionText) &&
    typeof value.isTruncated === 'boolean' &&
    isText(value.rawHex, MAX_HEX_CHARS) &&
    /^(?:[0-9a-f]{2})*$/.test(value.rawHex) &&
    isTextList(value.warnings)
  );
}

function isWait(value: unknown): value is PanelWait {
  return (
    isRecord(value) &&
    isText(value.what) &&
    isCount(value.elapsedMs) &&
    isCount(value.normalMs) &&
    isCount(value.budgetMs) &&
    typeof value.isSafeToInterrupt === 'boolean'
  );
}

function isCheck(value: unknown): value is PanelCheck {
  return (
    isRecord(value) &&
    isText(value.id) &&
    isText(value.title) &&
    isOneOf(PANEL_CHECK_STATUSES, value.status) &&
    isText(value.detail) &&
    isOptText(value.action)
  );
}

function isFleetRow(value: unknown): value is PanelFleetRow {
  return (
    isRecord(value) &&
    isText(value.portPath) &&
    isOptText(value.board) &&
    isOptText(value.sessionId) &&
    isOneOf(PANEL_FLEET_STATUSES, value.status) &&
    isOptText(value.step) &&
    (value.percent === undefined || (isCount(value.percent) && value.percent <= 100)) &&
    isOptText(value.detail) &&
    (value.isUnsafeToInterrupt === undefined || typeof value.isUnsafeToInterrupt === 'boolean')
  );
}

function isHostToPanel(data: unknown, depth: number): data is HostToPanel {
  if (!isRecord(data)) return false;
  const m = data;
  switch (m.type) {
    case 'session':
      return isText(m.sessionId) && isText(m.title) && isText(m.portPath) && isFiniteNumber(m.startedAtMs);
    case 'plan':
      return isText(m.path) && isTextList(m.files) && isOptCount(m.estimatedMs);
    case 'step':
      return (
        isText(m.step) &&
        isText(m.title) &&
        isOneOf(PANEL_STEP_PHASES, m.phase) &&
        isOptText(m.detail) &&
        (m.wait === undefined || isWait(m.wait)) &&
        isFiniteNumber(m.atMs)
      );
    case 'progress':
      return (
        isText(m.step) &&
        isCount(m.fileIndex) &&
        isText(m.fileName) &&
        isCount(m.bytesDone) &&
        isCount(m.bytesTotal) &&
        isCount(m.bytesPerSecond) &&
        isOptCount(m.etaMs) &&
        isFiniteNumber(m.atMs)
      );
    case 'log':
      return isOneOf(PANEL_LOG_LEVELS, m.level) && isText(m.message) && isFiniteNumber(m.atMs);
    case 'modemInfo':
      return (m.phase === 'before' || m.phase === 'after') && isModemInfo(m.info);
    case 'crashDump':
      return isCrashDump(m.dump);
    case 'diagnosis':
      return isText(m.cause) && isText(m.title) && isText(m.action) && isTextList(m.evidence);
    case 'preflight':
      return Array.isArray(m.checks) && m.checks.length <= MAX_LIST_ITEMS && m.checks.every(isCheck) && typeof m.isReady === 'boolean';
    case 'result':
      return (
        isOneOf(PANEL_OUTCOMES, m.outcome) &&
        isText(m.message) &&
        isOptText(m.action) &&
        isOptText(m.resumeHint) &&
        isOptText(m.transcriptPath)
      );
    case 'fleet':
      return isText(m.title) && Array.isArray(m.rows) && m.rows.length <= MAX_LIST_ITEMS && m.rows.every(isFleetRow);
    case 'replay':
      // A replay holds plain messages only: no nesting, so a message cannot recurse.
      return (
        depth === 0 &&
        Array.isArray(m.messages) &&
        m.messages.length <= MAX_REPLAY_MESSAGES &&
        m.messages.every((inner) => isHostToPanel(inner, depth + 1))
      );
    default:
      return false;
  }
}

/** The panel's check on what the host sent; undefined for anything not in the union. */
export function parseHostToPanel(data: unknown): HostToPanel | undefined {
  return isHostToPanel(data, 0) ? data : undefined;
}

/**
 * The host's check on what the panel sent. Returns a fresh object holding only the
 * known fields, so extra properties from the page never reach the host code.
 */
export function parsePanelToHost(data: unknown): PanelToHost | undefined {
  if (!isRecord(data)) return undefined;
  switch (data.type) {
    case 'ready':
    case 'cancel':
    case 'copyReport':
    case 'openTranscript':
      return { type: data.type };
    case 'cancelBoard':
    case 'showBoard':
      return isText(data.portPath, MAX_PORT_PATH_CHARS) ? { type: data.type, portPath: data.portPath } : undefined;
    default:
      return undefined;
  }
}

/** Hex of raw bytes for the crash-dump card; the panel shows it only on demand. */
export function bytesToHex(bytes: Uint8Array): string {
  let hex = '';
  for (const byte of bytes) hex += byte.toString(16).padStart(2, '0');
  return hex;
}
