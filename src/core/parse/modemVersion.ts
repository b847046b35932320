/** What the modem says about itself (PROTOCOL.md section 2 step 12, section 5). */
export interface BootloaderVersion {
  slot: number;
  version: string;
  build: number;
  isActive: boolean;
}

export type ModemFirmwareKind = 'CAT-M1' | 'NB-IoT' | 'unknown';

export interface ModemVersionReport {
  imei?: string;
  /** ATI1 lines, e.g. ["UE5.0.0.0d", "LR5.1.1.0-39529"]. */
  ati1?: string[];
  /** The software build number (showver Software [NNNNN], else ATI1 LR...-NNNNN). */
  softwareBuild?: number;
  softwareVersion?: string;
  ueVersion?: string;
  lrVersion?: string;
  kind: ModemFirmwareKind;
  bootloaders: BootloaderVersion[];
  /** Bootloader0 is the old [33080] bootrom: the recovery method is needed once. */
  needsRecoveryBootromUpgrade: boolean;
  /** showver text as received. */
  showverText?: string;
}

/** AT+SMOD? answers: 0 recovery/FFH bootrom, 1 mTools, 2 application, 4 upgrade (interrupted). */
export type ModemState = 0 | 1 | 2 | 4;

/** What `AT!="showver"` says, field by field. */
export interface ShowverInfo {
  bootloaders: BootloaderVersion[];
  /** "5.1.1.0" of `Software : 5.1.1.0 [38638] by …`. */
  softwareVersion?: string;
  softwareBuild?: number;
  /** The whole Software value, e.g. "5.1.1.0 [38638] by robot-soft at 2018-08-20 09:51:46". */
  softwareText?: string;
  ueVersion?: string;
  nvInfo?: string;
  /** COMPONENTS section, e.g. { ZSP0: "1.0.99-13604" }. */
  components: Record<string, string>;
}

/**
 * A `name : value` line of showver; the name may carry the active-bootloader `*`. The
 * name ends in a letter or digit and the value is trimmed in code: a name that could end
 * in spaces before `\s*`, or a lazy value before `\s*$`, backtracked cubically on a long
 * run of spaces (51 s for 4,000).
 */
const SHOWVER_FIELD = /^\s*([A-Za-z](?:[A-Za-z0-9 ]*[A-Za-z0-9])?)\s*(?:(\*)\s*)?:(.*)$/;
const VERSION_AND_BUILD = /^(\S+)\s*\[(\d+)\]/;

export function parseShowver(text: string): ShowverInfo {
  const info: ShowverInfo = { bootloaders: [], components: {} };
  let section = '';
  for (const line of text.split(/\r\n|\r|\n/)) {
    const heading = line.trim();
    if (/^[A-Z][A-Z ]+$/.test(heading)) {
      section = heading;
      continue;
    }
    const field = SHOWVER_FIELD.exec(line);
    if (!field) continue;
    const name = field[1]!;
    const isActive = field[2] === '*';
    const value = field[3]!.trim();
    const bootloader = /^Bootloader\s*(\d+)$/i.exec(name);
    if (bootloader) {
      const parsed = VERSION_AND_BUILD.exec(value);
      if (parsed) {
        info.bootloaders.push({ slot: Number(bootloader[1]), version: parsed[1]!, build: Number(parsed[2]), isActive });
      }
    } else if (/^Software$/i.test(name)) {
      info.softwareText = value;
      const parsed = VERSION_AND_BUILD.exec(value);
      if (parsed) {
        info.softwareVersion = parsed[1]!;
        info.softwareBuild = Number(parsed[2]);
      } else if (value) {
        info.softwareVersion = value.split(/\s+/)[0];
      }
    } else if (/^UE$/i.test(name)) {
      if (value) info.ueVersion = value;
    } else if (/^NV Info$/i.test(name)) {
      if (value) info.nvInfo = value;
    } else if (section === 'COMPONENTS' && value) {
      info.components[name] = value;
    }
  }
  return info;
}

/** ATI1's two lines: `UE5.0.0.0d` and `LR5.1.1.0-39529`. */
export interface Ati1Info {
  ueVersion?: string;
  /** "5.1.1.0-39529" (without the LR). */
  lrVersion?: string;
  /** 5 = CAT-M1, 6 = NB-IoT. */
  lrMajor?: number;
  build?: number;
}

export function parseAti1(lines: readonly string[]): Ati1Info {
  const info: Ati1Info = {};
  for (const raw of lines) {
    const line = raw.trim();
    const ue = /^UE\s*(\S+)$/i.exec(line);
    if (ue) {
      info.ueVersion = ue[1]!;
      continue;
    }
    const lr = /^LR\s*((\d+)\.[\w.]*?)(?:-(\d+))?$/i.exec(line);
    if (lr) {
      info.lrVersion = lr[3] !== undefined ? `${lr[1]}-${lr[3]}` : lr[1]!;
      info.lrMajor = Number(lr[2]);
      if (lr[3] !== undefined) info.build = Number(lr[3]);
    }
  }
  return info;
}

/** AT+CGSN answers the 15-digit IMEI bare (or, on some firmware, as `+CGSN: "…"`). */
export function parseImei(lines: readonly string[]): string | undefined {
  for (const line of lines) {
    const match = /(?:^|[^\d])(\d{15})(?:[^\d]|$)/.exec(line);
    if (match) return match[1];
  }
  return undefined;
}

/** The first Bootloader0 of the bootrom that needs the recovery method once (PROTOCOL.md section 2 step 12). */
export const OLD_BOOTROM_BUILD = 33080;

export function firmwareKindForLrMajor(major: number | undefined): ModemFirmwareKind {
  if (major === 5) return 'CAT-M1';
  if (major === 6) return 'NB-IoT';
  return 'unknown';
}

export function buildModemVersionReport(input: {
  imeiLines?: readonly string[];
  ati1Lines?: readonly string[];
  showverText?: string;
}): ModemVersionReport {
  const ati1 = input.ati1Lines ? parseAti1(input.ati1Lines) : {};
  const showver = input.showverText !== undefined ? parseShowver(input.showverText) : undefined;
  const report: ModemVersionReport = {
    kind: 'unknown',
    bootloaders: showver?.bootloaders ?? [],
    needsRecoveryBootromUpgrade: false,
  };
  const imei = input.imeiLines ? parseImei(input.imeiLines) : undefined;
  if (imei) report.imei = imei;
  if (input.ati1Lines) report.ati1 = input.ati1Lines.map((line) => line.trim()).filter((line) => /^(UE|LR)/i.test(line));
  const softwareBuild = showver?.softwareBuild ?? ati1.build;
  if (softwareBuild !== undefined) report.softwareBuild = softwareBuild;
  if (showver?.softwareVersion) report.softwareVersion = showver.softwareVersion;
  const ueVersion = showver?.ueVersion ?? ati1.ueVersion;
  if (ueVersion) report.ueVersion = ueVersion;
  if (ati1.lrVersion) report.lrVersion = ati1.lrVersion;
  const softwareMajor = showver?.softwareVersion ? Number(showver.softwareVersion.split('.')[0]) : undefined;
  report.kind = firmwareKindForLrMajor(ati1.lrMajor ?? softwareMajor);
  report.needsRecoveryBootromUpgrade = report.bootloaders.some((b) => b.slot === 0 && b.build === OLD_BOOTROM_BUILD);
  if (input.showverText !== undefined) report.showverText = input.showverText;
  return report;
}
