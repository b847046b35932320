import type { UpgradeEvent } from '../core/engine/upgradeEvents';
import { modemStateWords } from './panelEvents';
import { formatWaitText } from '../shared/waitText';
import { escapeControls } from '../core/parse/controlChars';

/** AT replies and board lines can hold control bytes; show them escaped, on one line. */
export function printable(text: string, maxChars = 200): string {
  const escaped = escapeControls(text, { '\r': '\\r', '\n': '\\n' });
  return escaped.length > maxChars ? `${escaped.slice(0, maxChars)}…` : escaped;
}

/** One line per event, for the log view, the output channel and the report. */
export function describeEvent(event: UpgradeEvent): string {
  switch (event.kind) {
    case 'step':
      if (event.phase === 'waiting' && event.wait) return formatWaitText(event.wait);
      return `${event.title}: ${event.phase}${event.detail ? ` (${event.detail})` : ''}`;
    case 'progress': {
      const percent = event.bytesTotal > 0 ? Math.floor((event.bytesDone / event.bytesTotal) * 100) : 100;
      return `${event.fileName}: ${event.bytesDone}/${event.bytesTotal} bytes (${percent} %)`;
    }
    case 'log':
      return event.message;
    case 'at':
      return `${printable(event.command)} → ${printable(event.reply.trim() || '(no text)')} ${event.final} (${Math.round(event.durationMs)} ms)`;
    case 'unsolicited':
      return `unsolicited: ${printable(event.line)}`;
    case 'stp':
      return `STP ${event.direction}: ${event.summary}`;
    case 'boardOutput':
      return `board: ${printable(event.line)}`;
    case 'plan':
      return `Plan: ${event.path} with ${event.files.join(', ')}`;
    case 'modemState':
      return `Modem state ${event.state}: ${modemStateWords(event.state)}`;
    case 'modemInfo':
      return `Modem version (${event.phase}): ${event.report.lrVersion ?? event.report.softwareVersion ?? 'unknown'}${
        event.report.softwareBuild ? ` build ${event.report.softwareBuild}` : ''
      }`;
    case 'crashDump':
      return `Crash dump: ${event.dump.file ?? 'unknown file'}${event.dump.line !== undefined ? `:${event.dump.line}` : ''} ${
        event.dump.message ? printable(event.dump.message, 120) : ''
      }`.trim();
    case 'diagnosis':
      return `Diagnosis: ${event.diagnosis.title} — ${event.diagnosis.action}`;
    case 'preflight': {
      const count = (status: string) => event.results.filter((r) => r.status === status).length;
      return `Preflight: ${event.isReady ? 'ready' : 'refused'} (${count('fail')} failed, ${count('warn')} warnings, ${count('pass')} passed)`;
    }
    case 'result':
      return `Result: ${event.outcome} — ${event.message}`;
  }
}
