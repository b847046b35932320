import { isSimulatedPort } from './modemCore';
import type { GlueCommand } from './glueCommand';
import { resolvePort } from './operation';

export const openReplCommand: GlueCommand = {
  id: 'pycomModem.openRepl',
  async run(services, portArgument) {
    const portPath = await resolvePort(services, portArgument);
    if (!portPath) return undefined;
    const { createReplTerminal } = await import('../views/replTerminal.js');
    if (!isSimulatedPort(portPath)) services.watcher.start();
    const { terminal, pty } = createReplTerminal({
      portPath,
      baudRate: services.settings().replBaudRate,
      ownerFor: (path) => services.ownerFor(path),
      ports: isSimulatedPort(portPath) ? undefined : services.watcher,
      // A simulated board left in mirror mode is power-cycled rather than waited for.
      beforeConnect: isSimulatedPort(portPath)
        ? async () => {
            const note = await (await services.loadCore()).readySimulatedBoard(portPath);
            if (note) services.output.info(note);
            return note;
          }
        : undefined,
    });
    terminal.show();
    return pty;
  },
};
