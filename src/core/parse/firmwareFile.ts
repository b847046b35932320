/**
 * What a firmware file is, judged from its name, size and first bytes before anything
 * touches the board (PROTOCOL.md section 5). Real .dup internals are unknown, so a .dup
 * is never required to carry a magic; only what it clearly is not is refused.
 */

export type FirmwareFileKind = 'full' | 'diff' | 'updater' | 'unknown';
export type FirmwareNetwork = 'CAT-M1' | 'NB-IoT';

export interface FirmwareFileClass {
  kind: FirmwareFileKind;
  network?: FirmwareNetwork;
  /** The build the file installs (for a diff, its target). */
  build?: number;
  fromBuild?: number;
  toBuild?: number;
  /** `-1` / `-2` of a two-stage upgrade, sent in order. */
  stage?: 1 | 2;
  /** The release written in the name, e.g. "5.2" of CATM1-5.2-48829-1.dup or "5.2.1.0" of LR5.2.1.0-48829-1.dup. */
  version?: string;
}

/** Files under this many bytes are refused (as the published updater does). */
export const MIN_FIRMWARE_BYTES = 128;

/** Above this the file is sent ON_THE_FLY; up to it, staged with FFF (PROTOCOL.md section 2). */
export const FFF_MAX_BYTES = 4 * 1024 * 1024;

export type TransferMethod = 'on-the-fly' | 'fff';

export function transferMethodForSize(bytes: number): TransferMethod {
  return bytes > FFF_MAX_BYTES ? 'on-the-fly' : 'fff';
}

/** The method as the modem spells it in AT+SMSTPU. */
export function transferMethodName(method: TransferMethod): string {
  return method === 'on-the-fly' ? 'ON_THE_FLY' : 'FFF';
}

function baseName(name: string): string {
  return name.split(/[\\/]/).pop() ?? name;
}

function stageOf(digit: string | undefined): { stage?: 1 | 2 } {
  return digit === '1' ? { stage: 1 } : digit === '2' ? { stage: 2 } : {};
}

/**
 * Pycom's package names: CATM1-41065.dup; the two-stage CATM1-5.2-48829-1.dup with the
 * release in the name; NB1-41019.dup. The release is dotted digits, so it cannot be
 * confused with the build.
 */
const PACKAGE_IMAGE_NAME = /^(CATM1|NB1)-(?:(\d+(?:\.\d+)+)-)?(\d+)(?:-([12]))?\.dup$/i;
/** The spelling of Pycom's SD-card example, LR5.2.1.0-48829-1.dup: LR major 5 is CAT-M1, 6 NB-IoT (PROTOCOL.md section 5). */
const LR_IMAGE_NAME = /^LR([56])((?:\.\d+)+)-(\d+)(?:-([12]))?\.dup$/i;
const DIFF_NAME = /^upgdiff_(\d+)-to-(\d+)(?:-([12]))?\.dup$/i;

export function classifyFirmwareFileName(name: string): FirmwareFileClass {
  const file = baseName(name).trim();
  const packaged = PACKAGE_IMAGE_NAME.exec(file);
  if (packaged) {
    return {
      kind: 'full',
      network: packaged[1]!.toUpperCase() === 'CATM1' ? 'CAT-M1' : 'NB-IoT',
      build: Number(packaged[3]),
      ...stageOf(packaged[4]),
      ...(packaged[2] ? { version: packaged[2] } : {}),
    };
  }
  const lr = LR_IMAGE_NAME.exec(file);
  if (lr) {
    return {
      kind: 'full',
      network: lr[1] === '5' ? 'CAT-M1' : 'NB-IoT',
      build: Number(lr[3]),
      ...stageOf(lr[4]),
      version: `${lr[1]}${lr[2]}`,
    };
  }
  const diff = DIFF_NAME.exec(file);
  if (diff) {
    const toBuild = Number(diff[2]);
    return { kind: 'diff', build: toBuild, fromBuild: Number(diff[1]), toBuild, ...stageOf(diff[3]) };
  }
  if (/^updater\.elf$/i.test(file)) return { kind: 'updater' };
  return { kind: 'unknown' };
}

export interface FirmwareProblem {
  severity: 'fail' | 'warn';
  message: string;
  action: string;
}

/**
 * Sizes seen in published files, with a margin: updater.elf ~300–370 KB, full images
 * ~5.2–6 MB, diffs ~0.45–2.5 MB. Outside them the file is probably not what its name says.
 */
export const SANE_SIZE_BYTES: Record<'full' | 'diff' | 'updater', { min: number; max: number }> = {
  updater: { min: 200 * 1024, max: 600 * 1024 },
  full: { min: 4 * 1024 * 1024, max: 8 * 1024 * 1024 },
  diff: { min: 200 * 1024, max: 4 * 1024 * 1024 },
};

const ELF_MAGIC = [0x7f, 0x45, 0x4c, 0x46];

function startsWith(head: Uint8Array, prefix: readonly number[]): boolean {
  return head.length >= prefix.length && prefix.every((byte, i) => head[i] === byte);
}

