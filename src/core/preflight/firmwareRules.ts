import { UsageError } from '../errors';
import type { FirmwareFileClass, FirmwareNetwork } from '../parse/firmwareFile';
import { OLD_BOOTROM_BUILD, type ModemFirmwareKind, type ModemState } from '../parse/modemVersion';
import { isOldBootrom } from './upgradePathRules';
import { fail, pass, skip, warn } from './preflightVerdicts';

/**
 * The documented rules between firmware files and the modem, as data: preflight shows
 * each as a check, the engine enforces the same functions after it read the modem, so
 * the two cannot disagree. Each rule names where the rule comes from.
 */

export interface RuleFile {
  name: string;
  class: FirmwareFileClass;
}

/** What is known of the modem. Undefined fields were not read (state 0 and 4 answer no version commands). */
export interface RuleModem {
  state?: ModemState;
  softwareBuild?: number;
  bootloader0Build?: number;
  kind?: ModemFirmwareKind;
}

export interface FirmwareRuleInput {
  /** In the order given. */
  firmware: readonly RuleFile[];
  hasUpdater: boolean;
  /** The board's updater runs the FFH method first (see PreflightFacts.boardRunsFfh). */
  boardRunsFfh?: boolean;
  /** Undefined: the modem has not been read yet (preflight before mirror mode). */
  modem?: RuleModem;
}

export type RuleStatus = 'pass' | 'warn' | 'fail' | 'skip';

export interface RuleVerdict {
  status: RuleStatus;
  detail: string;
  action?: string;
}

export interface FirmwareRule {
  id: string;
  title: string;
  /** Where the rule is documented (PROTOCOL.md section 9 lists the sources). */
  source: string;
  check(input: FirmwareRuleInput): RuleVerdict;
}

/** A two-stage full upgrade and the build the modem reports between its stages. */
export interface TwoStageRelease {
  network: FirmwareNetwork;
  build: number;
  /** What ATI1 says after stage 1: LR5.1.1.0-39529 for CATM1-5.2-48829. */
  buildAfterStage1: number;
}

/** Source: Pycom's "Modem Firmware Update" page (pycom-documentation content/updatefirmware/ltemodem.md). */
export const TWO_STAGE_RELEASES: readonly TwoStageRelease[] = [{ network: 'CAT-M1', build: 48829, buildAfterStage1: 39529 }];

/** A release that must be reached through another one. Source: Pycom's "Modem Firmware Update" page. */
export interface ReleaseStep {
  from: number;
  to: number;
  via: number;
}

export const RELEASE_STEPS: readonly ReleaseStep[] = [{ from: 33080, to: 48829, via: 41065 }];

/**
 * Builds users cannot install. Source: Pycom's "Modem Firmware Update" page: new boards
 * ship with CAT-M1 5.4.1.0-50523, which is not published for users.
 */
export const FACTORY_ONLY_BUILDS: readonly number[] = [50523];

/** A board that shipped with this NB-IoT build could not go back after a switch (pycom-micropython-sigfox issue 379). */
export const NB_IOT_NO_RETURN_BUILD = 43818;

/** The build ATI1 reports after stage 1, when the release is one of the documented two-stage ones. */
export function buildAfterStage1(file: FirmwareFileClass): number | undefined {
  return TWO_STAGE_RELEASES.find((release) => release.build === file.build && (!file.network || release.network === file.network))?.buildAfterStage1;
}

/** The build the modem runs after `file`, when its name tells. */
export function buildAfter(file: FirmwareFileClass): number | undefined {
  if (file.kind === 'diff') return file.toBuild;
  if (file.stage === 1) return buildAfterStage1(file);
  return file.build;
}

/**
 * The files in the order they must be sent: stage files sorted -1 before -2 in the
 * places stage files took; everything else where it was given.
 */
export function orderStages<T extends RuleFile>(files: readonly T[]): { ordered: T[]; wasReordered: boolean } {
  const staged = files.filter((file) => file.class.stage !== undefined).sort((a, b) => a.class.stage! - b.class.stage!);
  let next = 0;
  const ordered = files.map((file) => (file.class.stage !== undefined ? staged[next++]! : file));
  return { ordered, wasReordered: ordered.some((file, index) => file !== files[index]) };
}

/** Full images, and files whose name says nothing (they are sent as full images). */
function isFullImage(file: RuleFile): boolean {
  return file.class.kind === 'full' || file.class.kind === 'unknown';
}


const FULL_IMAGE_WORDS = 'the full image (CATM1-<build>.dup or NB1-<build>.dup)';

