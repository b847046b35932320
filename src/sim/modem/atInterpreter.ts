import type { ModemState } from '../../core/parse/modemVersion';
import { ati1Lines, showverLines, type ModemIdentity } from './modemIdentity';
import { concatBytes } from '../../core/transport/framers';

/** Which program is running in the modem: each knows different commands and echoes differently. */
export type ModemFirmware = 'bootrom' | 'application' | 'updater';

/** AT+SMSWBOOT modes: 0 FFH, 1 FFF (boot the application), 2 updater, 3 recovery. */
export type BootMode = 0 | 1 | 2 | 3;
export const BOOT_MODE_NAMES: Record<BootMode, string> = { 0: 'FFH', 1: 'FFF', 2: 'UPDATER', 3: 'RECOVERY' };

export type StpMethod = 'recovery' | 'on-the-fly' | 'fff';

/** What AT+SMUPGRADE? can say. */
export type UpgradeReport =
  | { phase: 'none' }
  | { phase: 'starting' } // answered with an empty reply
  | { phase: 'on-going' }
  | { phase: 'done'; result: string };

export interface AtModemView extends ModemIdentity {
  firmware: ModemFirmware;
  state: ModemState;
  bootMode: BootMode;
  /** While the updater applies an image, AT+SMSWBOOT? names UPDATER. */
  isApplying: boolean;
  upgradeReport: UpgradeReport;
  hasStagedImage: boolean;
  crashDump: Uint8Array;
  baudRate: number;
  cfun: number;
}

/** What the modem does after the reply has left (order matters: reply first, then act). */
export type AtFollowUp =
  | { kind: 'set-echo'; isOn: boolean }
  | { kind: 'enter-stp'; method: StpMethod }
  | { kind: 'set-boot-mode'; bootMode: BootMode }
  | { kind: 'reboot' }
  | { kind: 'set-baud'; baudRate: number }
  | { kind: 'apply-staged' }
  | { kind: 'set-cfun'; level: number };

export interface AtOutcome {
  /** Information lines, or a binary body (AT+FSRDFILE). */
  body?: string[] | Uint8Array;
  result: 'OK' | 'ERROR';
  followUps?: AtFollowUp[];
}

/** Rates AT+IPR accepts. */
export const SUPPORTED_BAUD_RATES = [9600, 19200, 38400, 57600, 115200, 230400, 460800, 921600, 1843200, 3686400];
export const CRASHDUMP_PATH = '/fs/crashdump';

const ok = (body?: string[] | Uint8Array, followUps?: AtFollowUp[]): AtOutcome => ({ result: 'OK', body, followUps });
const error: AtOutcome = { result: 'ERROR' };

export interface ParsedAtCommand {
  /** From "AT" on, as received (for commandsSeen). */
  text: string;
  /** Upper-cased command name after AT: "", "E0", "+SMOD", "!", "^RESET", "I1". */
  name: string;
  /** "?" query, "=?" test, "=" set, "" action. */
  kind: '' | '?' | '=' | '=?';
  /** Text after "=", case kept. */
  args: string;
}

/**
 * Finds the command in a received line: garbage or a "+++" escape before "AT" is
 * skipped, as a modem's command parser does. Undefined when there is no "AT".
 */
export function parseAtCommand(line: string): ParsedAtCommand | undefined {
  const start = line.search(/AT/i);
  if (start < 0) return undefined;
  const text = line.slice(start).trimEnd();
  const rest = text.slice(2);
  const match = /^([+^!&]?[A-Za-z0-9]*)(=\?|\?|=)?(.*)$/s.exec(rest);
  if (!match) return { text, name: rest.toUpperCase(), kind: '', args: '' };
  return { text, name: (match[1] ?? '').toUpperCase(), kind: (match[2] ?? '') as ParsedAtCommand['kind'], args: match[3] ?? '' };
}

/** The recovery bootrom knows only these (PROTOCOL.md section 1). */
const BOOTROM_COMMANDS = new Set(['', '+SMOD', '+IPR', '+STP']);

