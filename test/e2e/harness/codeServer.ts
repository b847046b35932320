import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProcessGroup, TrackedProcess } from './processes';
import { Deadline, pollUntil } from './waits';

/** A throw-away VS Code profile: nothing of the developer's own VS Code is read or written. */
export interface WorkbenchProfile {
  rootDir: string;
  userDataDir: string;
  extensionsDir: string;
  workspaceDir: string;
}

/** User settings that keep the workbench quiet and its content readable by the suite. */
const TEST_USER_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'security.workspace.trust.enabled': false,
  'extensions.ignoreRecommendations': true,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  // The DOM renderer keeps terminal text in the page, where the suite can read it.
  'terminal.integrated.gpuAcceleration': 'off',
  'window.commandCenter': false,
  'chat.commandCenter.enabled': false,
  'workbench.colorTheme': 'Default Dark Modern',
  // The port item stays hidden until a board or a picked port asks for it (statusBar
  // auto); the scenarios of run.test.ts click it to pick a port, so a profile shows it
  // unless its settings say otherwise (citizen.test.ts checks auto).
  'pycomModem.statusBar': 'always',
};

export function createProfile(extraSettings: Record<string, unknown> = {}): WorkbenchProfile {
  const rootDir = mkdtempSync(join(tmpdir(), 'pycom-e2e-'));
  const profile: WorkbenchProfile = {
    rootDir,
    userDataDir: join(rootDir, 'user-data'),
    extensionsDir: join(rootDir, 'extensions'),
    workspaceDir: join(rootDir, 'workspace'),
  };
  mkdirSync(join(profile.userDataDir, 'User'), { recursive: true });
  mkdirSync(profile.extensionsDir, { recursive: true });
  mkdirSync(profile.workspaceDir, { recursive: true });
  writeFileSync(join(profile.userDataDir, 'User', 'settings.json'), JSON.stringify({ ...TEST_USER_SETTINGS, ...extraSettings }, null, 2));
  writeFileSync(join(profile.workspaceDir, 'main.py'), 'import pycom\nprint("hello from the e2e workspace")\n');
  return profile;
}

export function removeProfile(profile: WorkbenchProfile): void {
  rmSync(profile.rootDir, { recursive: true, force: true });
}

function codeServerArgs(entry: string, profile: WorkbenchProfile): string[] {
  return [entry, '--user-data-dir', profile.userDataDir, '--extensions-dir', profile.extensionsDir, '--disable-telemetry', '--disable-update-check'];
}

/** `code-server --install-extension <vsix>`: the same path a user takes with a downloaded VSIX. */
export async function installExtension(group: ProcessGroup, entry: string, profile: WorkbenchProfile, vsixPath: string, deadline: Deadline): Promise<string> {
  const installer = group.spawn('code-server --install-extension', process.execPath, [...codeServerArgs(entry, profile), '--install-extension', vsixPath]);
  const exitCode = await Promise.race([
    installer.exited,
    new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), deadline.remainingMs()).unref()),
  ]);
  if (exitCode !== 0) throw new Error(`installing ${vsixPath} failed (${exitCode}):\n${installer.output().slice(-3000)}`);
  if (!/successfully installed/i.test(installer.output())) throw new Error(`code-server did not confirm the install:\n${installer.output()}`);
  return installer.output();
}

export function freeLocalPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface RunningCodeServer {
  url: string;
  process: TrackedProcess;
}

export async function startCodeServer(group: ProcessGroup, entry: string, profile: WorkbenchProfile, deadline: Deadline): Promise<RunningCodeServer> {
  const port = await freeLocalPort();
  const server = group.spawn(
    'code-server',
    process.execPath,
    [...codeServerArgs(entry, profile), '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--disable-workspace-trust', '--disable-getting-started-override', profile.workspaceDir],
    { env: { ...process.env, SERVICE_URL: '', ITEM_URL: '' } },
  );
  await server.waitForOutput(/HTTP server listening on http:\/\/127\.0\.0\.1:\d+/, deadline);
  return { url: `http://127.0.0.1:${port}/?folder=${encodeURIComponent(profile.workspaceDir)}`, process: server };
}

/** The server-side extension host's log, once the workbench has started one. */
export function extensionHostLogPath(profile: WorkbenchProfile): string | undefined {
  const logsDir = join(profile.userDataDir, 'logs');
  if (!existsSync(logsDir)) return undefined;
  for (const session of readdirSync(logsDir).sort().reverse()) {
    const candidate = join(logsDir, session, 'exthost1', 'remoteexthost.log');
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

export function readExtensionHostLog(profile: WorkbenchProfile): string {
  const path = extensionHostLogPath(profile);
  return path ? readFileSync(path, 'utf8') : '';
}

export function waitForExtensionHostLog(profile: WorkbenchProfile, pattern: RegExp, deadline: Deadline): Promise<RegExpMatchArray> {
  return pollUntil(
    () => readExtensionHostLog(profile).match(pattern) ?? undefined,
    deadline,
    () => `remoteexthost.log tail:\n${readExtensionHostLog(profile).slice(-3000) || '(no log yet)'}`,
  );
}
