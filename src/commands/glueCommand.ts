import type { ExtensionServices } from '../glue/services';

/** One palette (or view) command: its id as in package.json and what it does. */
export interface GlueCommand {
  id: string;
  run(services: ExtensionServices, ...args: unknown[]): unknown;
}
