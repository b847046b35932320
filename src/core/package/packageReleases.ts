import type { FirmwareFileClass, FirmwareNetwork } from '../parse/firmwareFile';
import type { ModemFirmwareKind } from '../parse/modemVersion';
import { buildAfter } from '../preflight/firmwareRules';
import type { CandidateFile } from './packageChoice';

/**
 * A package's files as the chooser reasons about them: each classified by its name, the
 * full images grouped into the releases they install, and the chains of diffs between
 * builds, so the choice itself reads as decisions rather than list handling.
 */

export interface Classified extends CandidateFile {
  class: FirmwareFileClass;
}

export function networkOf(kind: ModemFirmwareKind | undefined): FirmwareNetwork | undefined {
  return kind === 'CAT-M1' || kind === 'NB-IoT' ? kind : undefined;
}

/** The release a package installs: its full images of one network and build (two-stage: both stages). */
export interface Release {
  network?: FirmwareNetwork;
  build: number;
  images: Classified[];
}

export function releasesOf(fulls: readonly Classified[]): Release[] {
  const byKey = new Map<string, Release>();
  for (const file of fulls) {
    const key = `${file.class.network ?? '?'}:${file.class.build}`;
    const release = byKey.get(key) ?? { ...(file.class.network ? { network: file.class.network } : {}), build: file.class.build!, images: [] };
    release.images.push(file);
    byKey.set(key, release);
  }
  return [...byKey.values()].sort((a, b) => b.build - a.build);
}

/** The diffs that take the modem from `from` to `target`, in order, or undefined (shortest chain first found, breadth first). */
export function diffChain(diffs: readonly Classified[], from: number, target: number): Classified[] | undefined {
  const queue: { build: number; chain: Classified[] }[] = [{ build: from, chain: [] }];
  const seen = new Set<number>([from]);
  while (queue.length) {
    const { build, chain } = queue.shift()!;
    for (const diff of diffs.filter((d) => d.class.fromBuild === build)) {
      const next = buildAfter(diff.class);
      if (next === undefined) continue;
      const longer = [...chain, diff];
      if (next === target) return longer;
      if (!seen.has(next) && next < target) {
        seen.add(next);
        queue.push({ build: next, chain: longer });
      }
    }
  }
  return undefined;
}
