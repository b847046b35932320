import { mkdtempSync, readdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProcessGroup, TrackedProcess } from './processes';
import { Deadline } from './waits';

/**
 * A linked pseudo-terminal pair: the extension opens `hostPath` as it would a board's
 * USB serial port; the simulator serves `devicePath`. socat prints "starting data
 * transfer loop" once both ends exist.
 */
export interface PtyPair {
  /** Folder holding the two links; remove it once socat has ended. */
  dir: string;
  hostPath: string;
  devicePath: string;
  process: TrackedProcess;
}

export async function startPtyPair(group: ProcessGroup, name: string, deadline: Deadline, extraSocatArgs: string[] = []): Promise<PtyPair> {
  const dir = mkdtempSync(join(tmpdir(), `pycom-e2e-pty-`));
  const hostPath = join(dir, `${name}-host`);
  const devicePath = join(dir, `${name}-dev`);
  // extraSocatArgs: ['-x'] logs every byte both ways in socat's output, for debugging.
  const socat = group.spawn(`socat ${name}`, 'socat', ['-d', '-d', ...extraSocatArgs, `pty,raw,echo=0,link=${hostPath}`, `pty,raw,echo=0,link=${devicePath}`]);
  await socat.waitForOutput(/starting data transfer loop/, deadline);
  return { dir, hostPath, devicePath, process: socat };
}

/** The packaged CLI inside the installed extension: the simulator runs from what users get. */
export function installedCliPath(extensionsDir: string, extensionId: string): string {
  const folder = readdirSync(extensionsDir).find((name) => name.toLowerCase().startsWith(`${extensionId.toLowerCase()}-`));
  const cli = folder ? join(extensionsDir, folder, 'dist', 'cli.js') : undefined;
  if (!cli || !existsSync(cli)) throw new Error(`no installed ${extensionId} with dist/cli.js under ${extensionsDir}`);
  return cli;
}

/** `pycom-modem sim --board --port <pty>`: a whole simulated GPy (REPL, sqnsupgrade, mirror mode, modem). */
export async function startSimulatedGpy(
  group: ProcessGroup,
  options: { cliPath: string; devicePath: string; faults?: string[]; timeScale?: number; deadline: Deadline },
): Promise<TrackedProcess> {
  // --log: what the simulator did is in its output when a scenario fails.
  const args = [options.cliPath, 'sim', '--board', '--port', options.devicePath, '--json', '--log'];
  for (const fault of options.faults ?? []) args.push('--fault', fault);
  if (options.timeScale !== undefined) args.push('--time-scale', String(options.timeScale));
  const sim = group.spawn(`simulated GPy${options.faults?.length ? ` (${options.faults.join(', ')})` : ''}`, process.execPath, args);
  await sim.waitForOutput(/"kind":"simReady"/, options.deadline);
  return sim;
}
