import { UsageError } from '../core/errors';
import { isPackagePath } from '../core/package/firmwarePackage';

/**
 * The firmware operands of an upgrade command line: loose .dup files (sent as given, as
 * always), or one package, a Pycom .zip or the folder it was extracted to, whose files
 * are chosen once the modem is read.
 */
export async function firmwareSource(operands: readonly string[], picks: readonly string[] = []): Promise<{ files: string[]; packageSource?: string; packagePick?: string[] }> {
  const packages: string[] = [];
  for (const operand of operands) if (await isPackagePath(operand)) packages.push(operand);
  if (packages.length === 0 && picks.length) {
    throw new UsageError('--pick names files of a firmware package, and no package was given.', 'Pass the package (.zip or its folder) with --pick, or the .dup files themselves without it.');
  }
  if (packages.length === 0) return { files: [...operands] };
  if (operands.length > 1) {
    throw new UsageError(
      `${packages[0]} is a firmware package: give it alone, not together with other files.`,
      'Pass either the package (.zip or its folder), whose files are chosen for the modem, or the .dup file(s) themselves.',
    );
  }
  return { files: [], packageSource: packages[0]!, ...(picks.length ? { packagePick: [...picks] } : {}) };
}
