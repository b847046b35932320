import * as vscode from 'vscode';
import type { SerialPortChoice } from '../glue/modemCore';
import { SIMULATED_PORT_PATH } from '../glue/portProviders';
import type { SelectedPort } from './portSelection';

export interface PortPickItem extends vscode.QuickPickItem {
  /** Undefined on separators and on "enter a path". */
  port?: SelectedPort;
  isManualEntry?: boolean;
}

/**
 * Pycom boards first (they are why the user is here), each with its USB description,
 * then other serial ports, then the simulator, then a free path (a socat pty, an
 * RFC 2217 bridge…).
 */
export function buildPortPickItems(ports: readonly SerialPortChoice[], selectedPath?: string): PortPickItem[] {
  const byPath = (a: SerialPortChoice, b: SerialPortChoice) => a.path.localeCompare(b.path, undefined, { numeric: true });
  const pycom = ports.filter((p) => p.isLikelyPycom).sort(byPath);
  const others = ports.filter((p) => !p.isLikelyPycom).sort(byPath);
  const toItem = (p: SerialPortChoice): PortPickItem => ({
    label: `$(plug) ${p.path}`,
    description: [p.board ? `Pycom ${p.board}` : p.isLikelyPycom ? vscode.l10n.t('Pycom board') : undefined, p.description]
      .filter(Boolean)
      .join(' · '),
    detail: p.path === selectedPath ? vscode.l10n.t('selected') : undefined,
    picked: p.path === selectedPath,
    port: { path: p.path, boardName: p.board, description: p.description },
  });
  const items: PortPickItem[] = [];
  if (pycom.length) items.push({ label: vscode.l10n.t('Pycom boards'), kind: vscode.QuickPickItemKind.Separator }, ...pycom.map(toItem));
  if (others.length) items.push({ label: vscode.l10n.t('Other serial ports'), kind: vscode.QuickPickItemKind.Separator }, ...others.map(toItem));
  items.push(
    { label: vscode.l10n.t('No hardware'), kind: vscode.QuickPickItemKind.Separator },
    {
      label: `$(vm) ${vscode.l10n.t('Simulated GPy (no hardware)')}`,
      description: SIMULATED_PORT_PATH,
      detail: vscode.l10n.t('A simulated board and modem: try every command without a board.'),
      port: { path: SIMULATED_PORT_PATH, boardName: 'GPy', description: 'Simulated GPy' },
    },
    { label: `$(edit) ${vscode.l10n.t('Enter a port path…')}`, isManualEntry: true },
  );
  return items;
}

/** Shows the picker (ports listed while it is open); undefined when dismissed. */
export async function pickPort(
  listPorts: () => Promise<readonly SerialPortChoice[]>,
  selectedPath?: string,
): Promise<SelectedPort | undefined> {
  const items = listPorts().then(
    (ports) => buildPortPickItems(ports, selectedPath),
    // No serial support (native module missing): still offer the simulator and a path.
    () => buildPortPickItems([], selectedPath),
  );
  const choice = await vscode.window.showQuickPick(items, {
    title: vscode.l10n.t('Select the board’s serial port'),
    placeHolder: vscode.l10n.t('Pycom boards are listed first'),
    matchOnDescription: true,
  });
  if (!choice) return undefined;
  if (choice.isManualEntry) {
    const path = await vscode.window.showInputBox({
      title: vscode.l10n.t('Serial port path'),
      prompt: vscode.l10n.t('e.g. /dev/ttyUSB0, COM5, /dev/pts/4'),
      value: selectedPath,
      validateInput: (value) => (value.trim() ? undefined : vscode.l10n.t('Enter a port path')),
    });
    return path?.trim() ? { path: path.trim() } : undefined;
  }
  return choice.port;
}

/** The simulated bench offered next to real boards: `sim:GPy#1` … (board 2 on an older build). */
export const SIMULATED_BENCH_SIZE = 4;

export interface FleetPickItem extends vscode.QuickPickItem {
  portPath?: string;
}

/**
 * For several boards at once: every Pycom board ticked (they are why the user is here),
 * other serial ports offered unticked, then the simulated bench.
 */
export function buildFleetPickItems(ports: readonly SerialPortChoice[]): FleetPickItem[] {
  const byPath = (a: SerialPortChoice, b: SerialPortChoice) => a.path.localeCompare(b.path, undefined, { numeric: true });
  const toItem = (p: SerialPortChoice): FleetPickItem => ({
    label: `$(plug) ${p.path}`,
    description: [p.board ? `Pycom ${p.board}` : p.isLikelyPycom ? vscode.l10n.t('Pycom board') : undefined, p.description].filter(Boolean).join(' · '),
    picked: p.isLikelyPycom,
    portPath: p.path,
  });
  const pycom = ports.filter((p) => p.isLikelyPycom).sort(byPath);
  const others = ports.filter((p) => !p.isLikelyPycom).sort(byPath);
  const items: FleetPickItem[] = [];
  if (pycom.length) items.push({ label: vscode.l10n.t('Pycom boards'), kind: vscode.QuickPickItemKind.Separator }, ...pycom.map(toItem));
  if (others.length) items.push({ label: vscode.l10n.t('Other serial ports'), kind: vscode.QuickPickItemKind.Separator }, ...others.map(toItem));
  items.push({ label: vscode.l10n.t('No hardware'), kind: vscode.QuickPickItemKind.Separator });
  for (let n = 1; n <= SIMULATED_BENCH_SIZE; n++) {
    const portPath = `${SIMULATED_PORT_PATH}#${n}`;
    items.push({ label: `$(vm) ${vscode.l10n.t('Simulated GPy #{0}', n)}`, description: portPath, portPath });
  }
  return items;
}

/** The multi-select picker; undefined when dismissed, the ticked ports otherwise. */
export async function pickPorts(listPorts: () => Promise<readonly SerialPortChoice[]>): Promise<string[] | undefined> {
  const items = listPorts().then(
    (ports) => buildFleetPickItems(ports),
    () => buildFleetPickItems([]),
  );
  const chosen = await vscode.window.showQuickPick(items, {
    title: vscode.l10n.t('Boards to upgrade'),
    placeHolder: vscode.l10n.t('Tick every board to upgrade; Pycom boards are ticked'),
    canPickMany: true,
    matchOnDescription: true,
  });
  if (!chosen) return undefined;
  return chosen.flatMap((item) => (item.portPath ? [item.portPath] : []));
}
