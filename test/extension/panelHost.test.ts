import '../support/registerVscodeStub';
import { beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { __stub, createExtensionContext, StubWebviewPanel, Uri } from '../support/vscodeStub';
import { renderPanelHtml } from '../../src/views/panelHtml';
import { UpgradePanelHost, registerUpgradePanelSerializer } from '../../src/views/upgradePanel';
import { SessionLog } from '../../src/views/sessionLog';

beforeEach(() => __stub.reset());

function csp(html: string): string {
  return /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)![1]!;
}

test('the panel page has a nonce CSP, one nonce-carrying script and nothing remote', () => {
  const html = renderPanelHtml({
    cspSource: 'https://file+.vscode-resource.vscode-cdn.net',
    scriptUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview.js',
    styleUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/media/panel.css',
    nonce: 'abc123',
  });
  const policy = csp(html);
  assert.match(policy, /^default-src 'none'; /);
  assert.match(policy, /script-src 'nonce-abc123'/);
  assert.match(policy, /style-src https:\/\/file\+\.vscode-resource\.vscode-cdn\.net 'nonce-abc123'(;|$)/);
  assert.match(html, /<meta property="csp-nonce" content="abc123">/);
  assert.match(policy, /img-src \S+ data:/);
  assert.match(policy, /font-src /);
  assert.doesNotMatch(policy, /unsafe-inline|unsafe-eval|\*/);
  const scripts = html.match(/<script\b[^>]*>/g) ?? [];
  assert.equal(scripts.length, 1);
  assert.match(scripts[0]!, /nonce="abc123"/);
  assert.match(scripts[0]!, /src="[^"]+dist\/webview\.js"/);
  assert.doesNotMatch(html, /<style|\sstyle="|\son\w+=/i);
  const urls = html.match(/(?:https?:)?\/\/[^\s"')]+/g) ?? [];
  for (const url of urls) assert.match(url, /vscode-resource|vscode-cdn/, `remote URL ${url}`);
});

test('each page load gets a fresh nonce', () => {
  const options = { cspSource: 'x:', scriptUri: 'x:/a.js', styleUri: 'x:/a.css' };
  const a = csp(renderPanelHtml(options));
  const b = csp(renderPanelHtml(options));
  assert.notEqual(a, b);
  assert.match(a, /'nonce-[A-Za-z0-9_-]{20,}'/);
});

test('the host opens the panel with scripts, local roots dist and media, and webview URIs', () => {
  const context = createExtensionContext('/ext');
  const host = new UpgradePanelHost(context.extensionUri as unknown as never, new SessionLog(), {
    cancel() {},
    cancelBoard() {},
    copyReport() {},
    openTranscript() {},
  });
  host.show();
  const panel = __stub.panels[0]!;
  const options = panel.webview.options as { enableScripts: boolean; localResourceRoots: Uri[] };
  assert.equal(options.enableScripts, true);
  assert.deepEqual(options.localResourceRoots.map((u) => u.path), ['/ext/dist', '/ext/media']);
  assert.match(panel.webview.html, /src="vscode-resource:\/\/\/ext\/dist\/webview\.js"/);
  assert.match(panel.webview.html, /href="vscode-resource:\/\/\/ext\/media\/panel\.css"/);
  host.show();
  assert.equal(__stub.panels.length, 1, 'a second show reveals the same panel');
  assert.equal(panel.revealCount, 1);
  host.dispose();
});

test('the host ignores junk from the page and acts on valid messages only', () => {
  const calls: string[] = [];
  const host = new UpgradePanelHost(Uri.file('/ext') as never, new SessionLog(), {
    cancel: () => void calls.push('cancel'),
    cancelBoard: (portPath) => void calls.push(`cancelBoard ${portPath}`),
    copyReport: () => void calls.push('copyReport'),
    openTranscript: () => void calls.push('openTranscript'),
  });
  host.show();
  const panel = __stub.panels[0]!;
  for (const junk of [null, 'cancel', { type: 'Cancel' }, { type: 'eval', code: '1' }, [{ type: 'cancel' }]]) panel.sendFromPage(junk);
  assert.deepEqual(calls, []);
  panel.sendFromPage({ type: 'copyReport' });
  panel.sendFromPage({ type: 'cancel' });
  assert.deepEqual(calls, ['copyReport', 'cancel']);
  host.dispose();
});

test('a panel restored by VS Code after a reload is revived by the serializer and replays the session', async () => {
  const sessions = new SessionLog();
  const host = new UpgradePanelHost(Uri.file('/ext') as never, sessions, { cancel() {}, cancelBoard() {}, copyReport() {}, openTranscript() {} });
  registerUpgradePanelSerializer(host);
  const session = sessions.start({ kind: 'upgrade', title: 'Upgrade', portPath: 'sim:GPy' });
  sessions.record(session, { kind: 'log', level: 'info', message: 'hello', atMs: 1 });
  const restored = new StubWebviewPanel('pycomModem.upgradePanel', 'Modem Upgrade', {}, {});
  await __stub.serializers.get('pycomModem.upgradePanel')!.deserializeWebviewPanel(restored, {});
  assert.match(restored.webview.html, /Content-Security-Policy/);
  restored.sendFromPage({ type: 'ready' });
  const replay = restored.webview.posted[0] as { type: string; messages: { type: string; message?: string }[] };
  assert.equal(replay.type, 'replay');
  assert.deepEqual(replay.messages.map((m) => m.type), ['session', 'log']);
  host.dispose();
});

test('the host answers ready even without a session, so the page can say there is none', () => {
  const host = new UpgradePanelHost(Uri.file('/ext') as never, new SessionLog(), { cancel() {}, cancelBoard() {}, copyReport() {}, openTranscript() {} });
  host.show();
  const panel = __stub.panels.at(-1)!;
  panel.sendFromPage({ type: 'ready' });
  assert.deepEqual(panel.webview.posted, [{ type: 'replay', messages: [] }]);
  host.dispose();
});
