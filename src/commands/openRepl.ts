import { portCapabilities } from '../glue/portProviders';
import type { GlueCommand } from './glueCommand';
import { resolvePort } from './operation';
import { replTerminalOptions } from './replTerminalProfile';

export const openReplCommand: GlueCommand = {
  id: 'pycomModem.openRepl',
  async run(services, portArgument) {
    const portPath = await resolvePort(services, portArgument);
    if (!portPath) return undefined;
    const { createReplTerminal } = await import('../views/replTerminal.js');
    if (portCapabilities(portPath).isListedByOs) services.watcher.start();
    // The same terminal as the terminal profile's "+" menu entry.
    const { terminal, pty } = createReplTerminal(replTerminalOptions(services, portPath));
    terminal.show();
    return pty;
  },
};
