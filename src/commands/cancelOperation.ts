import { OperationAbortedError } from '../core/errors';
import type { GlueCommand } from './glueCommand';

export const cancelOperationCommand: GlueCommand = {
  id: 'pycomModem.cancelOperation',
  run(services) {
    services.activeOperation?.abort(new OperationAbortedError('cancelled by the user'));
  },
};
