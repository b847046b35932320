import * as vscode from 'vscode';
import type { UpgradeTimeouts } from '../core/engine/upgradeTimeouts';

/** `pycomModem.*` settings, read fresh for each command so edits apply at once. */
export interface ModemSettings {
  defaultPort: string;
  replBaudRate: number;
  /** Overrides of the engine's waits, already in milliseconds; absent keys keep the defaults. */
  timeouts: Partial<UpgradeTimeouts>;
  /** Folder for upgrade transcripts; empty: the extension's log folder. */
  transcriptFolder: string;
  /** How many times faster than real time the simulated GPy runs (1 = real time). */
  simulatorSpeedUp: number;
  /** The board's updater runs with debug=True; its output goes into the transcript and the report. */
  updaterDebug: boolean;
}

/**
 * Settings in seconds (what people type) → engine timeouts in ms. Each is a flat
 * setting `pycomModem.timeouts.<key>` (the Settings UI edits flat keys only); the keys
 * are also read from the former object setting `pycomModem.timeouts`, so a settings.json
 * written for an earlier version keeps its values.
 */
const TIMEOUT_SETTINGS: Record<string, keyof UpgradeTimeouts> = {
  atReplySeconds: 'atReplyMs',
  wakeupSeconds: 'wakeupMs',
  stpRequestSeconds: 'stpRequestMs',
  applySeconds: 'applyMs',
  rebootSeconds: 'rebootMs',
  updaterLoadSeconds: 'updaterLoadMs',
};

/** `pycomModem.statusBar`: auto shows the port item once it is of use (a Pycom board, a picked port, the view opened). */
export type StatusBarMode = 'auto' | 'always' | 'never';
export const STATUS_BAR_SETTING = 'pycomModem.statusBar';

/** The simulator's speed: "times faster", as the CLI's `--speed-up N`. */
const SPEED_UP_SETTING = 'simulator.speedUp';
/** Its former name, which meant the same number; read when speedUp was never set. */
const LEGACY_SPEED_UP_SETTING = 'simulator.timeScale';
const DEFAULT_SPEED_UP = 20;

function positive(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : fallback;
}

function positiveOrUndefined(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined;
}

/** Whether the user (or the workspace) set `key`, as opposed to it showing its declared default. */
function isSetExplicitly(config: vscode.WorkspaceConfiguration, key: string): boolean {
  const inspected = config.inspect(key);
  if (!inspected) return false;
  return [inspected.globalValue, inspected.workspaceValue, inspected.workspaceFolderValue].some((value) => value !== undefined);
}

function readTimeouts(config: vscode.WorkspaceConfiguration): Partial<UpgradeTimeouts> {
  const legacy = config.get<Record<string, unknown>>('timeouts');
  const legacyObject = legacy !== null && typeof legacy === 'object' ? legacy : {};
  const timeouts: Partial<UpgradeTimeouts> = {};
  for (const [settingKey, engineKey] of Object.entries(TIMEOUT_SETTINGS)) {
    const seconds = positiveOrUndefined(config.get(`timeouts.${settingKey}`)) ?? positiveOrUndefined(legacyObject[settingKey]);
    if (seconds !== undefined) timeouts[engineKey] = seconds * 1000;
  }
  return timeouts;
}

function readSimulatorSpeedUp(config: vscode.WorkspaceConfiguration): number {
  const legacy = positiveOrUndefined(config.get(LEGACY_SPEED_UP_SETTING));
  const speedUp = isSetExplicitly(config, SPEED_UP_SETTING) || legacy === undefined ? config.get(SPEED_UP_SETTING) : legacy;
  return Math.max(1, positive(speedUp, DEFAULT_SPEED_UP));
}

export function readSettings(): ModemSettings {
  const config = vscode.workspace.getConfiguration('pycomModem');
  return {
    defaultPort: config.get<string>('defaultPort') ?? '',
    replBaudRate: positive(config.get('replBaudRate'), 115200),
    timeouts: readTimeouts(config),
    transcriptFolder: config.get<string>('transcriptFolder') ?? '',
    simulatorSpeedUp: readSimulatorSpeedUp(config),
    updaterDebug: config.get<boolean>('updaterDebug') === true,
  };
}

export function readStatusBarMode(): StatusBarMode {
  const mode = vscode.workspace.getConfiguration('pycomModem').get<string>('statusBar');
  return mode === 'always' || mode === 'never' ? mode : 'auto';
}

export { TIMEOUT_SETTINGS };
