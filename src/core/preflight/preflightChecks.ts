import { isLteBoard, releaseBefore120 } from '../diagnosis/evidenceReading';
import type { UpgradePath } from '../engine/upgradeEvents';
import { formatBytes, inspectFirmwareFile, transferMethodName } from '../parse/firmwareFile';
import { evaluateFirmwareRules, FIRMWARE_RULES } from './firmwareRules';
import { fail, pass, skip, warn } from './preflightVerdicts';
import {
  baseName,
  firmwareRuleInput,
  FLASH_MARGIN_BYTES,
  plannedFirmware,
  predictUpgradePath,
  readable,
  readableFirmware,
  type PreflightCheck,
} from './preflightFacts';
import { estimateUpgradeDuration, formatEstimate } from './upgradeEstimate';

export type { PreflightCheck, PreflightFacts, PreflightResult, PreflightStatus, PreflightVerdict } from './preflightFacts';



const PATH_WORDS: Record<UpgradePath, string> = {
  'on-the-fly': 'ON_THE_FLY (the full image streams into the modem)',
  fff: 'FFF (the file is staged in the modem, then applied)',
  recovery: 'recovery (updater.elf first, then the full image)',
  resume: 'resume the interrupted upgrade (state 4)',
};

/** Each documented firmware rule is a check of its own; the engine enforces the same functions. */
const RULE_CHECKS: readonly PreflightCheck[] = FIRMWARE_RULES.map((rule) => ({
  id: rule.id,
  title: rule.title,
  run(facts) {
    const [verdict] = evaluateFirmwareRules(firmwareRuleInput(facts), [rule]);
    const { id: _id, title: _title, ...rest } = verdict!;
    return rest;
  },
}));

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
      const planned = new Map(plannedFirmware(facts).map((file) => [file.name, file.method]));
      const inspected = [
        ...files.map((file) => ({ file, role: 'firmware' as const, method: planned.get(file.name) })),
        ...(updater ? [{ file: updater, role: 'updater' as const, method: undefined }] : []),
      ];
      for (const { file, role, method } of inspected) {
        for (const problem of inspectFirmwareFile({ name: file.name, size: file.size, head: file.head, role, ...(method ? { method } : {}) })) {
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
  ...RULE_CHECKS,
  {
    id: 'transfer-method',
    title: 'Transfer method per file',
    run(facts) {
      const files = plannedFirmware(facts);
      if (!files.length) return skip('No readable firmware file.');
      const described = files.map((file) => `${file.name}: ${transferMethodName(file.method)} (${file.reason})`).join('; ');
      const overrides = files.flatMap((file) => (file.overrideWarning ? [file.overrideWarning] : []));
      if (overrides.length) return warn(overrides.join(' '), 'Go on only if you know why the documented method fails for this modem; otherwise use the automatic choice.');
      return pass(`${described}.`);
    },
  },
  {
    id: 'modem-path',
    title: 'Upgrade path and duration',
    run(facts) {
      const predicted = predictUpgradePath(facts);
      if (predicted.refusal) return fail(predicted.refusal.detail, predicted.refusal.action, predicted.refusal.actions);
      if (!predicted.path) return skip('No readable firmware file to plan with.');
      const files = readableFirmware(facts);
      const estimate = estimateUpgradeDuration({
        path: predicted.path,
        firmwareBytes: files.map((f) => f.size),
        ...(readable(facts.updater) && predicted.path === 'recovery' ? { updaterBytes: readable(facts.updater)!.size } : {}),
        ...(facts.baudRate ? { baudRate: facts.baudRate } : {}),
      });
      const line = facts.isSentByBoard ? "on the board's line to the modem" : 'on the wire';
      const timing = `${formatEstimate(estimate.totalMs)} (${formatEstimate(estimate.transferMs)} ${line} at ${Math.round(estimate.bytesPerSecond)} B/s, the rest the modem's own work).`;
      const notes: string[] = [];
      if (predicted.path === 'resume' && !predicted.isExpected) notes.push('Use the same file as the interrupted upgrade.');
      if (facts.boardRunsFfh && facts.modem?.state === 2 && facts.updater && !predicted.isExpected) {
        notes.push('The board ignores updater.elf when the bootrom does not need it ("FFH mode is not necessary").');
      }
      if (predicted.skipRecoveryBoot) notes.push('mTools mode: no reboot into the updater (AT+SMSWBOOT=3,1), as the published updater does.');
      if (predicted.isExpected && predicted.path === 'resume') {
        return pass(
          "Expected: the board's FFH method loads updater.elf into the modem before mirroring (rewriting an old bootrom first), so the host finds it in its updater " +
            `(state 4 or 2) and sends only the firmware, not updater.elf again. ${timing}`,
        );
      }
      if (predicted.isExpected) {
        const whenRead = facts.isSentByBoard ? "the board's updater reads the state before it sends anything" : 'the state is read after the switch to mirror mode';
        return pass(`Expected ${PATH_WORDS[predicted.path]} if the modem runs its application; ${whenRead}. ${timing}`);
      }
      return pass(`${PATH_WORDS[predicted.path]}, ${timing}${notes.length ? ` ${notes.join(' ')}` : ''}`);
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
