import type { UpgradePath } from '../engine/upgradeEvents';
import { classifyFirmwareFileName, formatBytes, transferMethodName, type FirmwareFileClass, type FirmwareNetwork, type TransferMethod } from '../parse/firmwareFile';
import { OLD_BOOTROM_BUILD, type ModemFirmwareKind, type ModemState } from '../parse/modemVersion';
import { buildAfter, buildAfterStage1, orderStages, TWO_STAGE_RELEASES } from '../preflight/firmwareRules';
import { chooseTransferMethod, type TransferMethodOption } from '../preflight/transferMethod';
import { estimateUpgradeDuration, formatEstimate } from '../preflight/upgradeEstimate';
import { decideUpgradePath, isOldBootrom } from '../preflight/upgradePathRules';

/**
 * Which files of a firmware package the modem needs, from what it said of itself: pure
 * (no file, no port), so every case is a table row in a test. The choice only picks; the
 * preflight gate then runs on the picked files as on files given by hand, so the
 * documented rules (release steps, factory-only builds, the old bootrom, a network
 * switch) are enforced there, once, and only named here where they shape the choice.
 */

/** A file of the package, as read (firmwarePackage.ts): its name decides what it is. */
export interface CandidateFile {
  name: string;
  size: number;
  path: string;
}

/** What the modem said of itself before anything changed (the board's info(), or the host's read). */
export interface ChooserModem {
  /** Undefined: the state could not be read ("Cannot determine modem state!", or not read at all). */
  state?: ModemState;
  softwareBuild?: number;
  bootloader0Build?: number;
  kind?: ModemFirmwareKind;
}

export interface ChosenFile extends CandidateFile {
  role: 'firmware' | 'updater';
  class: FirmwareFileClass;
  /** Firmware only: the method it will be sent with. */
  method?: TransferMethod;
  /** One line: why this file ("modem runs 38638 → upgdiff_38638-to-41065.dup, 1.2 MiB, FFF, about 2 min"). */
  reason: string;
}

export interface LeftOutFile {
  name: string;
  reason: string;
}

/**
 * - other-network: the package installs the other network type (a switch is the user's
 *   choice: the gate's network-change check asks for the confirmation);
 * - older-build: a downgrade, confirmed by the user;
 * - same-build: the modem already runs the package's build (refused: nothing to do);
 * - upgrade-mode: state 4, an interrupted upgrade resumed with the full image;
 * - unknown-modem: the state or build was not read, so the full image (any build);
 * - nothing-fits: no file of the package can go to this modem (refused);
 * - two-networks: images for both network types, and the modem's is not known (refused);
 * - pick-missing: a file named to pick is not in the package (refused).
 */
export type ChoiceFlagKind = 'other-network' | 'older-build' | 'same-build' | 'upgrade-mode' | 'unknown-modem' | 'nothing-fits' | 'two-networks' | 'pick-missing';

export interface ChoiceFlag {
  kind: ChoiceFlagKind;
  /** note: said, nothing to confirm; warn: needs a confirmation; refuse: nothing is sent. */
  severity: 'note' | 'warn' | 'refuse';
  message: string;
  action?: string;
}

export interface FileChoice {
  /** In the order they are sent (two-stage: stage 1, then stage 2). */
  firmware: ChosenFile[];
  updater?: ChosenFile;
  /** The host half's path as predicted from the modem's state (undefined when the gate will refuse it). */
  path?: UpgradePath;
  /** The whole upgrade's expected duration, a guide. */
  estimatedMs?: number;
  leftOut: LeftOutFile[];
  flags: ChoiceFlag[];
  /** One line for a step or a log: "upgdiff_38638-to-41065.dup (FFF), about 2 min". */
  summary: string;
}

