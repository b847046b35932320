import type { HostToPanel } from '../../src/shared/panelMessages';

/** A transfer's progress message, `bytesDone` of 100 kB sent (its time as well), as the host posts it. */
export const progressAt = (bytesDone: number): HostToPanel => ({
  type: 'progress',
  step: 'transfer',
  fileIndex: 1,
  fileName: 'CATM1-41065.dup',
  bytesDone,
  bytesTotal: 100_000,
  bytesPerSecond: 5_000,
  etaMs: 10_000,
  atMs: bytesDone,
});
