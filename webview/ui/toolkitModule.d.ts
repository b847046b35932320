/** webview/ui/toolkitElements.mts, as scripts/build.mjs aliases it (see toolkit.ts for why). */
declare module 'pycom-webview-toolkit' {
  /** Registers the toolkit's custom elements the panel uses (vscode-button, vscode-data-grid…). */
  export function registerToolkitElements(): void;
}
