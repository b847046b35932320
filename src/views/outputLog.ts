import type * as vscode from 'vscode';
import { describeEvent } from './eventText';
import type { SessionLog } from './sessionLog';

/**
 * Mirrors every session event into the "Pycom Modem" log channel, at a level that
 * matches: AT exchanges and STP frames are trace (hidden unless asked for), progress
 * only every ten per cent.
 */
export function mirrorSessionsToOutput(sessions: SessionLog, channel: vscode.LogOutputChannel): () => void {
  const lastDecile = new Map<string, number>();
  return sessions.changes.on((change) => {
    if (change.kind === 'sessionStarted') {
      channel.info(`── ${change.session.title} on ${change.session.portPath} ──`);
      return;
    }
    const event = change.event;
    const text = describeEvent(event);
    switch (event.kind) {
      case 'at':
      case 'stp':
        channel.trace(text);
        return;
      case 'progress': {
        const key = `${change.session.id}/${event.step}/${event.fileIndex}`;
        const decile = event.bytesTotal > 0 ? Math.floor((event.bytesDone / event.bytesTotal) * 10) : 10;
        if (lastDecile.get(key) === decile) return;
        lastDecile.set(key, decile);
        channel.info(text);
        return;
      }
      case 'log':
        if (event.level === 'debug') channel.debug(text);
        else if (event.level === 'warn') channel.warn(text);
        else if (event.level === 'error') channel.error(text);
        else channel.info(text);
        return;
      case 'result':
        if (event.outcome === 'failed') channel.error(text);
        else channel.info(text);
        return;
      default:
        channel.info(text);
    }
  });
}
