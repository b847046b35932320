import { isLteBoard, releaseBefore120 } from '../diagnosis/evidenceReading';
import type { UpgradePath } from '../engine/upgradeEvents';
import { formatBytes, inspectFirmwareFile, type FirmwareNetwork } from '../parse/firmwareFile';
import { OLD_BOOTROM_BUILD, type ModemFirmwareKind } from '../parse/modemVersion';
import {
  baseName,
  FLASH_MARGIN_BYTES,
  FULL_IMAGE_AND_UPDATER,
  predictUpgradePath,
  readable,
  readableFirmware,
  type PreflightCheck,
  type PreflightVerdict,
} from './preflightFacts';
import { estimateUpgradeDuration, formatEstimate } from './upgradeEstimate';

export type { PreflightCheck, PreflightFacts, PreflightResult, PreflightStatus, PreflightVerdict } from './preflightFacts';

function pass(detail: string): PreflightVerdict {
  return { status: 'pass', detail };
}
function skip(detail: string): PreflightVerdict {
  return { status: 'skip', detail };
}
function warn(detail: string, action: string): PreflightVerdict {
  return { status: 'warn', detail, action };
}
function fail(detail: string, action: string): PreflightVerdict {
  return { status: 'fail', detail, action };
}


const PATH_WORDS: Record<UpgradePath, string> = {
  'on-the-fly': 'ON_THE_FLY (the full image streams into the modem)',
  fff: 'FFF (the file is staged in the modem, then applied)',
  recovery: 'recovery (updater.elf first, then the full image)',
  resume: 'resume the interrupted upgrade (state 4)',
};

function networkOf(kind: ModemFirmwareKind | undefined): FirmwareNetwork | undefined {
  return kind === 'CAT-M1' || kind === 'NB-IoT' ? kind : undefined;
}