function networkOfModem(kind: ModemFirmwareKind | undefined): FirmwareNetwork | undefined {
  return kind === 'CAT-M1' || kind === 'NB-IoT' ? kind : undefined;
}

function checkStages(input: FirmwareRuleInput): RuleVerdict {
  const staged = input.firmware.filter((file) => file.class.stage !== undefined);
  if (!staged.length) return skip('Not a two-stage upgrade.');
  const names = staged.map((file) => file.name).join(', ');
  const stageCount = (stage: 1 | 2) => staged.filter((file) => file.class.stage === stage).length;
  if (stageCount(1) > 1 || stageCount(2) > 1) {
    return fail(`A stage was given twice (${names}).`, 'Give each stage once: the ...-1.dup file and the ...-2.dup file of one release.');
  }
  // Chained diffs may carry -1/-2 too; their builds differ by design, the chain rule checks them.
  const stagedImages = staged.filter((file) => file.class.kind !== 'diff');
  if (new Set(stagedImages.map((file) => file.class.build)).size > 1) {
    return fail(`The stages belong to different releases (${names}).`, 'Give stage 1 and stage 2 of the same release, from the same firmware package.');
  }
  const stage1 = staged.find((file) => file.class.stage === 1);
  const stage2 = staged.find((file) => file.class.stage === 2);
  // A staged diff's place is fixed by its from-build, which the chain rule checks.
  if (stage2 && !stage1 && stage2.class.kind !== 'diff') {
    // Source: Pycom's "Modem Firmware Update" page: stage 2 only after stage 1, whose
    // end the modem shows as LR5.1.1.0-39529; the wrong order has bricked modems (forum topics 7590, 7763).
    const between = buildAfterStage1(stage2.class);
    const stage1Name = stage2.name.replace(/-2(\.dup)$/i, '-1$1');
    const action = `Give ${stage1Name} and ${stage2.name} together: they are sent in order, stage 1 then stage 2, in one upgrade.`;
    if (!input.modem) {
      return warn(
        `Only stage 2 (${stage2.name}) was given: it is refused unless the modem already runs ${between !== undefined ? `build ${between}, what stage 1 leaves` : 'what stage 1 leaves'}.`,
        action,
      );
    }
    const build = input.modem.softwareBuild;
    if (between !== undefined && build === between) return pass(`Stage 1 already ran: the modem runs build ${between}; ${stage2.name} goes next.`);
    return fail(
      `Only stage 2 (${stage2.name}) was given, and the modem ${build !== undefined ? `runs build ${build}` : 'did not report its build'}` +
        `: stage 2 is safe only after stage 1${between !== undefined ? ` (the modem then runs build ${between})` : ''}.`,
      action,
    );
  }
  if (!stage1 || !stage2) {
    if (!stage1) return pass(`${stage2!.name}: its from-build is checked against the modem's build.`);
    return warn(`Only stage 1 (${stage1.name}) was given.`, 'Give the ...-2.dup file too, after the -1 file, so the modem does not stop between stages.');
  }
  if (orderStages(input.firmware).wasReordered) {
    return warn(
      `The stages were given as ${names}; they will be sent stage 1 (${stage1!.name}) then stage 2 (${stage2!.name}).`,
      'Nothing to do: the order is corrected before the modem is touched. Give -1 before -2 next time.',
    );
  }
  return pass(`${stage1!.name} then ${stage2!.name}, with the modem's version read between them.`);
}

function checkBuildChain(input: FirmwareRuleInput): RuleVerdict {
  const files = orderStages(input.firmware).ordered;
  if (!files.some((file) => file.class.kind === 'diff')) return skip('No differential file.');
  const modemBuild = input.modem?.softwareBuild;
  let expected = modemBuild;
  let isFirst = true;
  const steps: string[] = [];
  for (const file of files) {
    if (file.class.kind === 'diff') {
      if (file.class.fromBuild === undefined) {
        return warn(`${file.name}: the build it applies to is not in its name.`, 'Use the upgdiff_<from>-to-<to>.dup file as published, not renamed.');
      }
      if (expected === undefined) {
        return warn(
          `${file.name} applies only to build ${file.class.fromBuild}; the modem's build is ${input.modem ? 'unknown (it did not report it)' : 'not known yet'}.`,
          `Read the modem info first, or use ${FULL_IMAGE_WORDS}, which applies to any build.`,
        );
      }
      if (file.class.fromBuild !== expected) {
        return fail(
          `${file.name} upgrades build ${file.class.fromBuild}, but the modem ${isFirst ? 'runs' : 'will run'} build ${expected}: the modem would answer "Patch didn't apply!".`,
          `Use upgdiff_${expected}-to-<target>.dup, or ${FULL_IMAGE_WORDS}, which applies to any build.`,
        );
      }
      steps.push(`${file.class.fromBuild} → ${file.class.toBuild}`);
    }
    expected = buildAfter(file.class);
    isFirst = false;
  }
  return pass(`The modem runs build ${modemBuild}: ${steps.join(', ')}.`);
}

