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
}

/** Files under this many bytes are refused (as the published updater does). */
export const MIN_FIRMWARE_BYTES = 128;

/** Above this the file is sent ON_THE_FLY; up to it, staged with FFF (PROTOCOL.md section 2). */
export const FFF_MAX_BYTES = 4 * 1024 * 1024;

export type TransferMethod = 'on-the-fly' | 'fff';

export function transferMethodForSize(bytes: number): TransferMethod {
  return bytes > FFF_MAX_BYTES ? 'on-the-fly' : 'fff';
}

function baseName(name: string): string {
  return name.split(/[\\/]/).pop() ?? name;
}

function stageOf(digit: string | undefined): { stage?: 1 | 2 } {
  return digit === '1' ? { stage: 1 } : digit === '2' ? { stage: 2 } : {};
}

export function classifyFirmwareFileName(name: string): FirmwareFileClass {
  const file = baseName(name).trim();
  const full = /^(CATM1|NB1)-(\d+)(?:-([12]))?\.dup$/i.exec(file);
  if (full) {
    return {
      kind: 'full',
      network: full[1]!.toUpperCase() === 'CATM1' ? 'CAT-M1' : 'NB-IoT',
      build: Number(full[2]),
      ...stageOf(full[3]),
    };
  }
  const diff = /^upgdiff_(\d+)-to-(\d+)(?:-([12]))?\.dup$/i.exec(file);
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

/**
 * Problems with a firmware file, `fail` ones first: the engine refuses to
 * start on any `fail` and shows `warn` ones. `head` is the file's first bytes (64 are enough).
 */
export function inspectFirmwareFile(file: { name: string; size: number; head: Uint8Array }): FirmwareProblem[] {
  const problems: FirmwareProblem[] = [];
  const kind = classifyFirmwareFileName(file.name);
  const shownName = baseName(file.name);

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
  if (kind.kind === 'updater' && !isElf && file.head.length >= ELF_MAGIC.length && !container) {
    problems.push({
      severity: 'fail',
      message: `${shownName} does not start like an ELF file, so the modem's bootrom cannot load it.`,
      action: 'Use the updater.elf that came with the firmware package, unmodified.',
    });
  }
  if (/\.dup$/i.test(shownName) && isElf) {
    problems.push({
      severity: 'fail',
      message: `${shownName} is an ELF file (like updater.elf), not a firmware image.`,
      action: 'Pick the CATM1-/NB1-/upgdiff_ .dup file from the package as the firmware.',
    });
  }
  if (kind.kind === 'unknown') {
    problems.push({
      severity: 'warn',
      message: `${shownName} does not look like a Sequans firmware name (CATM1-<build>.dup, NB1-<build>.dup, upgdiff_<from>-to-<to>.dup, updater.elf).`,
      action: 'Check that this is the file you meant; renamed files are accepted but cannot be checked against the modem.',
    });
  } else if (file.size >= MIN_FIRMWARE_BYTES) {
    const range = SANE_SIZE_BYTES[kind.kind];
    if (file.size < range.min || file.size > range.max) {
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