/** Containers users download instead of (or around) the firmware. */
function containerKind(head: Uint8Array): string | undefined {
  if (startsWith(head, [0x1f, 0x8b])) return 'a gzip/tar.gz archive';
  if (startsWith(head, [0x50, 0x4b, 0x03, 0x04])) return 'a zip archive';
  let text = '';
  for (const byte of head.subarray(0, 64)) text += String.fromCharCode(byte);
  if (/^\s*<(!doctype|html|\?xml)/i.test(text)) return 'a web page (the download saved an HTML page)';
  return undefined;
}

/** "5.6 MiB", "332 KiB", "96 bytes" (binary units), for file checks and /flash space. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KiB`;
  return `${bytes} bytes`;
}

export interface InspectedFile {
  name: string;
  size: number;
  /** The file's first bytes (64 are enough). */
  head: Uint8Array;
  /** What the file was given as: a firmware image or the recovery updater; by default judged from the name. */
  role?: 'firmware' | 'updater';
  /** The method the file will be sent with, when already chosen; else the size rule's. */
  method?: TransferMethod;
}

/**
 * Problems with a firmware file, `fail` ones first: the engine refuses to
 * start on any `fail` and shows `warn` ones.
 */
export function inspectFirmwareFile(file: InspectedFile): FirmwareProblem[] {
  const problems: FirmwareProblem[] = [];
  const kind = classifyFirmwareFileName(file.name);
  const shownName = baseName(file.name);
  // Callers that do not say judge by the name, as before roles existed.
  const role = file.role ?? (kind.kind === 'updater' ? 'updater' : 'firmware');

  if (file.size < MIN_FIRMWARE_BYTES) {
    problems.push({
      severity: 'fail',
      message: `${shownName} is only ${file.size} bytes: too small to be modem firmware.`,
      action: 'Download the firmware again and pick the .dup (or updater.elf) file itself.',
    });
  }
  const container = containerKind(file.head);
  if (container) {
    problems.push({
      severity: 'fail',
      message: `${shownName} is ${container}, not modem firmware.`,
      action: 'Extract the archive and pick the .dup file (and updater.elf) inside it.',
    });
  }
  const isElf = startsWith(file.head, ELF_MAGIC);
  if (role === 'updater' && !isElf && file.head.length >= ELF_MAGIC.length && !container) {
    problems.push({
      severity: 'fail',
      message: `${shownName} does not start like an ELF file, so the modem's bootrom cannot load it as its updater.`,
      action: 'Use the updater.elf that came with the firmware package, unmodified.',
    });
  }
  if (role === 'firmware' && kind.kind === 'updater') {
    problems.push({
      severity: 'fail',
      message: `${shownName} is the modem's updater, not a firmware image.`,
      action: 'Give updater.elf as the updater, together with the full .dup image to install.',
    });
  }
  if (role === 'firmware' && /\.dup$/i.test(shownName) && isElf) {
    problems.push({
      severity: 'fail',
      message: `${shownName} is an ELF file (like updater.elf), not a firmware image.`,
      action: 'Pick the CATM1-/NB1-/upgdiff_ .dup file from the package as the firmware.',
    });
  }
  if (role === 'updater' && kind.kind !== 'updater' && isElf) {
    problems.push({
      severity: 'warn',
      message: `${shownName} is an ELF file but not named updater.elf; assumed to be the updater of the firmware package.`,
      action: 'Check that it is the updater.elf of the same firmware package as the .dup file.',
    });
  }
  if (role === 'firmware' && kind.kind === 'unknown') {
    const method = file.method ?? transferMethodForSize(file.size);
    const how = file.method ? `sent ${transferMethodName(method)}` : `method chosen by size: ${transferMethodName(method)}`;
    problems.push({
      severity: 'warn',
      message:
        `${shownName} does not look like a Sequans firmware name (CATM1-<build>.dup, CATM1-<release>-<build>-<stage>.dup, LR5.<release>-<build>.dup, ` +
        `NB1-<build>.dup, upgdiff_<from>-to-<to>.dup, updater.elf): assumed a full image of unknown build, ${how}.`,
      action: 'Check that this is the file you meant; a renamed file is sent as a full image and cannot be checked against the modem.',
    });
  } else if (kind.kind !== 'unknown' && file.size >= MIN_FIRMWARE_BYTES) {
    const range = SANE_SIZE_BYTES[kind.kind];
    // Stage 1 of a two-stage upgrade is small although it is a full image (416,448 bytes for CATM1-5.2-48829-1.dup).
    const isSmallStage = kind.kind === 'full' && kind.stage === 1;
    if ((file.size < range.min && !isSmallStage) || file.size > range.max) {
      problems.push({
        severity: 'warn',
        message: `${shownName} is ${formatBytes(file.size)}; files of this kind are usually ${formatBytes(range.min)}–${formatBytes(range.max)}.`,
        action: 'Check that the download completed and that the file is the one its name says.',
      });
    }
  }
  // Stable sort: fails first, each group in the order found.
  return [...problems.filter((p) => p.severity === 'fail'), ...problems.filter((p) => p.severity === 'warn')];
}
