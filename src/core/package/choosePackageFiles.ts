import { classifyFirmwareFileName } from '../parse/firmwareFile';
import { OLD_BOOTROM_BUILD } from '../parse/modemVersion';
import { buildAfterStage1 } from '../preflight/firmwareRules';
import { isOldBootrom } from '../preflight/upgradePathRules';
import { finishChoice } from './finishPackageChoice';
import type { CandidateFile, ChoiceFlag, ChoiceFlagKind, ChooseOptions, ChooserModem, FileChoice, LeftOutFile } from './packageChoice';
import { describeFile, stateWords } from './packageChoiceWords';
import { diffChain, networkOf, releasesOf, type Classified } from './packageReleases';
import { pickNamedFiles } from './pickNamedFiles';

export { FLAGS_THE_GATE_RAISES } from './packageChoice';
export type { CandidateFile, ChoiceFlag, ChoiceFlagKind, ChooseOptions, ChooserModem, ChosenFile, FileChoice, LeftOutFile } from './packageChoice';

/**
 * Which files of a firmware package the modem needs, from what it said of itself: pure
 * (no file, no port), so every case is a table row in a test. The choice only picks; the
 * preflight gate then runs on the picked files as on files given by hand, so the
 * documented rules (release steps, factory-only builds, the old bootrom, a network
 * switch) are enforced there, once, and only named here where they shape the choice.
 */

/**
 * Picks the files of a package for this modem: the diff from the modem's build when
 * there is one (state 2), else the full image (both stages of a two-stage release, in
 * order), with updater.elf where the state (0) or the old bootrom needs it.
 */
