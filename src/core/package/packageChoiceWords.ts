import type { ModemState } from '../parse/modemVersion';
import { TWO_STAGE_RELEASES } from '../preflight/firmwareRules';
import type { Classified, Release } from './packageReleases';

/** The words the choice's reasons are built from: a modem's state, a file, a release. */

export function stateWords(state: ModemState | undefined): string {
  switch (state) {
    case 0:
      return 'in its recovery bootrom (state 0)';
    case 1:
      return 'in mTools mode (state 1)';
    case 2:
      return 'running its application (state 2)';
    case 4:
      return 'in upgrade mode (state 4)';
    default:
      return 'in a state that was not read';
  }
}

export function describeFile(file: Classified): string {
  const c = file.class;
  if (c.kind === 'diff') return `diff ${c.fromBuild} → ${c.toBuild}`;
  if (c.kind === 'full') return `${c.network ?? ''} full image, build ${c.build}${c.stage ? `, stage ${c.stage}` : ''}`.trim();
  if (c.kind === 'updater') return 'the modem updater';
  return 'a file whose name is not one of Pycom\'s';
}

export function releaseWords(release: Release | undefined): string {
  if (!release) return 'the release';
  const twoStage = TWO_STAGE_RELEASES.find((r) => r.build === release.build);
  return `${release.network ?? twoStage?.network ?? ''} ${release.build}`.trim();
}
