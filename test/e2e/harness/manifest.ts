import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface ContributedCommand {
  command: string;
  title: string;
  category?: string;
}

export interface ExtensionManifest {
  name: string;
  publisher: string;
  version: string;
  contributes?: {
    commands?: ContributedCommand[];
    menus?: { commandPalette?: { command: string; when?: string }[] };
  };
}

/** package.json with its `%key%` strings replaced from package.nls.json, as VS Code shows them. */
export function readManifest(repoRoot: string): ExtensionManifest {
  const nlsPath = join(repoRoot, 'package.nls.json');
  const nls = existsSync(nlsPath) ? (JSON.parse(readFileSync(nlsPath, 'utf8')) as Record<string, string>) : {};
  return JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'), (_key, value: unknown) => {
    const placeholder = typeof value === 'string' ? /^%([^%]+)%$/.exec(value) : null;
    return placeholder && placeholder[1]! in nls ? nls[placeholder[1]!] : value;
  }) as ExtensionManifest;
}

export function extensionId(manifest: ExtensionManifest): string {
  return `${manifest.publisher}.${manifest.name}`;
}

/** "Pycom: Upgrade Modem" as the palette shows it. */
export function paletteTitle(command: ContributedCommand): string {
  return command.category ? `${command.category}: ${command.title}` : command.title;
}

/**
 * The commands a fresh window's palette should offer: all contributed ones except those
 * a `commandPalette` menu entry hides until a context key the extension sets later holds
 * (`false`, `pycomModem.busy`). Context keys are unset at start, so a clause made only of
 * keys (joined by &&) is false, and `!key` is true.
 */
export function commandsVisibleAtStart(manifest: ExtensionManifest): { id: string; title: string }[] {
  const hidden = new Set(
    (manifest.contributes?.menus?.commandPalette ?? [])
      .filter((entry) => entry.when !== undefined && !isTrueWithNoContext(entry.when))
      .map((entry) => entry.command),
  );
  return (manifest.contributes?.commands ?? [])
    .filter((command) => !hidden.has(command.command))
    .map((command) => ({ id: command.command, title: paletteTitle(command) }));
}

function isTrueWithNoContext(when: string): boolean {
  return when.split('&&').every((term) => {
    const t = term.trim();
    if (t === 'true') return true;
    if (t === 'false') return false;
    if (/^![\w.]+$/.test(t)) return true;
    if (/^[\w.]+$/.test(t)) return false;
    // Anything richer (==, =~, ||) is not evaluated: assume it may show.
    return true;
  });
}