export function chooseFilesFromPackage(candidates: readonly CandidateFile[], modem: ChooserModem, options: ChooseOptions = {}): FileChoice {
  const flags: ChoiceFlag[] = [];
  const leftOut: LeftOutFile[] = [];
  // A name found twice (a package extracted twice into one folder): the first copy is used.
  const classified: Classified[] = [];
  for (const file of candidates) {
    if (classified.some((seen) => seen.name.toLowerCase() === file.name.toLowerCase())) {
      leftOut.push({ name: file.name, reason: `a second copy (${file.path}); the first one found is used` });
      continue;
    }
    classified.push({ ...file, class: classifyFirmwareFileName(file.name) });
  }
  const updaters = classified.filter((file) => file.class.kind === 'updater');
  const diffs = classified.filter((file) => file.class.kind === 'diff');
  if (options.pick?.length) return pickNamedFiles(candidates, classified, options.pick, modem, options);
  for (const file of classified.filter((f) => f.class.kind === 'unknown')) {
    leftOut.push({ name: file.name, reason: "its name is not one of Pycom's firmware names, so what it installs is unknown; give it as a file of its own to send it anyway" });
  }
  const modemNetwork = networkOf(modem.kind);
  const build = modem.softwareBuild;
  const refuse = (kind: ChoiceFlagKind, message: string, action: string): FileChoice => {
    flags.push({ kind, severity: 'refuse', message, action });
    for (const file of classified) if (!leftOut.some((l) => l.name === file.name)) leftOut.push({ name: file.name, reason: 'not sent: nothing is' });
    return { firmware: [], leftOut, flags, summary: `nothing chosen: ${message}` };
  };

  // The package's release: its newest full image, for the modem's network when it holds both.
  let releases = releasesOf(classified.filter((file) => file.class.kind === 'full'));
  const networks = new Set(releases.map((r) => r.network).filter(Boolean));
  if (networks.size > 1) {
    if (!modemNetwork) {
      return refuse(
        'two-networks',
        `The package holds images for ${[...networks].join(' and ')}, and the modem's network type was not read.`,
        'Choose the full image for your network type (CATM1-<build>.dup or NB1-<build>.dup) as a file of its own.',
      );
    }
    const forModem = releases.filter((r) => r.network === modemNetwork);
    if (forModem.length) releases = forModem;
  }
  const release = releases[0];
  for (const other of releases.slice(1)) {
    for (const image of other.images) leftOut.push({ name: image.name, reason: `${describeFile(image)}; the package's release is ${release!.network ?? ''} build ${release!.build}`.replace('  ', ' ') });
  }
  // Without a full image, the release is where the diffs lead.
  const target = release?.build ?? Math.max(...diffs.map((d) => d.class.toBuild ?? 0), 0);
  if (!release && diffs.length === 0) {
    return refuse(
      'nothing-fits',
      updaters.length
        ? 'The package holds updater.elf but no firmware image (.dup).'
        : 'The package holds no modem firmware (no .dup file with one of Pycom\'s names).',
      'Choose the firmware package (.zip) downloaded from Pycom, or the folder it was extracted to, with its .dup files.',
    );
  }

  const isOtherNetwork = modemNetwork !== undefined && release?.network !== undefined && release.network !== modemNetwork;
  if (isOtherNetwork) {
    flags.push({
      kind: 'other-network',
      severity: 'warn',
      message: `The package installs ${release.network} firmware; the modem runs ${modemNetwork}: a switch of network type, which only you can decide.`,
      action: 'Go on only if you mean to switch; otherwise choose the package for your network type.',
    });
  }
  const isStateKnown = modem.state !== undefined;
  const isBuildKnown = build !== undefined && (modem.state === 2 || modem.state === 1);
  if (!isStateKnown || (modem.state === 2 && build === undefined)) {
    flags.push({
      kind: 'unknown-modem',
      severity: 'note',
      message: `The modem's ${isStateKnown ? 'build' : 'state and build'} ${isStateKnown ? 'was' : 'were'} not read, so the full image is chosen: it applies to any build.`,
    });
  }

  // Two-stage release whose stage 1 already ran: the modem reports the build between the stages.
  const between = release ? buildAfterStage1({ kind: 'full', build: release.build, ...(release.network ? { network: release.network } : {}) }) : undefined;
  const hasStage1Run = between !== undefined && isBuildKnown && build === between && !isOtherNetwork;
  if (isBuildKnown && !isOtherNetwork && !hasStage1Run && build !== undefined) {
    if (build === target) {
      return refuse(
        'same-build',
        `The modem already runs build ${build}, the build this package installs.`,
        'Nothing to do. To install the same build again anyway, choose its full image as a file of its own.',
      );
    }
    if (build > target) {
      flags.push({
        kind: 'older-build',
        severity: 'warn',
        message: `The package installs build ${target}, older than the modem's build ${build}: a downgrade.`,
        action: 'Go on only if you mean to go back to the older build; otherwise choose a newer package.',
      });
    }
  }
  if (modem.state === 4) {
    flags.push({
      kind: 'upgrade-mode',
      severity: release && release.images.length > 1 ? 'warn' : 'note',
      message:
        'The modem is in upgrade mode (state 4): an earlier upgrade was interrupted; it is resumed with the full image, without updater.elf' +
        (release && release.images.length > 1 ? ', both stages in order, since which stage was interrupted is not known.' : '.'),
      ...(release && release.images.length > 1 ? { action: 'Go on to send both stages; if you know the interrupted file, choose that file alone instead.' } : {}),
    });
  }

  // The diff route: only from a known build in the application, for the same network.
  let firmware: Classified[] | undefined;
  let firstReason = '';
  if (modem.state === 2 && build !== undefined && !isOtherNetwork && build !== target) {
    const chain = diffChain(diffs, build, target);
    if (chain) {
      firmware = chain;
      firstReason = `modem runs ${build}`;
    }
  }
  if (!firmware) {
    if (!release) {
      const froms = [...new Set(diffs.map((d) => d.class.fromBuild))].join(', ');
      return refuse(
        'nothing-fits',
        modem.state === 0
          ? 'The modem is in its recovery bootrom (state 0): it needs the full image, and the package holds only diff files.'
          : `No file of the package applies to this modem: its diffs apply to build${diffs.length > 1 ? 's' : ''} ${froms}, ` +
              `the modem ${build !== undefined ? `runs build ${build}` : 'did not report its build'}, and the package has no full image.`,
        'Choose the full firmware package (.zip) from Pycom, which holds the full image for any build.',
      );
    }
    const images = [...release.images].sort((a, b) => (a.class.stage ?? 0) - (b.class.stage ?? 0));
    firmware = hasStage1Run ? images.filter((image) => image.class.stage === 2) : images;
    if (hasStage1Run) {
      for (const image of images.filter((i) => i.class.stage === 1)) {
        leftOut.push({ name: image.name, reason: `stage 1 already ran: the modem reports build ${between}, what stage 1 leaves` });
      }
      firstReason = `modem runs ${build}, stage 1 done`;
    } else if (modem.state === 0) firstReason = 'modem in recovery (state 0)';
    else if (modem.state === 4) firstReason = 'modem in upgrade mode (state 4)';
    else if (isOtherNetwork) firstReason = `switch from ${modemNetwork}`;
    else if (build !== undefined && isBuildKnown) firstReason = `modem runs ${build}, no diff from it`;
    else firstReason = "modem's build not read";
  }
  const isFull = firmware.some((file) => file.class.kind === 'full');

  // updater.elf: the recovery bootrom needs it, and so does an old bootrom taking a full image.
  const needsUpdater = isFull && (modem.state === 0 || (modem.state !== 4 && isOldBootrom(modem)));
  const updaterFile = needsUpdater ? updaters[0] : undefined;
  const updaterReason =
    modem.state === 0
      ? 'modem in recovery (state 0), updater.elf goes first'
      : `old bootrom (${modem.bootloader0Build !== undefined ? `Bootloader0 ${OLD_BOOTROM_BUILD}` : `build ${OLD_BOOTROM_BUILD}`}) and a full image`;
  // Names are unique by now: at most one updater.elf.
  const unusedUpdater = updaters[0] !== updaterFile ? updaters[0] : undefined;
  if (unusedUpdater) {
    leftOut.push({
      name: unusedUpdater.name,
      reason: !isFull
        ? 'a diff neither needs updater.elf nor can be combined with it'
        : modem.state === 4
          ? "state 4: the modem's updater already runs, so updater.elf is not sent again"
          : modem.state === undefined
            ? "the modem's state was not read; updater.elf is needed only by a modem in recovery, state 0"
            : `not needed: the modem is ${stateWords(modem.state)}${modem.state === 2 ? ' with a new bootrom' : ''}`,
    });
  }

  // Diffs and images not taken, each with why.
  for (const diff of diffs) {
    if (firmware.includes(diff)) continue;
    const from = diff.class.fromBuild;
    leftOut.push({
      name: diff.name,
      reason:
        modem.state === 0 || modem.state === 4
          ? `a diff; the modem ${stateWords(modem.state)} needs the full image`
          : isOtherNetwork
            ? 'a diff within one network type; a switch needs the full image'
            : build === undefined || !isBuildKnown
              ? `applies only to build ${from}, and the modem's build was not read`
              : `applies to build ${from}, and the modem runs ${build}`,
    });
  }
  if (release) {
    for (const image of release.images) {
      if (firmware.includes(image) || leftOut.some((l) => l.name === image.name)) continue;
      leftOut.push({ name: image.name, reason: `not needed: ${firmware.map((f) => f.name).join(', ')} applies to the modem's build ${build} and is smaller` });
    }
  }

  if (needsUpdater && !updaterFile) {
    leftOut.push({ name: 'updater.elf', reason: `needed, but the package holds none: ${updaterReason}` });
  }
  return finishChoice({ candidates, firmware, ...(updaterFile ? { updaterFile } : {}), updaterReason, firstReason, release, leftOut, flags, modem, options });
}
