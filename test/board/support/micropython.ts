/**
 * Loads the MicroPython WebAssembly interpreter for tests: a real Python to check that the
 * code the client builds parses and means what it should. (It is MicroPython 1.27; the
 * 1.11 limits are checked separately.)
 */
export interface MicroPythonInstance {
  runPython(code: string): unknown;
  FS: {
    mkdir(path: string): void;
    writeFile(path: string, data: Uint8Array | string): void;
    readFile(path: string): Uint8Array;
    stat(path: string): { size: number };
    analyzePath(path: string): { exists: boolean };
    chdir(path: string): void;
  };
}

export interface LoadedMicroPython {
  mp: MicroPythonInstance;
  /** Runs code and returns what it printed (or throws the PythonError). */
  run(code: string): string;
  /** Runs code; returns the printed bytes and, when it raised, the traceback text. */
  runRaw(code: string): { out: Uint8Array; traceback?: string };
}

export async function loadTestMicroPython(): Promise<LoadedMicroPython> {
  // The package is ESM only; this file is compiled as CJS by tsx, hence the dynamic import.
  const module = (await import('@micropython/micropython-webassembly-pyscript/micropython.mjs' as string)) as {
    loadMicroPython(options: Record<string, unknown>): Promise<MicroPythonInstance>;
  };
  let out: number[] = [];
  const collect = (data: unknown) => {
    if (typeof data === 'number') out.push(data);
    else if (typeof data === 'string') for (const byte of new TextEncoder().encode(data)) out.push(byte);
    else if (data instanceof Uint8Array) out.push(...data);
  };
  const mp = await module.loadMicroPython({ stdout: collect, stderr: collect, linebuffer: false, heapsize: 8 * 1024 * 1024 });
  return {
    mp,
    run(code: string) {
      out = [];
      mp.runPython(code);
      return new TextDecoder().decode(new Uint8Array(out));
    },
    runRaw(code: string) {
      out = [];
      try {
        mp.runPython(code);
        return { out: new Uint8Array(out) };
      } catch (error) {
        const traceback = (error as { message?: string }).message ?? String(error);
        return { out: new Uint8Array(out), traceback };
      }
    },
  };
}
