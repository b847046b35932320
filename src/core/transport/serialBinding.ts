import { SerialBindingError } from './serialErrors';

export type SerialPortModule = typeof import('serialport');

let modulePromise: Promise<SerialPortModule> | undefined;

/**
 * Loads `serialport` on first use, so that loading the core (the CLI's --help, the
 * simulator, the tests) never loads the native binding; a binding that cannot load
 * becomes a SerialBindingError that says what to do.
 */
export function loadSerialPort(): Promise<SerialPortModule> {
  modulePromise ??= import('serialport').then(
    (loaded) => {
      // A CommonJS module seen through import() may arrive wrapped in `default`.
      const candidate = (loaded as Partial<SerialPortModule>).SerialPort
        ? loaded
        : (loaded as { default?: SerialPortModule }).default;
      if (!candidate?.SerialPort) throw new Error('the module has no SerialPort export');
      return candidate;
    },
  ).catch((error: unknown) => {
    modulePromise = undefined;
    throw error instanceof SerialBindingError ? error : new SerialBindingError(error);
  });
  return modulePromise;
}
