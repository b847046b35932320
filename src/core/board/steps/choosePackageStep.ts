import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { StepRunner, UnstampedEvent } from '../../engine/stepRunner';
import { inspectUpgradeFiles, type UpgradeFiles } from '../../engine/upgradePlan';
import { chooseFilesFromPackage, type CandidateFile, type FileChoice } from '../../package/choosePackageFiles';
import type { FirmwarePackage } from '../../package/firmwarePackage';
import { choiceRefusalError, packageChoiceLines, packageChoiceResult } from '../../package/packageChoiceCheck';
import type { PreflightResult } from '../../preflight/preflightFacts';
import type { TransferMethodOption } from '../../preflight/transferMethod';
import { preflightModem } from '../../preflight/upgradeFilesFacts';
import type { BoardModemRead } from '../boardModemRead';

export interface PackageFilesPicked {
  choice: FileChoice;
  /** The chosen firmware paths in the order they are sent, and updater.elf when chosen. */
  firmwarePaths: string[];
  updaterPath?: string;
  /** The chosen files read and checked as files given by hand are (names, sizes, magics). */
  files: UpgradeFiles;
  /** The choice as the first preflight result: shown with the checks, confirmed at the gate. */
  result: PreflightResult;
}

/**
 * Step "choose-files": the package's files for the modem the board just read (its
 * state, build, network), each with why, then read and checked like files given by hand.
 * A choice that refuses (same build, nothing fits) fails the step: nothing was sent.
 */
export async function choosePackageStep(
  steps: StepRunner,
  pkg: FirmwarePackage,
  read: BoardModemRead | undefined,
  options: { emit: (event: UnstampedEvent) => void; method?: TransferMethodOption; extraUpdaterPath?: string; pick?: readonly string[] },
): Promise<PackageFilesPicked> {
  return steps.run(
    'choose-files',
    async () => {
      const candidates: CandidateFile[] = [...pkg.files];
      // An updater.elf given beside the package joins its candidates: the choice still decides whether it is needed.
      if (options.extraUpdaterPath) candidates.push({ name: basename(options.extraUpdaterPath), size: (await stat(options.extraUpdaterPath)).size, path: options.extraUpdaterPath });
      const modem = read ? preflightModem(read.info.state, read.info.report) : {};
      const choice = chooseFilesFromPackage(candidates, modem, { ...(options.method ? { method: options.method } : {}), ...(options.pick?.length ? { pick: options.pick } : {}) });
      for (const line of packageChoiceLines(choice, pkg.ignored)) options.emit({ kind: 'log', level: 'info', message: line });
      const refusal = choiceRefusalError(choice);
      if (refusal) throw refusal;
      const firmwarePaths = choice.firmware.map((file) => file.path);
      const updaterPath = choice.updater?.path;
      const files = await inspectUpgradeFiles(firmwarePaths, updaterPath, options.method ? { method: options.method } : {});
      for (const warning of files.warnings) options.emit({ kind: 'log', level: 'warn', message: warning });
      return { choice, firmwarePaths, ...(updaterPath ? { updaterPath } : {}), files, result: packageChoiceResult(choice) };
    },
    { atStart: `${basename(pkg.source)} (${pkg.files.length} file${pkg.files.length === 1 ? '' : 's'})`, whenDone: (picked) => picked.choice.summary },
  );
}
