import * as vscode from 'vscode';
import type { TransferMethodChoice } from '../glue/modemCore';
import type { PreflightResult } from '../core/preflight/preflight';

const UPGRADE = vscode.l10n.t('Upgrade');
const CHOOSE_METHOD = vscode.l10n.t('Advanced: Method…');

/**
 * The preflight's confirmation. "Advanced" lets an expert override the transfer method
 * that Pycom's rules choose (size, two-stage, updater.elf); `other` is a button for
 * another way to do it (the SD card method), answered 'other'; undefined when declined.
 */
export async function confirmUpgrade(question: string, detail: string, other?: string): Promise<TransferMethodChoice | 'other' | undefined> {
  let method: TransferMethodChoice = 'auto';
  for (;;) {
    const methodNote = method === 'auto' ? '' : `\n\n${vscode.l10n.t('Method forced by you: {0}.', METHOD_WORDS[method])}`;
    const choice = await vscode.window.showWarningMessage(
      question,
      { modal: true, detail: `${detail}${methodNote}` },
      UPGRADE,
      ...(other ? [other] : []),
      CHOOSE_METHOD,
    );
    if (choice === UPGRADE) return method;
    if (other && choice === other) return 'other';
    if (choice !== CHOOSE_METHOD) return undefined;
    const picked = await vscode.window.showQuickPick(
      (Object.keys(METHOD_WORDS) as TransferMethodChoice[]).map((id) => ({ id, label: METHOD_WORDS[id], picked: id === method })),
      {
        title: vscode.l10n.t('Transfer method (experts only)'),
        placeHolder: vscode.l10n.t("Automatic follows Pycom's documented rules; override only if you know why"),
      },
    );
    if (picked) method = picked.id;
  }
}

const METHOD_WORDS: Record<TransferMethodChoice, string> = {
  auto: vscode.l10n.t("Automatic (Pycom's rules: over 4 MiB or stage 1 of a two-stage upgrade ON_THE_FLY, else FFF)"),
  'on-the-fly': vscode.l10n.t('ON_THE_FLY for every file (load_fff=False)'),
  fff: vscode.l10n.t('FFF for every file (staged, then applied)'),
};

export function warningKey(result: PreflightResult): string {
  return `${result.id}\u0000${result.detail}`;
}

/** Warnings that appeared once the board read the modem (e.g. a network switch): the run waits for this answer. */
export async function confirmNewWarnings(portPath: string, warnings: readonly PreflightResult[]): Promise<boolean> {
  const goOn = vscode.l10n.t('Go On');
  const choice = await vscode.window.showWarningMessage(
    warnings.length === 1
      ? vscode.l10n.t('The modem on {0} raised a warning. Go on with the upgrade?', portPath)
      : vscode.l10n.t('The modem on {0} raised {1} warnings. Go on with the upgrade?', portPath, warnings.length),
    { modal: true, detail: warnings.map((w) => `${w.title}: ${w.detail}${w.action ? `\n→ ${w.action}` : ''}`).join('\n\n') },
    goOn,
  );
  return choice === goOn;
}
