import { randomBytes } from 'node:crypto';

export interface PanelHtmlOptions {
  /** webview.cspSource */
  cspSource: string;
  /** webview.asWebviewUri(dist/webview.js) */
  scriptUri: string;
  /** webview.asWebviewUri(media/panel.css) */
  styleUri: string;
  nonce?: string;
}

/** A fresh script nonce per page load: the CSP admits only the script carrying it. */
export function createNonce(): string {
  return randomBytes(18).toString('base64url');
}

function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * The panel page: an empty root the script fills. No inline script or style, nothing
 * remote; the toolkit's styles go through constructable style sheets, which the CSP
 * style-src does not block. Our wrappers avoid the toolkit components that bind inline
 * style attributes (see webview/ui/badge.ts).
 */
export function renderPanelHtml(options: PanelHtmlOptions): string {
  const nonce = options.nonce ?? createNonce();
  const source = options.cspSource;
  const csp = [
    `default-src 'none'`,
    `script-src 'nonce-${nonce}'`,
    // The nonce lets the toolkit's (FAST) focus-visible probe add its one empty <style>
    // without a CSP violation; it reads the nonce from the csp-nonce meta below.
    `style-src ${source} 'nonce-${nonce}'`,
    `img-src ${source} data:`,
    `font-src ${source}`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeAttribute(csp)}">
<meta property="csp-nonce" content="${escapeAttribute(nonce)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${escapeAttribute(options.styleUri)}">
<title>Modem upgrade</title>
</head>
<body>
<main id="root"></main>
<script nonce="${escapeAttribute(nonce)}" src="${escapeAttribute(options.scriptUri)}"></script>
</body>
</html>
`;
}