function checkReleaseSteps(input: FirmwareRuleInput): RuleVerdict {
  const files = orderStages(input.firmware).ordered;
  const targets = RELEASE_STEPS.filter((step) => files.some((file) => file.class.build === step.to));
  if (!targets.length) return skip('No release that must be reached through another.');
  const known = input.modem?.softwareBuild;
  if (known === undefined) {
    const step = targets[0]!;
    return warn(
      `The modem's build is ${input.modem ? 'unknown' : 'not known yet'}: a modem on ${step.from} must go to ${step.via} before ${step.to}.`,
      `Read the modem info first; on build ${step.from}, install ${step.via} first.`,
    );
  }
  let current: number | undefined = known;
  for (const file of files) {
    const step = RELEASE_STEPS.find((s) => s.to === file.class.build && s.from === current);
    if (step) {
      return fail(
        `The modem ${current === known ? 'runs' : 'will run'} build ${step.from}; Pycom's instructions say a modem on ${step.from} must go to ${step.via} before ${step.to} (${file.name}).`,
        `Install build ${step.via} first (CATM1-${step.via}.dup, or upgdiff_${step.from}-to-${step.via}.dup), then ${step.to}.`,
      );
    }
    current = buildAfter(file.class);
  }
  return pass(`No step skipped from build ${known}.`);
}

function checkFactoryOnly(input: FirmwareRuleInput): RuleVerdict {
  const factory = input.firmware.find((file) => FACTORY_ONLY_BUILDS.includes(file.class.build ?? -1));
  if (!factory) return pass('No factory-only build among the files.');
  return fail(
    `${factory.name} installs build ${factory.class.build}, which new boards ship with; Pycom says users cannot install it.`,
    'Use a published firmware package (for example CATM1-41065 or CATM1-5.2-48829) instead.',
  );
}

function checkDiffWithUpdater(input: FirmwareRuleInput): RuleVerdict {
  if (!input.hasUpdater) return skip('No updater.elf given.');
  const diff = input.firmware.find((file) => file.class.kind === 'diff');
  if (diff) {
    return fail(
      `${diff.name} is a differential upgrade, which cannot be combined with updater.elf.`,
      `Either drop updater.elf and send the diff to a modem that runs build ${diff.class.fromBuild ?? '<from>'}, or use ${FULL_IMAGE_WORDS} with updater.elf.`,
    );
  }
  return pass('updater.elf goes with a full image.');
}

function checkOldBootrom(input: FirmwareRuleInput): RuleVerdict {
  const modem = input.modem;
  if (!modem || (modem.bootloader0Build === undefined && modem.softwareBuild === undefined)) return skip("The modem's bootrom build is not known yet.");
  if (!isOldBootrom(modem)) {
    return modem.bootloader0Build !== undefined ? pass(`Bootloader0 build ${modem.bootloader0Build}: no recovery needed.`) : skip("The modem's bootrom build is not known yet.");
  }
  // Pycom's page: from 33080 a full image needs updater.elf; an upgdiff file does not. The
  // board's info() reads the build but not Bootloader0: before mirror mode the build decides.
  const what = modem.bootloader0Build !== undefined ? `Bootloader0 is the old ${OLD_BOOTROM_BUILD} bootrom` : `The modem runs build ${OLD_BOOTROM_BUILD} (the old bootrom's)`;
  const full = input.firmware.find(isFullImage);
  if (!full) return pass(`${what}; a differential file does not need updater.elf.`);
  if (!input.hasUpdater) {
    return fail(
      `${what}: a full image (${full.name}) needs updater.elf, and none was given.`,
      `Add updater.elf from the same firmware package as ${full.name}, or use the upgdiff_${OLD_BOOTROM_BUILD}-to-<target>.dup file, which does not need it.`,
    );
  }
  if (input.boardRunsFfh) return pass(`${what}; the board's updater rewrites it with updater.elf (FFH) before the image is sent.`);
  // The host alone cannot rewrite a bootrom: in application mode it would send the full
  // image straight to the old bootrom, which is how modems were bricked.
  if (modem.state === 2 || modem.state === 1) {
    return fail(
      `${what}, and the modem runs its application: the host alone cannot rewrite the bootrom, so ${full.name} would go to the old bootrom.`,
      "Run the whole upgrade from the board's REPL with updater.elf (the board's updater rewrites the bootrom first: sqnsupgrade.uart(True, '/flash/updater.elf')), not the host half alone.",
    );
  }
  return pass(`${what}; updater.elf is given for the recovery method.`);
}

