/**
 * Maps `vscode` to test/support/vscodeStub.ts for code loaded after this module.
 * Import it first in every extension test. The project compiles to CommonJS (and tsx
 * runs these tests as CommonJS), so the hook is on CommonJS resolution.
 */
import Module from 'node:module';
import { join } from 'node:path';

const stubPath = join(__dirname, 'vscodeStub.ts');
type Resolve = (request: string, ...rest: unknown[]) => string;
const moduleWithResolver = Module as unknown as { _resolveFilename: Resolve };
const original = moduleWithResolver._resolveFilename;

if (!(original as { isVscodeStub?: boolean }).isVscodeStub) {
  const resolve: Resolve = function (this: unknown, request, ...rest) {
    return original.call(this, request === 'vscode' ? stubPath : request, ...rest);
  };
  (resolve as { isVscodeStub?: boolean }).isVscodeStub = true;
  moduleWithResolver._resolveFilename = resolve;
}

export {};
