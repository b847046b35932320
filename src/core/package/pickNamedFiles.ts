import { orderStages } from '../preflight/firmwareRules';
import { finishChoice } from './finishPackageChoice';
import type { CandidateFile, ChooseOptions, ChooserModem, FileChoice } from './packageChoice';
import { releasesOf, type Classified } from './packageReleases';

/**
 * The files a person named (an override of the choice): sent as if given one by one,
 * stages in order; the gate checks them as it checks any files.
 */
export function pickNamedFiles(candidates: readonly CandidateFile[], classified: readonly Classified[], names: readonly string[], modem: ChooserModem, options: ChooseOptions): FileChoice {
  const wanted = names.map((name) => basenameOf(name).toLowerCase());
  const missing = wanted.filter((name) => !classified.some((file) => file.name.toLowerCase() === name));
  if (missing.length) {
    const held = classified.map((file) => file.name).join(', ') || 'no firmware file';
    return {
      firmware: [],
      leftOut: [],
      flags: [
        {
          kind: 'pick-missing',
          severity: 'refuse',
          message: `Not in the package: ${missing.join(', ')} (it holds ${held}).`,
          action: 'Pick files by their names in the package, or let the tool choose.',
        },
      ],
      summary: `nothing chosen: not in the package: ${missing.join(', ')}`,
    };
  }
  const picked = classified.filter((file) => wanted.includes(file.name.toLowerCase()));
  const updaterFile = picked.find((file) => file.class.kind === 'updater');
  const firmware = orderStages(picked.filter((file) => file !== updaterFile)).ordered;
  if (!firmware.length) {
    return {
      firmware: [],
      leftOut: [],
      flags: [{ kind: 'nothing-fits', severity: 'refuse', message: 'Only updater.elf was picked: a firmware image (.dup) goes with it.', action: 'Pick the .dup file(s) too, or let the tool choose.' }],
      summary: 'nothing chosen: no firmware image picked',
    };
  }
  const leftOut = classified.filter((file) => !picked.includes(file)).map((file) => ({ name: file.name, reason: 'not picked: the files were named' }));
  return finishChoice({
    candidates,
    firmware,
    ...(updaterFile ? { updaterFile } : {}),
    updaterReason: 'picked',
    firstReason: 'picked',
    release: releasesOf(firmware.filter((file) => file.class.kind === 'full'))[0],
    leftOut,
    flags: [],
    modem,
    options,
  });
}

function basenameOf(name: string): string {
  return name.split(/[\\/]/).pop() ?? name;
}
