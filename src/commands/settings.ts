import * as vscode from 'vscode';
import type { UpgradeTimeouts } from '../core/engine/upgradeTimeouts';

/** `pycomModem.*` settings, read fresh for each command so edits apply at once. */
export interface ModemSettings {
  defaultPort: string;
  replBaudRate: number;
  mirrorBaudRate: number;
  /** Overrides of the engine's waits, already in milliseconds; absent keys keep the defaults. */
  timeouts: Partial<UpgradeTimeouts>;
  /** Folder for upgrade transcripts; empty: the extension's log folder. */
  transcriptFolder: string;
  /** How many times faster than real time the simulated GPy runs (1 = real time). */
  simulatorSpeedUp: number;
  /** The board's updater runs with debug=True; its output goes into the transcript and the report. */
  updaterDebug: boolean;
}

/** Settings in seconds (what people type) → engine timeouts in ms. */
const TIMEOUT_SETTINGS: Record<string, keyof UpgradeTimeouts> = {
  atReplySeconds: 'atReplyMs',
  wakeupSeconds: 'wakeupMs',
  stpRequestSeconds: 'stpRequestMs',
  applySeconds: 'applyMs',
  rebootSeconds: 'rebootMs',
  updaterLoadSeconds: 'updaterLoadMs',
};

function positive(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : fallback;
}

export function readSettings(): ModemSettings {
  const config = vscode.workspace.getConfiguration('pycomModem');
  const timeouts: Partial<UpgradeTimeouts> = {};
  const configured = config.get<Record<string, unknown>>('timeouts') ?? {};
  for (const [settingKey, engineKey] of Object.entries(TIMEOUT_SETTINGS)) {
    const seconds = configured[settingKey];
    if (typeof seconds === 'number' && Number.isFinite(seconds) && seconds > 0) timeouts[engineKey] = seconds * 1000;
  }
  return {
    defaultPort: config.get<string>('defaultPort') ?? '',
    replBaudRate: positive(config.get('replBaudRate'), 115200),
    mirrorBaudRate: positive(config.get('mirrorBaudRate'), 921600),
    timeouts,
    transcriptFolder: config.get<string>('transcriptFolder') ?? '',
    simulatorSpeedUp: Math.max(1, positive(config.get('simulator.timeScale'), 20)),
    updaterDebug: config.get<boolean>('updaterDebug') === true,
  };
}

export { TIMEOUT_SETTINGS };
