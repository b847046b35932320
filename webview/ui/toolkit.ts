/**
 * Registers the toolkit's custom elements the wrappers in this folder create. The only
 * file that imports the toolkit: replacing it (e.g. by @vscode-elements) starts here.
 * Imported dynamically because the toolkit is an ES module and this project compiles
 * as CommonJS; esbuild inlines it into the page bundle all the same.
 */
export async function registerToolkit(): Promise<void> {
  const toolkit = await import('@vscode/webview-ui-toolkit');
  toolkit
    .provideVSCodeDesignSystem()
    .register(
      toolkit.vsCodeButton(),
      toolkit.vsCodeDataGrid(),
      toolkit.vsCodeDataGridRow(),
      toolkit.vsCodeDataGridCell(),
      toolkit.vsCodeDivider(),
    );
}
