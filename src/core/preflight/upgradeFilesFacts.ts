import type { UpgradeFiles } from '../engine/upgradePlan';
import type { ModemState, ModemVersionReport } from '../parse/modemVersion';
import type { PreflightFacts, PreflightFile, PreflightModem } from './preflightFacts';
import type { TransferMethodOption } from './transferMethod';

function preflightFile(file: { path: string; size: number; head: Uint8Array }): PreflightFile {
  return { name: file.path, size: file.size, head: file.head };
}

/** The checks' file facts from files already read and validated (board half and host half alike). */
export function factsFromUpgradeFiles(files: UpgradeFiles, method: TransferMethodOption | undefined): Pick<PreflightFacts, 'firmware' | 'updater' | 'method'> {
  return {
    firmware: files.firmware.map(preflightFile),
    ...(files.updater ? { updater: preflightFile(files.updater) } : {}),
    ...(method ? { method } : {}),
  };
}

/** What the modem said of itself, as the checks read it; the bootrom only where showver was read. */
export function preflightModem(state: ModemState | undefined, report: ModemVersionReport | undefined): PreflightModem {
  const bootloader0Build = report?.bootloaders.find((b) => b.slot === 0)?.build;
  return {
    ...(state !== undefined ? { state } : {}),
    ...(report?.softwareBuild !== undefined ? { softwareBuild: report.softwareBuild } : {}),
    ...(bootloader0Build !== undefined ? { bootloader0Build } : {}),
    ...(report && report.kind !== 'unknown' ? { kind: report.kind } : {}),
  };
}