export interface ChooseOptions {
  /** The transfer method asked for ('auto' by default). */
  method?: TransferMethodOption;
  /** Names of package files to send instead of the choice (an expert's override); the gate still checks them. */
  pick?: readonly string[];
  /**
   * The board's updater runs first and, given updater.elf, its recovery (FFH) method
   * (the whole upgrade from the board's REPL; the default). False for the host half
   * alone (a board already in mirror mode): the path and duration are predicted for it.
   */
  boardRunsFfh?: boolean;
}

/** Flags the preflight gate raises itself: shown with the choice, confirmed once, by the gate. */
export const FLAGS_THE_GATE_RAISES: ReadonlySet<ChoiceFlagKind> = new Set(['other-network']);

interface Classified extends CandidateFile {
  class: FirmwareFileClass;
}

function networkOf(kind: ModemFirmwareKind | undefined): FirmwareNetwork | undefined {
  return kind === 'CAT-M1' || kind === 'NB-IoT' ? kind : undefined;
}

/** The release a package installs: its full images of one network and build (two-stage: both stages). */
interface Release {
  network?: FirmwareNetwork;
  build: number;
  images: Classified[];
}

function releasesOf(fulls: readonly Classified[]): Release[] {
  const byKey = new Map<string, Release>();
  for (const file of fulls) {
    const key = `${file.class.network ?? '?'}:${file.class.build}`;
    const release = byKey.get(key) ?? { ...(file.class.network ? { network: file.class.network } : {}), build: file.class.build!, images: [] };
    release.images.push(file);
    byKey.set(key, release);
  }
  return [...byKey.values()].sort((a, b) => b.build - a.build);
}

/** The diffs that take the modem from `from` to `target`, in order, or undefined (shortest chain first found, breadth first). */
function diffChain(diffs: readonly Classified[], from: number, target: number): Classified[] | undefined {
  const queue: { build: number; chain: Classified[] }[] = [{ build: from, chain: [] }];
  const seen = new Set<number>([from]);
  while (queue.length) {
    const { build, chain } = queue.shift()!;
    for (const diff of diffs.filter((d) => d.class.fromBuild === build)) {
      const next = buildAfter(diff.class);
      if (next === undefined) continue;
      const longer = [...chain, diff];
      if (next === target) return longer;
      if (!seen.has(next) && next < target) {
        seen.add(next);
        queue.push({ build: next, chain: longer });
      }
    }
  }
  return undefined;
}

function stateWords(state: ModemState | undefined): string {
  switch (state) {
    case 0:
      return 'in its recovery bootrom (state 0)';
    case 1:
      return 'in mTools mode (state 1)';
    case 2:
      return 'running its application (state 2)';
    case 4:
      return 'in upgrade mode (state 4)';
    default:
      return 'in a state that was not read';
  }
}

function describeFile(file: Classified): string {
  const c = file.class;
  if (c.kind === 'diff') return `diff ${c.fromBuild} → ${c.toBuild}`;
  if (c.kind === 'full') return `${c.network ?? ''} full image, build ${c.build}${c.stage ? `, stage ${c.stage}` : ''}`.trim();
  if (c.kind === 'updater') return 'the modem updater';
  return 'a file whose name is not one of Pycom\'s';
}

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

interface ChoiceParts {
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
function finishChoice({ candidates, firmware, updaterFile, updaterReason, firstReason, release, leftOut, flags, modem, options }: ChoiceParts): FileChoice {
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

/**
 * The files a person named (an override of the choice): sent as if given one by one,
 * stages in order; the gate checks them as it checks any files.
 */
function pickNamedFiles(candidates: readonly CandidateFile[], classified: readonly Classified[], names: readonly string[], modem: ChooserModem, options: ChooseOptions): FileChoice {
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

function releaseWords(release: Release | undefined): string {
  if (!release) return 'the release';
  const twoStage = TWO_STAGE_RELEASES.find((r) => r.build === release.build);
  return `${release.network ?? twoStage?.network ?? ''} ${release.build}`.trim();
}
