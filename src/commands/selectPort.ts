import type { GlueCommand } from './glueCommand';
import { pickPort } from '../views/portPicker';

export const selectPortCommand: GlueCommand = {
  id: 'pycomModem.selectPort',
  async run(services) {
    services.watcher.start();
    const picked = await pickPort(() => services.watcher.refresh(), services.selection.current?.path);
    if (picked) await services.selection.select(picked);
    return picked?.path;
  },
};
