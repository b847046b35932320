import type { GlueCommand } from './glueCommand';

export const openPanelCommand: GlueCommand = {
  id: 'pycomModem.openPanel',
  run(services) {
    services.panel.show({ preserveFocus: false });
  },
};
