import type { ModemNetwork } from '../firmwareImage';

/** What the simulated modem says about itself (ATI1, AT!="showver", AT+CGSN). */
export const DEFAULT_IMEI = '354347094683296';
export const DEFAULT_BUILD = 38638;
/** The old recovery bootrom that needs the updater.elf method once. */
export const OLD_BOOTROM_BUILD = 33080;

export interface ModemIdentity {
  network: ModemNetwork;
  build: number;
  hasOldBootrom: boolean;
  /**
   * Bootloader0's build: what the modem had when it was made, until the board's FFH
   * method rewrites it; an upgrade leaves it as it was (PROTOCOL.md §9). Default: `build`.
   */
  bootromBuild?: number;
  imei: string;
}

/** LR major 5 is CAT-M1, 6 is NB-IoT (PROTOCOL.md section 5). */
export function softwareVersionFor(network: ModemNetwork): string {
  return network === 'NB-IoT' ? '6.1.1.0' : '5.1.1.0';
}

export function ueVersionFor(network: ModemNetwork): string {
  return network === 'NB-IoT' ? '6.0.0.0d' : '5.0.0.0d';
}

export function buildStringFor(network: ModemNetwork, build: number): string {
  return `${softwareVersionFor(network)} [${build}] by robot-soft at 2018-08-20 09:51:46`;
}

export function ati1Lines(identity: ModemIdentity): string[] {
  return [`UE${ueVersionFor(identity.network)}`, `LR${softwareVersionFor(identity.network)}-${identity.build}`];
}

export function showverLines(identity: ModemIdentity): string[] {
  const version = softwareVersionFor(identity.network);
  const bootrom = identity.hasOldBootrom ? `5.1.1.0 [${OLD_BOOTROM_BUILD}]` : `${version} [${identity.bootromBuild ?? identity.build}]`;
  return [
    'SYSTEM VERSION',
    '==============',
    '  FIRMWARE VERSION',
    `    Bootloader0  : ${bootrom}`,
    `    Bootloader1* : ${version} [${identity.build}]`,
    `    Bootloader2  : ${version} [${identity.build}]`,
    '    NV Info      : 1.1,0,0',
    `    Software     : ${buildStringFor(identity.network, identity.build)}`,
    `    UE           : ${ueVersionFor(identity.network)}`,
    '  COMPONENTS',
    '    ZSP0         : 1.0.99-13604',
    '    ZSP1         : 1.0.99-12341',
  ];
}
