import type { UpgradeEvent } from '../core/engine/upgradeEvents';
import type { CrashDump } from '../core/parse/crashDump';
import type { ModemVersionReport } from '../core/parse/modemVersion';
import { bytesToHex, type HostToPanel, type PanelCrashDump, type PanelModemInfo } from '../shared/panelMessages';
import type { RunRecord } from './sessionLog';

import { modemStateWords } from '../core/parse/modemStateWords';

export { modemStateWords };

export function toPanelModemInfo(report: ModemVersionReport): PanelModemInfo {
  return {
    software: report.softwareVersion,
    build: report.softwareBuild,
    lr: report.lrVersion,
    ue: report.ueVersion,
    imei: report.imei,
    kind: report.kind,
    bootloaders: report.bootloaders.map(
      (b) => `Bootloader${b.slot}${b.isActive ? '*' : ''}: ${b.version} [${b.build}]`,
    ),
    needsRecoveryBootromUpgrade: report.needsRecoveryBootromUpgrade,
  };
}

export function toPanelCrashDump(dump: CrashDump): PanelCrashDump {
  return {
    buildString: dump.buildString,
    build: dump.build,
    file: dump.file,
    line: dump.line,
    message: dump.message,
    assertionText: dump.assertionText,
    isTruncated: dump.isTruncated,
    rawHex: bytesToHex(dump.raw),
    warnings: [...dump.warnings],
  };
}

/**
 * What the panel shows of an engine event. Wire-level chatter (AT exchanges, STP
 * frames) stays in the log view and the transcript; the panel is for people.
 */
export function toPanelMessage(event: UpgradeEvent): HostToPanel | undefined {
  switch (event.kind) {
    case 'step':
      return {
        type: 'step',
        step: event.step,
        title: event.title,
        phase: event.phase,
        detail: event.detail,
        ...(event.wait ? { wait: { ...event.wait } } : {}),
        atMs: event.atMs,
      };
    case 'progress':
      return {
        type: 'progress',
        step: event.step,
        fileIndex: event.fileIndex,
        fileName: event.fileName,
        bytesDone: event.bytesDone,
        bytesTotal: event.bytesTotal,
        bytesPerSecond: event.bytesPerSecond,
        etaMs: event.etaMs,
        atMs: event.atMs,
      };
    case 'log':
      return event.level === 'debug' ? undefined : { type: 'log', level: event.level, message: event.message, atMs: event.atMs };
    case 'boardOutput':
      return { type: 'log', level: 'info', message: `board: ${event.line}`, atMs: event.atMs };
    case 'modemState':
      return { type: 'log', level: 'info', message: `Modem state ${event.state}: ${modemStateWords(event.state)}`, atMs: event.atMs };
    case 'plan':
      return { type: 'plan', path: event.path, files: [...event.files], estimatedMs: event.estimatedMs };
    case 'modemInfo':
      return { type: 'modemInfo', phase: event.phase, info: toPanelModemInfo(event.report) };
    case 'crashDump':
      return { type: 'crashDump', dump: toPanelCrashDump(event.dump) };
    case 'diagnosis':
      return {
        type: 'diagnosis',
        cause: event.diagnosis.cause,
        title: event.diagnosis.title,
        action: event.diagnosis.action,
        evidence: [...event.diagnosis.evidence],
      };
    case 'preflight':
      return {
        type: 'preflight',
        isReady: event.isReady,
        checks: event.results.map((r) => ({ id: r.id, title: r.title, status: r.status, detail: r.detail, ...(r.action ? { action: r.action } : {}) })),
      };
    case 'result':
      // A cancel has one story, the engine's (where the modem stands, how to continue):
      // the generic "run it again" action must not sit next to it.
      if (event.outcome === 'cancelled') {
        return { type: 'result', outcome: event.outcome, message: event.message, resumeHint: cancelledAdvice(event), transcriptPath: event.transcriptPath };
      }
      return {
        type: 'result',
        outcome: event.outcome,
        message: event.message,
        action: event.error?.action,
        resumeHint: event.resumeHint,
        transcriptPath: event.transcriptPath,
      };
    case 'at':
    case 'stp':
    case 'unsolicited':
      return undefined;
  }
}

export function sessionHeader(session: RunRecord): HostToPanel {
  return {
    type: 'session',
    sessionId: session.id,
    title: session.title,
    portPath: session.portPath,
    startedAtMs: session.startedAtEpochMs,
  };
}

/** The whole session as one message: the panel rebuilds its state from it on `ready`. */
export function sessionReplay(session: RunRecord): HostToPanel {
  const messages: HostToPanel[] = [sessionHeader(session)];
  for (const event of session.events) {
    const message = toPanelMessage(event);
    if (message) messages.push(message);
  }
  return { type: 'replay', messages };
}

/** What to do after a cancel, the same words in the toast and the panel: the engine's resume hint first. */
export function cancelledAdvice(result: Extract<UpgradeEvent, { kind: 'result' }>): string {
  return (
    result.resumeHint ??
    result.error?.action ??
    'Power-cycle the board, then run the upgrade again: it detects where the modem stands.'
  );
}
