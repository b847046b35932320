import type { GlueCommand } from './glueCommand';

export const showLogCommand: GlueCommand = {
  id: 'pycomModem.showLog',
  run(services) {
    services.output.show(true);
  },
};
