import { cancelOperationCommand } from './cancelOperation';
import { copyDiagnosticReportCommand } from './copyDiagnosticReport';
import { decodeCrashDumpFileCommand } from './decodeCrashDumpFile';
import type { GlueCommand } from './glueCommand';
import { openPanelCommand } from './openPanel';
import { openReplCommand } from './openRepl';
import { openWalkthroughCommand } from './openWalkthrough';
import { openTranscriptsFolderCommand, refreshSessionsCommand } from './pastSessionsCommands';
import { pushFileCommand } from './pushFile';
import { readCrashDumpCommand } from './readCrashDump';
import { readModemInfoCommand } from './readModemInfo';
import { selectPortCommand } from './selectPort';
import { showLogCommand } from './showLog';
import { openSessionTranscriptCommand, showTranscriptCommand } from './showTranscript';
import { tryOnSimulatorCommand } from './tryOnSimulator';
import { upgradeModemCommand } from './upgradeModem';
import { upgradeSeveralBoardsCommand } from './upgradeSeveralBoards';

/** Every command the extension contributes; package.json lists the same ids (a test checks). */
export const ALL_COMMANDS: readonly GlueCommand[] = [
  upgradeModemCommand,
  upgradeSeveralBoardsCommand,
  openReplCommand,
  selectPortCommand,
  readModemInfoCommand,
  readCrashDumpCommand,
  pushFileCommand,
  openPanelCommand,
  showTranscriptCommand,
  tryOnSimulatorCommand,
  copyDiagnosticReportCommand,
  openSessionTranscriptCommand,
  cancelOperationCommand,
  showLogCommand,
  refreshSessionsCommand,
  openTranscriptsFolderCommand,
  decodeCrashDumpFileCommand,
  openWalkthroughCommand,
];
