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