/** Decides the reply to one command; the modem sends it and runs the follow-ups. */
export function interpretAtCommand(command: ParsedAtCommand, modem: AtModemView): AtOutcome {
  const { name, kind, args } = command;
  if (modem.firmware === 'bootrom' && !BOOTROM_COMMANDS.has(name)) return error;
  const unquoted = unquote(args);
  switch (name) {
    case '':
      return kind === '' ? ok() : error;
    case 'E':
    case 'E0':
    case 'E1':
      return kind === '' ? ok(undefined, [{ kind: 'set-echo', isOn: name === 'E1' }]) : error;
    case 'I':
      return kind === '' ? ok(['SEQUANS Communications', 'GM01Q', modem.network === 'NB-IoT' ? 'NB-IoT' : 'CAT-M1']) : error;
    case 'I1':
      return kind === '' ? ok(ati1Lines(modem)) : error;
    case '+CGSN':
      return kind === '' ? ok([modem.imei]) : error;
    case '!':
      return kind === '=' && unquoted === 'showver' ? ok(showverLines(modem)) : error;
    case '+BIND':
      return kind === '=' ? ok() : error;
    case '+SMLOG':
      return kind === '?' ? ok(['+SMLOG: LOG_INHERIT']) : kind === '=' ? ok() : error;
    case '+SMOD':
      return kind === '?' ? ok([String(modem.state)]) : error;
    case '+SQNSUPGRADENTF':
    case '+SQNWL':
      return kind === '=' ? ok() : error;
    case '+CFUN':
      return cfun(kind, args, modem);
    case '+IPR':
      return ipr(kind, args, modem);
    case '+STP':
      return kind === '' && modem.firmware === 'bootrom' ? ok(undefined, [{ kind: 'enter-stp', method: 'recovery' }]) : error;
    case '+SMSTPU':
      return smstpu(kind, unquoted, modem);
    case '+SMUPGRADE':
      return smupgrade(kind, modem);
    case '+SMSWBOOT':
      return smswboot(kind, args, modem);
    case '^RESET':
      return kind === '' ? ok(undefined, [{ kind: 'reboot' }]) : error;
    case '+FSRDFILE':
      return kind === '=' && unquoted === CRASHDUMP_PATH ? ok(modem.crashDump) : error;
    default:
      return error;
  }
}

function cfun(kind: ParsedAtCommand['kind'], args: string, modem: AtModemView): AtOutcome {
  if (kind === '?') return ok([`+CFUN: ${modem.cfun}`]);
  if (kind !== '=') return error;
  const level = Number(args.split(',')[0]);
  return [0, 1, 4].includes(level) ? ok(undefined, [{ kind: 'set-cfun', level }]) : error;
}

function ipr(kind: ParsedAtCommand['kind'], args: string, modem: AtModemView): AtOutcome {
  if (kind === '?') return ok([`+IPR: ${modem.baudRate}`]);
  if (kind !== '=') return error;
  const baudRate = Number(args);
  return SUPPORTED_BAUD_RATES.includes(baudRate) ? ok(undefined, [{ kind: 'set-baud', baudRate }]) : error;
}

function smstpu(kind: ParsedAtCommand['kind'], unquoted: string, modem: AtModemView): AtOutcome {
  if (kind === '' && modem.firmware !== 'bootrom') return ok(undefined, [{ kind: 'enter-stp', method: 'fff' }]);
  if (kind === '=' && unquoted.toUpperCase() === 'ON_THE_FLY') {
    // Writing over the running application is only possible from the updater.
    return modem.firmware === 'updater' ? ok(undefined, [{ kind: 'enter-stp', method: 'on-the-fly' }]) : error;
  }
  return error;
}

function smupgrade(kind: ParsedAtCommand['kind'], modem: AtModemView): AtOutcome {
  if (kind === '') return modem.hasStagedImage ? ok(undefined, [{ kind: 'apply-staged' }]) : error;
  if (kind !== '?') return error;
  const report = modem.upgradeReport;
  switch (report.phase) {
    case 'none':
      return ok(['+SMUPGRADE: No report']);
    case 'starting':
      return ok();
    case 'on-going':
      return ok(['+SMUPGRADE: on-going']);
    case 'done':
      return ok([`+SMUPGRADE: ${report.result}`]);
  }
}

