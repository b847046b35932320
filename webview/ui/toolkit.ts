import { registerToolkitElements } from 'pycom-webview-toolkit';

/**
 * Registers the toolkit's custom elements the wrappers in this folder create. Replacing
 * the toolkit (deprecated upstream; @vscode-elements/elements is its successor) starts
 * in toolkitElements.mts, the only file that imports it.
 *
 * That file is an ES module (as the toolkit is) behind a module name that
 * scripts/build.mjs aliases and toolkitModule.d.ts declares: this project compiles as
 * CommonJS, which may not import an ES module statically, and a dynamic import() would
 * make esbuild keep every component and all of FAST foundation in the page script.
 */
export async function registerToolkit(): Promise<void> {
  registerToolkitElements();
}
