import type { ModemState, ModemVersionReport } from '../core/parse/modemVersion';
import type { BoardIdentity, FirmwareFileCheck } from './modemCore';
import type { UpgradeSessionRecord } from '../views/sessionLog';

/** Files above this go ON_THE_FLY, below it FFF (PROTOCOL.md section 2). */
const ON_THE_FLY_MIN_BYTES = 4 * 1024 * 1024;

export interface KnownModem {
  state?: ModemState;
  report?: ModemVersionReport;
}

/** What this window last learned about the modem on a port (a previous info read or upgrade). */
export function lastKnownModem(sessions: readonly UpgradeSessionRecord[], portPath: string): KnownModem {
  const known: KnownModem = {};
  for (const session of sessions) {
    if (session.portPath !== portPath) continue;
    for (const event of session.events) {
      if (event.kind === 'modemState') known.state = event.state;
      if (event.kind === 'modemInfo') known.report = event.report;
    }
  }
  return known;
}

/** The recovery method is needed once for a modem in its bootrom or with the old 33080 bootrom. */
export function needsUpdaterElf(known: KnownModem): boolean {
  return known.state === 0 || known.report?.needsRecoveryBootromUpgrade === true;
}

/** The path the engine will most likely take, in words; it detects the real state itself. */
export function expectedPath(files: readonly FirmwareFileCheck[], updaterPath: string | undefined, known: KnownModem): string {
  if (updaterPath) return 'Recovery: updater.elf first, then the firmware ON_THE_FLY';
  if (known.state === 4) return 'Resume the interrupted upgrade';
  const first = files[0];
  if (!first) return 'Nothing to send';
  return first.sizeBytes > ON_THE_FLY_MIN_BYTES
    ? 'ON_THE_FLY (full image streamed into the modem)'
    : 'FFF (file staged in the modem, then applied)';
}

export interface PreflightFacts {
  portPath: string;
  board?: BoardIdentity;
  boardError?: string;
  known: KnownModem;
  files: FirmwareFileCheck[];
  updater?: FirmwareFileCheck;
  isSimulated: boolean;
}

/** The one confirmation's text: what will happen to which board, with which files. */
export function preflightSummary(facts: PreflightFacts): string {
  const lines: string[] = [];
  const board = facts.board
    ? `${facts.board.name}${facts.board.firmwareVersion ? ` (firmware ${facts.board.firmwareVersion})` : ''}`
    : `not identified${facts.boardError ? `: ${facts.boardError}` : ''}`;
  lines.push(`Board: ${board} on ${facts.portPath}${facts.isSimulated ? ' (simulated)' : ''}`);
  const r = facts.known.report;
  if (r?.lrVersion || r?.softwareVersion || facts.known.state !== undefined) {
    const version = r?.lrVersion ?? r?.softwareVersion;
    lines.push(
      `Modem (last read): ${version ? `${version}${r?.softwareBuild ? ` build ${r.softwareBuild}` : ''}` : 'version unknown'}${
        facts.known.state !== undefined ? `, state ${facts.known.state}` : ''
      }`,
    );
  } else {
    lines.push('Modem: state detected after the switch to mirror mode');
  }
  facts.files.forEach((file, index) => lines.push(`File ${index + 1}: ${file.summary}`));
  if (facts.updater) lines.push(`Updater: ${facts.updater.summary}`);
  lines.push(`Path: ${expectedPath(facts.files, facts.updater?.path, facts.known)}`);
  for (const warning of [...facts.files.flatMap((f) => f.warnings), ...(facts.updater?.warnings ?? [])]) {
    lines.push(`⚠ ${warning}`);
  }
  lines.push(
    '',
    'The board switches to mirror mode and stays there: afterwards unplug it and plug it back in.',
    'Do not unplug the board during the upgrade; pauses of a few minutes (at 7–10 % and at 99 %) are normal.',
  );
  return lines.join('\n');
}