/**
 * AT+SMSWBOOT? answers `+SMSWBOOT: <mode>,0` then a line naming the mode
 * (`FFH`, `FFF`, `UPDATER`, `RECOVERY`): the real text is undocumented, hosts look
 * for the name anywhere in the reply.
 */
function smswboot(kind: ParsedAtCommand['kind'], args: string, modem: AtModemView): AtOutcome {
  if (kind === '?') {
    const mode: BootMode = modem.isApplying ? 2 : modem.bootMode;
    return ok([`+SMSWBOOT: ${mode},0`, `Boot mode: ${BOOT_MODE_NAMES[mode]}`]);
  }
  if (kind !== '=') return error;
  const [modeText, rebootText = '0'] = args.split(',').map((s) => s.trim());
  const mode = Number(modeText);
  const reboot = Number(rebootText);
  if (![0, 1, 2, 3].includes(mode) || ![0, 1].includes(reboot)) return error;
  const followUps: AtFollowUp[] = [{ kind: 'set-boot-mode', bootMode: mode as BootMode }];
  if (reboot === 1) followUps.push({ kind: 'reboot' });
  return ok(undefined, followUps);
}

function unquote(args: string): string {
  const trimmed = args.trim();
  return trimmed.length >= 2 && trimmed.startsWith('"') && trimmed.endsWith('"') ? trimmed.slice(1, -1) : trimmed;
}

/** The bytes of a reply: the application frames with CRLFs, the bootrom answers bare lines. */
export function formatAtReply(outcome: AtOutcome, firmware: ModemFirmware): Uint8Array {
  const bare = firmware === 'bootrom';
  const parts: Uint8Array[] = [];
  const text = (s: string) => parts.push(Uint8Array.from(s, (c) => c.charCodeAt(0) & 0xff));
  if (outcome.body instanceof Uint8Array) {
    text('\r\n');
    parts.push(outcome.body);
    text('\r\n');
  } else if (outcome.body?.length) {
    text(`${bare ? '' : '\r\n'}${outcome.body.map((line) => `${line}\r\n`).join('')}`);
  } else if (!bare) {
    text('\r\n');
  }
  text(`${outcome.result}\r\n`);
  return concatBytes(...parts);
}

/** Longest line kept while waiting for a terminator: beyond it the bytes are noise. */
const MAX_LINE_BYTES = 4096;

export interface AssembledLine {
  /** The line without its terminator (latin1). */
  text: string;
  /** The bytes as received, terminator included (what echo sends back). */
  raw: Uint8Array;
}

/**
 * Cuts the input into command lines. A line ends at CR or LF (the bootrom's AT+STP is
 * sent with LF alone); the other half of a CRLF makes an empty line, which is echoed
 * and otherwise ignored. Bytes after the line that switched the modem to STP are
 * handed back untouched by takeRest().
 */
export class AtLineAssembler {
  private pending: number[] = [];
  private queue: Uint8Array[] = [];

  push(bytes: Uint8Array): void {
    this.queue.push(bytes);
  }

  takeLine(): AssembledLine | undefined {
    while (this.queue.length) {
      const chunk = this.queue[0]!;
      let i = 0;
      for (; i < chunk.length; i++) {
        const byte = chunk[i]!;
        this.pending.push(byte);
        if (byte === 0x0d || byte === 0x0a) {
          this.queue[0] = chunk.subarray(i + 1);
          if (this.queue[0].length === 0) this.queue.shift();
          const raw = Uint8Array.from(this.pending);
          this.pending = [];
          return { text: String.fromCharCode(...raw.subarray(0, raw.length - 1)), raw };
        }
        if (this.pending.length > MAX_LINE_BYTES) this.pending = [];
      }
      this.queue.shift();
    }
    return undefined;
  }

  /** Everything not yet cut into lines, including a partial line. */
  takeRest(): Uint8Array {
    const parts = [Uint8Array.from(this.pending), ...this.queue];
    this.pending = [];
    this.queue = [];
    return concatBytes(...parts);
  }

  clear(): void {
    this.pending = [];
    this.queue = [];
  }
}
