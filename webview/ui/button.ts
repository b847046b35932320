import { el, type PanelDocument } from './dom';

export type ButtonAppearance = 'primary' | 'secondary' | 'icon';

/** A toolkit button; one wrapper so a move to another component library touches one file. */
export function button(
  doc: PanelDocument,
  label: string,
  onClick: () => void,
  options: { appearance?: ButtonAppearance; isDisabled?: boolean; title?: string } = {},
): HTMLElement {
  return el(
    doc,
    'vscode-button',
    {
      attrs: { appearance: options.appearance ?? 'secondary', disabled: options.isDisabled, title: options.title },
      onClick: () => {
        if (!options.isDisabled) onClick();
      },
    },
    label,
  );
}
