// "The board is at its REPL, not in mirror mode": the setup the engine, CLI, extension
// and diagnosis tests of that case share. The simulated GPy starts at its friendly
// prompt, so a fresh one is a board at its REPL.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { recogniseBoardRepl } from '../../src/core/at/replRecogniser';
import { BoardAtReplError } from '../../src/core/engine/upgradeErrors';
import { latin1ToBytes } from '../../src/core/transport/framers';
import { createSimulatedGpy, type SimulatedGpy, type SimulatedGpyOptions } from '../../src/sim/simulatedGpy';

/** The default wake-up gives up after 25 s; a REPL is answered well before that. */
export const REPL_FOUND_WITHIN_MS = 10_000;

/** 200× faster than a real board: the REPL tests are about answers, not about the line's pace. */
const BOARD_AT_REPL_TIME_SCALE = 0.005;

/** What MicroPython answers to the first AT probe: the echo, a NameError and the prompt. */
export const REPL_ANSWER = latin1ToBytes(
  'AT\r\nTraceback (most recent call last):\r\n  File "<stdin>", line 1, in <module>\r\nNameError: name \'AT\' isn\'t defined\r\n>>> ',
);

/** The error the engine raises when a port answers with REPL_ANSWER at the REPL's 115200 baud. */
export function boardAtReplError(portPath: string): BoardAtReplError {
  return new BoardAtReplError(portPath, 115_200, recogniseBoardRepl(REPL_ANSWER)!, REPL_ANSWER);
}

export interface BoardsAtRepl {
  /** A scratch folder for the file's firmware images, removed after the file. */
  readonly dir: string;
  /** A simulated GPy at its REPL on `sim:<name>`, stopped after the file. */
  boardAtRepl(name: string, options?: Omit<SimulatedGpyOptions, 'portPath'>): Promise<SimulatedGpy>;
}

/** Call once at a test file's top level: registers the cleanup with node:test's `after`. */
export function boardsAtRepl(dirPrefix: string): BoardsAtRepl {
  const dir = mkdtempSync(join(tmpdir(), dirPrefix));
  const gpys: SimulatedGpy[] = [];
  after(async () => {
    for (const gpy of gpys) await gpy.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    dir,
    async boardAtRepl(name, options = {}) {
      const gpy = await createSimulatedGpy({ timeScale: BOARD_AT_REPL_TIME_SCALE, ...options, portPath: `sim:${name}` });
      gpys.push(gpy);
      return gpy;
    },
  };
}
