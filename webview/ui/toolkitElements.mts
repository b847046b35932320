// The toolkit's components the panel uses, each from its own module rather than the
// package index, so the bundle keeps only these (and the FAST code they need).
import { provideVSCodeDesignSystem } from '@vscode/webview-ui-toolkit/dist/vscode-design-system.js';
import { vsCodeButton } from '@vscode/webview-ui-toolkit/dist/button/index.js';
import { vsCodeDataGrid, vsCodeDataGridCell, vsCodeDataGridRow } from '@vscode/webview-ui-toolkit/dist/data-grid/index.js';
import { vsCodeDivider } from '@vscode/webview-ui-toolkit/dist/divider/index.js';

// Typed against the declaration toolkit.ts imports, so the two cannot drift apart.
export const registerToolkitElements: typeof import('pycom-webview-toolkit').registerToolkitElements = () => {
  provideVSCodeDesignSystem().register(vsCodeButton(), vsCodeDataGrid(), vsCodeDataGridRow(), vsCodeDataGridCell(), vsCodeDivider());
};