/** The checks, in the order a person reads them: files, then the modem, then the board. */
export const PREFLIGHT_CHECKS: readonly PreflightCheck[] = [
  {
    id: 'files-readable',
    title: 'Firmware files present and readable',
    run(facts) {
      if (facts.firmware.length === 0) {
        return fail('No firmware file was given.', 'Pick the .dup file to install, e.g. CATM1-41065.dup (two-stage upgrades: the -1 file, then the -2 file).');
      }
      const unreadable = [...facts.firmware, ...(facts.updater ? [facts.updater] : [])].filter((f) => readable(f) === undefined);
      if (unreadable.length) {
        return fail(
          unreadable.map((f) => `${baseName(f.name)}: ${f.readError ?? 'cannot be read'}`).join('; '),
          'Check the paths; the files come from the Sequans firmware archive for your board.',
        );
      }
      const all = [...readableFirmware(facts), ...(readable(facts.updater) ? [readable(facts.updater)!] : [])];
      return pass(all.map((f) => `${f.name} (${formatBytes(f.size)})`).join(', '));
    },
  },
  {
    id: 'files-kind',
    title: 'Files are modem firmware of a sane size',
    run(facts) {
      const files = readableFirmware(facts);
      const updater = readable(facts.updater);
      if (!files.length && !updater) return skip('No readable file.');
      const fails: string[] = [];
      const warns: string[] = [];
      const actions: string[] = [];
      for (const file of files) {
        if (file.class.kind === 'updater') {
          fails.push(`${file.name} is the modem's updater, not a firmware image.`);
          actions.push('Give updater.elf as the updater, together with the full .dup image.');
        }
      }
      if (updater && updater.class.kind !== 'updater') {
        fails.push(`${updater.name} was given as the updater but is not updater.elf.`);
        actions.push('Give the updater.elf from the firmware archive as the updater.');
      }
      for (const file of [...files, ...(updater ? [updater] : [])]) {
        for (const problem of inspectFirmwareFile({ name: file.name, size: file.size, head: file.head })) {
          (problem.severity === 'fail' ? fails : warns).push(problem.message);
          actions.push(problem.action);
        }
      }
      const action = [...new Set(actions)].join(' ');
      if (fails.length) return fail([...fails, ...warns].join(' '), action);
      if (warns.length) return warn(warns.join(' '), action);
      const kinds = files.map((f) =>
        f.class.kind === 'diff'
          ? `${f.name}: diff ${f.class.fromBuild} → ${f.class.toBuild}`
          : `${f.name}: ${f.class.kind === 'full' ? `${f.class.network ?? ''} full image, build ${f.class.build}`.trim() : f.class.kind}`,
      );
      return pass(kinds.join('; ') + (updater ? `; ${updater.name}: updater` : ''));
    },
  },
  {
    id: 'diff-with-updater',
    title: 'No diff combined with updater.elf',
    run(facts) {
      if (!facts.updater) return skip('No updater.elf given.');
      const diff = readableFirmware(facts).find((file) => file.class.kind === 'diff');
      if (diff) {
        return fail(
          `${diff.name} is a differential upgrade; it cannot be combined with updater.elf.`,
          `Either drop updater.elf and send the diff to a modem that runs build ${diff.class.fromBuild ?? '<from>'}, or use ${FULL_IMAGE_AND_UPDATER}.`,
        );
      }
      return pass('updater.elf goes with a full image.');
    },
  },
  {
    id: 'stage-order',
    title: 'Two-stage files in order',
    run(facts) {
      const files = readableFirmware(facts);
      const stages = files.map((file) => file.class.stage);
      if (stages.every((stage) => stage === undefined)) return skip('Not a two-stage upgrade.');
      if (!stages.every((stage, index) => stage === index + 1)) {
        return fail(
          `Two-stage files must be given stage 1 then stage 2 (got ${files.map((f) => f.name).join(', ')}).`,
          'Give the ...-1.dup file first and the ...-2.dup file second, in one run.',
        );
      }
      if (stages.length === 1) {
        return warn(
          `Only stage 1 (${files[0]!.name}) was given.`,
          'Give the ...-2.dup file too, after the -1 file, so the modem does not stop between stages.',
        );
      }
      return pass(files.map((f) => f.name).join(' then '));
    },
  },
  {
    id: 'build-chain',
    title: "Diff matches the modem's build",
    run(facts) {
      const files = readableFirmware(facts);
      if (!files.some((file) => file.class.kind === 'diff')) return skip('No differential file.');
      let expected = facts.modem?.softwareBuild;
      const steps: string[] = [];
      for (const file of files) {
        if (file.class.kind === 'diff') {
          if (file.class.fromBuild === undefined) {
            return warn(`${file.name}: the build it applies to is not in its name.`, 'Use the upgdiff_<from>-to-<to>.dup file as published, not renamed.');
          }
          if (expected === undefined) {
            return warn(
              `The modem's build is not known yet; ${file.name} applies only to build ${file.class.fromBuild}.`,
              'Read the modem info first, or use the full image, which applies to any build.',
            );
          }
          if (file.class.fromBuild !== expected) {
            return fail(
              `${file.name} upgrades build ${file.class.fromBuild}, but the modem ${expected === facts.modem?.softwareBuild ? 'runs' : 'will run'} build ${expected}: the modem would answer "Patch didn't apply!".`,
              `Use upgdiff_${expected}-to-<target>.dup, or the full image (CATM1-<build>.dup / NB1-<build>.dup), which applies to any build.`,
            );
          }
          steps.push(`${file.class.fromBuild} → ${file.class.toBuild}`);
          expected = file.class.toBuild;
        } else {
          expected = file.class.build;
        }
      }
      return pass(`The modem runs build ${facts.modem?.softwareBuild}: ${steps.join(', ')}.`);
    },
  },
  {
    id: 'modem-path',
    title: 'Upgrade path and duration',
    run(facts) {
      const predicted = predictUpgradePath(facts);
      if (predicted.refusal) return fail(predicted.refusal.detail, predicted.refusal.action);
      if (!predicted.path) return skip('No readable firmware file to plan with.');
      const files = readableFirmware(facts);
      const estimate = estimateUpgradeDuration({
        path: predicted.path,
        firmwareBytes: files.map((f) => f.size),
        ...(readable(facts.updater) ? { updaterBytes: readable(facts.updater)!.size } : {}),
        ...(facts.baudRate ? { baudRate: facts.baudRate } : {}),
      });
      const timing = `${formatEstimate(estimate.totalMs)} (${formatEstimate(estimate.transferMs)} on the wire at ${Math.round(estimate.bytesPerSecond)} B/s, the rest the modem's own work).`;
      const notes: string[] = [];
      if (predicted.path === 'resume') notes.push('Use the same file as the interrupted upgrade.');
      if (facts.modem?.state === 2 && facts.updater && predicted.path !== 'recovery') {
        notes.push('The board ignores updater.elf when the bootrom does not need it ("FFH mode is not necessary").');
      }
      if (predicted.isExpected) {
        const condition =
          predicted.path === 'recovery'
            ? 'if the board puts the modem (old bootrom) into recovery, as its FFH method does'
            : 'if the modem runs its application';
        return pass(`Expected ${PATH_WORDS[predicted.path]} ${condition}; the state is read after the switch to mirror mode. ${timing}`);
      }
      return pass(`${PATH_WORDS[predicted.path]}, ${timing}${notes.length ? ` ${notes.join(' ')}` : ''}`);
    },
  },
  {
    id: 'old-bootrom',
    title: 'Bootrom needs the recovery method?',
    run(facts) {
      const bootrom = facts.modem?.bootloader0Build;
      if (bootrom === undefined) return skip("The modem's bootrom build is not known yet.");
      if (bootrom !== OLD_BOOTROM_BUILD) return pass(`Bootloader0 build ${bootrom}: no recovery needed.`);
      if (facts.updater) return pass(`Bootloader0 is the old ${OLD_BOOTROM_BUILD} bootrom; updater.elf is given for the recovery method.`);
      return warn(
        `Bootloader0 is the old ${OLD_BOOTROM_BUILD} bootrom, which needs the recovery method once.`,
        `Add updater.elf and use ${FULL_IMAGE_AND_UPDATER}; the board skips it if it turns out not to be needed.`,
      );
    },
  },
  {
    id: 'network-change',
    title: 'Same network type (CAT-M1 / NB-IoT)',
    run(facts) {
      const modemNetwork = networkOf(facts.modem?.kind);
      const fileNetwork = readableFirmware(facts).find((file) => file.class.network)?.class.network;
      if (!modemNetwork || !fileNetwork) return skip('The network type of the modem or the file is not known.');
      if (modemNetwork === fileNetwork) return pass(`${fileNetwork} firmware for a ${modemNetwork} modem.`);
      return warn(
        `The modem runs ${modemNetwork} firmware; the file installs ${fileNetwork}.`,
        'Go on only if you mean to switch the network type; your SIM and operator must support it.',
      );
    },
  },
  {
    id: 'board-lte',
    title: 'Board has an LTE modem',
    run(facts) {
      const board = facts.board;
      if (!board && facts.boardError !== undefined) {
        return fail(
          `The board did not answer at its REPL, so it could not be identified: ${facts.boardError.replace(/\.?$/, '.')}`,
          'Close every other program using the port (Pymakr, a serial monitor, another VS Code window or terminal), ' +
            'power-cycle the board (unplug it, plug it back; a board left in mirror mode by an earlier upgrade needs this), then try again.',
        );
      }
      if (!board) return skip('The board has not been identified.');
      const hasModem = board.hasLteModem ?? isLteBoard(board.machine);
      if (!hasModem) {
        return fail(`The board is a ${board.machine}, which has no LTE modem.`, 'Connect a GPy, FiPy or G01 and pick its port.');
      }
      return pass(`${board.machine}${board.release ? `, firmware ${board.release}` : ''}.`);
    },
  },
  {
    id: 'sqnsupgrade',
    title: 'sqnsupgrade available on the board',
    run(facts) {
      const board = facts.board;
      if (!board || board.hasSqnsupgrade === undefined) {
        if (board && releaseBefore120(board.release) && !facts.hasSqnsupgradeFiles) {
          return warn(`Firmware ${board.release} predates 1.20, which includes sqnsupgrade.`, 'Update the board firmware to 1.20 or later, or give the sqnsupgrade .py files to copy to /flash.');
        }
        return skip('Not checked on the board yet.');
      }
      if (board.hasSqnsupgrade) return pass('`import sqnsupgrade` works.');
      if (facts.hasSqnsupgradeFiles) return pass('The sqnsupgrade .py files will be copied to /flash first.');
      return fail(
        `The board${board.release ? ` (firmware ${board.release})` : ''} has no sqnsupgrade module; Pycom firmware includes it from 1.20 on.`,
        'Update the board firmware to 1.20 or later with the Pycom firmware updater, or give the sqnsupgrade .py files to copy to /flash.',
      );
    },
  },
  {
    id: 'flash-space',
    title: 'Room on /flash for updater.elf',
    run(facts) {
      const updater = readable(facts.updater);
      // The board's FFH method reads updater.elf from /flash whenever it is given, whatever the modem's state.
      if (!updater) return skip('No updater.elf to copy to /flash.');
      const free = facts.board?.flashFreeBytes;
      if (free === undefined) return skip('/flash free space is not known yet.');
      if (facts.board?.updaterOnFlashBytes === updater.size) return pass('An updater.elf of the same size is already on /flash (its hash is compared before copying).');
      // The old copy's space is freed only after the new copy is verified and renamed.
      if (free < updater.size) {
        return fail(
          `updater.elf needs ${formatBytes(updater.size)}; /flash has ${formatBytes(free)} free.`,
          'Delete files you no longer need from /flash, then check again. Only updater.elf goes to /flash; the .dup is sent from the computer.',
        );
      }
      if (free < updater.size + FLASH_MARGIN_BYTES) {
        return warn(
          `updater.elf (${formatBytes(updater.size)}) barely fits: /flash has ${formatBytes(free)} free.`,
          'Delete a few files from /flash to leave some room.',
        );
      }
      return pass(`updater.elf ${formatBytes(updater.size)}, /flash has ${formatBytes(free)} free.`);
    },
  },
];
