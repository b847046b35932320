import type { UpgradeEvent } from '../engine/upgradeEvents';
import { escapeControls } from '../parse/controlChars';

const HEX_BYTES_PER_LINE = 32;

export function hexLines(bytes: Uint8Array, bytesPerLine = HEX_BYTES_PER_LINE): string[] {
  const lines: string[] = [];
  for (let offset = 0; offset < bytes.length; offset += bytesPerLine) {
    const chunk = bytes.subarray(offset, offset + bytesPerLine);
    lines.push(`${offset.toString(16).padStart(6, '0')}  ${Buffer.from(chunk).toString('hex')}`);
  }
  return lines;
}

/** Control characters made visible, so one event stays one transcript line. */
export function visible(text: string): string {
  return escapeControls(text, { '\n': ' | ', '\r': '' });
}

/**
 * An event as transcript lines (without time stamps). Pure, so the transcript, a
 * "copy log" button and tests agree on the text.
 */
export function formatTranscriptEvent(event: UpgradeEvent): string[] {
  switch (event.kind) {
    case 'step':
      return [`STEP ${event.step} ${event.phase}: ${event.title}${event.detail ? ` — ${visible(event.detail)}` : ''}`];
    case 'progress':
      return [
        `PROGRESS ${event.step} file ${event.fileIndex} ${event.fileName}: ${event.bytesDone}/${event.bytesTotal} bytes` +
          (event.bytesPerSecond > 0 ? `, ${Math.round(event.bytesPerSecond)} B/s` : '') +
          (event.etaMs !== undefined ? `, ETA ${Math.round(event.etaMs / 1000)} s` : ''),
      ];
    case 'log':
      return [`${event.level.toUpperCase()} ${visible(event.message)}`];
    case 'at':
      return [`AT> ${visible(event.command)}`, `AT< ${visible(event.reply)}${event.reply ? ' | ' : ''}${visible(event.final)} (${Math.round(event.durationMs)} ms)`];
    case 'unsolicited':
      return [`AT< (unsolicited) ${visible(event.line)}`];
    case 'stp':
      return [`STP ${event.direction} ${event.summary}`];
    case 'boardOutput':
      return [`BOARD ${visible(event.line)}`];
    case 'plan':
      return [
        `PLAN ${event.path}: ${event.files.join(', ')}` +
          (event.estimatedMs !== undefined ? ` (about ${Math.round(event.estimatedMs / 1000)} s of transfer)` : ''),
      ];
    case 'modemState':
      return [`MODEM state ${event.state}`];
    case 'modemInfo':
      return [`MODEM ${event.phase}: ${JSON.stringify({ ...event.report, showverText: undefined })}`];
    case 'crashDump': {
      const dump = event.dump;
      return [
        `CRASHDUMP build=${dump.build ?? '?'} file=${dump.file ?? '?'} line=${dump.line ?? '?'} truncated=${dump.isTruncated}` +
          ` received=${dump.receivedLength} declared=${dump.declaredTotalLength ?? '?'}`,
        ...(dump.assertionText ? [`CRASHDUMP text: ${visible(dump.assertionText)}`] : []),
        ...hexLines(dump.raw).map((l) => `CRASHDUMP hex ${l}`),
      ];
    }
    case 'diagnosis':
      return [`DIAGNOSIS ${event.diagnosis.cause}: ${event.diagnosis.title} — ${event.diagnosis.action}`];
    case 'preflight':
      return [
        `PREFLIGHT ${event.isReady ? 'ready' : 'refused'}`,
        ...event.results.filter((r) => r.status !== 'skip').map((r) => `PREFLIGHT ${r.status} ${r.id}: ${visible(r.detail)}`),
      ];
    case 'result':
      return [
        `RESULT ${event.outcome}: ${visible(event.message)}`,
        ...(event.error ? [`ERROR ${event.error.code}${event.error.step ? ` in ${event.error.step}` : ''}: ${visible(event.error.message)}`, `ACTION ${visible(event.error.action)}`] : []),
        ...(event.resumeHint ? [`RESUME ${visible(event.resumeHint)}`] : []),
      ];
  }
}
