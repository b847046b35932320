import type { UpgradePath } from '../engine/upgradeEvents';
import { formatBytes, transferMethodName } from '../parse/firmwareFile';
import { chooseTransferMethod } from '../preflight/transferMethod';
import { estimateUpgradeDuration, formatEstimate } from '../preflight/upgradeEstimate';
import { decideUpgradePath } from '../preflight/upgradePathRules';
import type { CandidateFile, ChoiceFlag, ChooseOptions, ChooserModem, ChosenFile, FileChoice, LeftOutFile } from './packageChoice';
import { releaseWords } from './packageChoiceWords';
import type { Classified, Release } from './packageReleases';

/** What was decided, by the chooser or by a person's pick: both end the same way, in finishChoice. */
export interface ChoiceParts {
  candidates: readonly CandidateFile[];
  firmware: readonly Classified[];
  updaterFile?: Classified;
  updaterReason: string;
  /** What the first firmware line starts with: "modem runs 38638". */
  firstReason: string;
  release: Release | undefined;
  leftOut: LeftOutFile[];
  flags: ChoiceFlag[];
  modem: ChooserModem;
  options: ChooseOptions;
}

/** The methods, the path and the duration as the engine will decide them, and each pick's line. */
export function finishChoice({ candidates, firmware, updaterFile, updaterReason, firstReason, release, leftOut, flags, modem, options }: ChoiceParts): FileChoice {
  const build = modem.softwareBuild;
  const hasUpdater = updaterFile !== undefined;
  const planned = firmware.map((file) => ({ file, choice: chooseTransferMethod(file, { ...(options.method ? { option: options.method } : {}), hasUpdater }) }));
  const diff = firmware.find((file) => file.class.kind === 'diff');
  const decision = decideUpgradePath({
    state: modem.state,
    hasUpdater,
    ...(modem.bootloader0Build !== undefined ? { bootloader0Build: modem.bootloader0Build } : {}),
    ...(build !== undefined ? { softwareBuild: build } : {}),
    ...(diff ? { diffName: diff.name } : {}),
    ...(planned[0] ? { firstMethod: planned[0].choice.method } : {}),
    // With updater.elf the board's recovery (FFH) method runs first, unless only the host half runs.
    isBeforeBoardHalf: hasUpdater && options.boardRunsFfh !== false,
  });
  const estimateFor = (bytes: readonly number[], path: UpgradePath | undefined) =>
    path ? estimateUpgradeDuration({ path, firmwareBytes: bytes, ...(hasUpdater && path === 'recovery' ? { updaterBytes: updaterFile.size } : {}) }).totalMs : undefined;
  const totalMs = estimateFor(
    firmware.map((f) => f.size),
    decision.path,
  );
  const chosen: ChosenFile[] = planned.map(({ file, choice }, index) => {
    const ms = firmware.length === 1 ? totalMs : estimateFor([file.size], index === 0 ? decision.path : choice.method);
    const stage = file.class.stage && file.class.kind === 'full' ? `stage ${file.class.stage} of ${releaseWords(release)}, ` : '';
    const lead = index === 0 ? `${firstReason} → ` : 'then → ';
    return {
      name: file.name,
      size: file.size,
      path: file.path,
      role: 'firmware',
      class: file.class,
      method: choice.method,
      reason: `${lead}${file.name}, ${stage}${formatBytes(file.size)}, ${transferMethodName(choice.method)}${ms !== undefined ? `, ${formatEstimate(ms)}` : ''}`,
    };
  });
  const updater: ChosenFile | undefined = updaterFile
    ? { name: updaterFile.name, size: updaterFile.size, path: updaterFile.path, role: 'updater', class: updaterFile.class, reason: `${updaterReason} → ${updaterFile.name}, ${formatBytes(updaterFile.size)}` }
    : undefined;
  // In the package's order, as a person reads the listing.
  const order = (name: string) => {
    const index = candidates.findIndex((candidate) => candidate.name === name);
    return index < 0 ? candidates.length : index;
  };
  leftOut.sort((a, b) => order(a.name) - order(b.name));
  const names = [...(updater ? [updater.name] : []), ...chosen.map((f) => `${f.name} (${transferMethodName(f.method!)})`)];
  return {
    firmware: chosen,
    ...(updater ? { updater } : {}),
    ...(decision.path ? { path: decision.path } : {}),
    ...(totalMs !== undefined ? { estimatedMs: totalMs } : {}),
    leftOut,
    flags,
    summary: `${names.join(', ')}${totalMs !== undefined ? `, ${formatEstimate(totalMs)}` : ''}`,
  };
}