function checkNetworkSwitch(input: FirmwareRuleInput): RuleVerdict {
  const modemNetwork = networkOfModem(input.modem?.kind);
  const fileNetwork = input.firmware.find((file) => file.class.network)?.class.network;
  if (!modemNetwork || !fileNetwork) return skip('The network type of the modem or the file is not known.');
  if (modemNetwork === fileNetwork) return pass(`${fileNetwork} firmware for a ${modemNetwork} modem.`);
  const isNoReturnBoard = modemNetwork === 'NB-IoT' && input.modem?.softwareBuild === NB_IOT_NO_RETURN_BUILD;
  const noReturn = isNoReturnBoard
    ? ` Boards that shipped with NB-IoT ${NB_IOT_NO_RETURN_BUILD}, like this one, could not go back after a switch (pycom-micropython-sigfox issue 379).`
    : ` A switch may not be reversible: boards that shipped with NB-IoT ${NB_IOT_NO_RETURN_BUILD} could not go back after one (pycom-micropython-sigfox issue 379).`;
  return warn(
    `The modem runs ${modemNetwork} firmware; the files install ${fileNetwork}: a switch of network type.${noReturn}`,
    'Go on only if you mean to switch; your SIM and operator must support the other network type.',
  );
}

/** The rules in the order a person reads them. */
export const FIRMWARE_RULES: readonly FirmwareRule[] = [
  {
    id: 'diff-with-updater',
    title: 'No diff combined with updater.elf',
    source: 'PROTOCOL.md section 5; the published updater 1.2.7 (a diff goes FFF, updater.elf only with ON_THE_FLY)',
    check: checkDiffWithUpdater,
  },
  {
    id: 'stage-order',
    title: 'Two-stage files in order',
    source: "Pycom's Modem Firmware Update page (CATM1-5.2-48829 is a two-step upgrade); forum topics 7590, 7763",
    check: checkStages,
  },
  {
    id: 'build-chain',
    title: "Diff matches the modem's build",
    source: "PROTOCOL.md section 5: a diff applies only to its from-build (\"Patch didn't apply!\")",
    check: checkBuildChain,
  },
  {
    id: 'release-steps',
    title: 'No release step skipped',
    source: "Pycom's Modem Firmware Update page: from CAT-M1 33080 go to 41065 before 48829",
    check: checkReleaseSteps,
  },
  {
    id: 'factory-only-build',
    title: 'Firmware users can install',
    source: "Pycom's Modem Firmware Update page: CAT-M1 5.4.1.0-50523 ships on new boards and cannot be installed by users",
    check: checkFactoryOnly,
  },
  {
    id: 'old-bootrom',
    title: 'Old bootrom has updater.elf for a full image',
    source: "Pycom's Modem Firmware Update page: from 33080 a full image needs updater.elf, an upgdiff file does not",
    check: checkOldBootrom,
  },
  {
    id: 'network-change',
    title: 'Same network type (CAT-M1 / NB-IoT)',
    source: "Pycom's Modem Firmware Update page; pycom-micropython-sigfox issue 379",
    check: checkNetworkSwitch,
  },
];

export function evaluateFirmwareRules(input: FirmwareRuleInput, rules: readonly FirmwareRule[] = FIRMWARE_RULES): (RuleVerdict & { id: string; title: string })[] {
  return rules.map((rule) => ({ id: rule.id, title: rule.title, ...rule.check(input) }));
}

/**
 * The rules as the engine applies them: the first 'fail' becomes a UsageError (nothing
 * is sent), the 'warn' details come back for the log.
 */
export function enforceFirmwareRules(input: FirmwareRuleInput, rules: readonly FirmwareRule[] = FIRMWARE_RULES): string[] {
  const verdicts = evaluateFirmwareRules(input, rules);
  const refusal = verdicts.find((verdict) => verdict.status === 'fail');
  if (refusal) throw new UsageError(refusal.detail, refusal.action ?? 'Check the firmware files against the modem.');
  return verdicts.filter((verdict) => verdict.status === 'warn').map((verdict) => verdict.detail);
}
