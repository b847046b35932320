import '../support/registerVscodeStub';
import { createExtensionContext } from '../support/vscodeStub';
import { activate } from '../../src/extension';
import { FakeCore } from './fakeCore';

/** The extension activated in the VS Code stub with a fake core; dispose() undoes what it registered. */
export function activateWithFakeCore(core: FakeCore = new FakeCore()) {
  const context = createExtensionContext();
  const services = activate(context as never, { loadCore: async () => core });
  return { core, context, services, dispose: () => context.subscriptions.forEach((d) => d.dispose()) };
}
