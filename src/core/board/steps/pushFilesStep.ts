import { basename } from 'node:path';
import { ProgressPacer } from '../../engine/progressFigures';
import type { StepRunner, UnstampedEvent } from '../../engine/stepRunner';
import type { RawRepl } from '../../repl/rawRepl';
import { pushFile } from '../boardFiles';
import { DEFAULT_UPDATER_REMOTE_PATH, pushModuleFolder } from '../boardUpgradeTrigger';

/**
 * Step "push-files": the sqnsupgrade module for firmware before 1.20, and updater.elf
 * for the board's FFH method, each verified by hash on the board; skipped when the
 * normal method needs nothing on the board.
 */
export async function pushFilesStep(
  steps: StepRunner,
  repl: RawRepl,
  options: { signal: AbortSignal; emit: (event: UnstampedEvent) => void; updaterPath?: string; sqnsupgradeFolder?: string },
): Promise<void> {
  const { updaterPath, sqnsupgradeFolder, signal } = options;
  if (!updaterPath && !sqnsupgradeFolder) {
    steps.event('push-files', 'skip', 'nothing to copy: the normal method needs no file on the board');
    return;
  }
  await steps.run(
    'push-files',
    async () => {
      const pushed: string[] = [];
      if (sqnsupgradeFolder) {
        const results = await pushModuleFolder(repl, sqnsupgradeFolder, { signal });
        pushed.push(...results.map((r) => basename(r.remotePath)));
      }
      if (updaterPath) {
        const fileName = basename(updaterPath);
        let pacer: ProgressPacer | undefined;
        const result = await pushFile(repl, {
          localPath: updaterPath,
          remotePath: DEFAULT_UPDATER_REMOTE_PATH,
          signal,
          onProgress: (bytesDone, bytesTotal) => {
            pacer ??= new ProgressPacer(bytesTotal);
            const figures = pacer.sample(bytesDone);
            if (!figures) return;
            options.emit({
              kind: 'progress',
              step: 'push-files',
              fileIndex: 1,
              fileName,
              bytesDone,
              bytesTotal,
              bytesPerSecond: figures.bytesPerSecond,
              ...(figures.etaMs !== undefined ? { etaMs: figures.etaMs } : {}),
            });
          },
        });
        pushed.push(`${fileName}${result.skipped ? ' (already on the board)' : ''}`);
      }
      return pushed;
    },
    { whenDone: (pushed) => pushed.join(', ') },
  );
}
