import { parseHostToPanel, type PanelToHost } from '../src/shared/panelMessages';
import { initialPanelState, reducePanel, type PanelState } from './panelState';
import { patchChildren } from './patchDom';
import { renderPanel } from './render';
import { registerToolkit } from './ui/toolkit';

interface VsCodeApi {
  postMessage(message: PanelToHost): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

/** What getState returns was stored by this page, but across versions: check its shape. */
function restoredState(saved: unknown): PanelState {
  if (typeof saved !== 'object' || saved === null) return initialPanelState;
  const s = saved as Partial<PanelState>;
  if (!Array.isArray(s.steps) || !Array.isArray(s.logs) || !Array.isArray(s.diagnoses)) return initialPanelState;
  // Log lines saved by an older page have no number; they key the panel's log lines.
  const logs = s.logs.map((line, index) => ({ ...line, seq: typeof line.seq === 'number' ? line.seq : index + 1 }));
  return { ...initialPanelState, ...s, logs } as PanelState;
}

async function start(): Promise<void> {
  await registerToolkit();
  const api = acquireVsCodeApi();
  const root = document.getElementById('root')!;
  let state = restoredState(api.getState());
  let isRenderQueued = false;

  const actions = {
    cancel: () => api.postMessage({ type: 'cancel' }),
    copyReport: () => api.postMessage({ type: 'copyReport' }),
    openTranscript: () => api.postMessage({ type: 'openTranscript' }),
    toggleHex: () => update({ ...state, isHexShown: !state.isHexShown }),
    cancelBoard: (portPath: string) => api.postMessage({ type: 'cancelBoard', portPath }),
    showBoard: (portPath: string) => api.postMessage({ type: 'showBoard', portPath }),
  };

  // Progress arrives per block; draw at most once a frame, and patch the page in place
  // rather than replace it, so focus (on Cancel) and a selection (in the log) survive.
  function update(next: PanelState): void {
    state = next;
    if (isRenderQueued) return;
    isRenderQueued = true;
    requestAnimationFrame(() => {
      isRenderQueued = false;
      patchChildren(root, [renderPanel(state, document, actions)]);
      api.setState(state);
    });
  }

  window.addEventListener('message', (event: MessageEvent<unknown>) => {
    const message = parseHostToPanel(event.data);
    if (message) update(reducePanel(state, message));
  });
  update(state);
  // The host answers with the whole current session, then sends live messages.
  api.postMessage({ type: 'ready' });
}

void start();
