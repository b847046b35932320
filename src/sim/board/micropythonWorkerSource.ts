/**
 * The script of the worker thread that hosts one MicroPython interpreter.
 *
 * Why a worker: the wasm interpreter runs synchronously, so on the main thread a
 * board program that loops would freeze the extension host, Ctrl-C could never
 * arrive, and `sys.stdin` could not block for bytes. The emscripten glue also keeps
 * its heap in globals (`globalThis.Module`), so two boards in one thread would
 * clobber each other. In a worker each board has its own globals, blocks on
 * Atomics for stdin and sleeps, and is interrupted through shared memory.
 *
 * It is plain JavaScript in a string (run with `eval: true`) so the same code works
 * under tsx in tests and inside the esbuild bundle without a second entry point.
 *
 * Shared control words (Int32Array over `control`), see CONTROL in micropythonHost.ts.
 * Answers to `_simhost.ask()` arrive on `askPort`, announced by a bump of ANSWERED.
 */
export const MICROPYTHON_WORKER_SOURCE = String.raw`
'use strict';
const { parentPort, workerData, receiveMessageOnPort } = require('node:worker_threads');
const { moduleUrl, heapBytes, timeScale, prelude, boardConfig, files, askPort } = workerData;
const ctrl = new Int32Array(workerData.control);
const rxRing = new Uint8Array(workerData.rxRing);
const INTERRUPT = 0, RX_WRITTEN = 1, RX_READ = 2, INTR_CHAR = 3, WAKE = 4, SLEEPING = 5, ANSWERED = 6;

// Simulated time: the board's clock runs 1/timeScale times faster than the wall clock,
// so time.sleep(1) on a board scaled by 0.001 takes one real millisecond.
const realNow = Date.now;
const bootRealMs = realNow();
const bootBoardMs = 1609459200000; // a fixed epoch keeps runs reproducible
Date.now = () => {
  checkInterrupt();
  return bootBoardMs + Math.floor((realNow() - bootRealMs) / timeScale);
};

let mp;
let outChunks = [];
let outLength = 0;
let pendingInterrupt = false;
let stdinInterrupted = false;

function flushOut() {
  if (outLength === 0) return;
  const bytes = new Uint8Array(outLength);
  let at = 0;
  for (const chunk of outChunks) { bytes.set(chunk, at); at += chunk.length; }
  outChunks = []; outLength = 0;
  parentPort.postMessage({ kind: 'out', bytes }, [bytes.buffer]);
}

// A line goes out as soon as it is complete, as a board's print() does.
function onStdoutByte(bytes) {
  outChunks.push(bytes); outLength += bytes.length;
  if (outLength >= 256 || bytes[bytes.length - 1] === 10) flushOut();
  checkInterrupt();
}

// The host sets INTERRUPT when Ctrl-C arrives while code runs (and Ctrl-C is enabled).
// The VM raises the scheduled KeyboardInterrupt at its next backward jump.
function checkInterrupt() {
  if (!mp || Atomics.load(ctrl, INTERRUPT) === 0) return false;
  Atomics.store(ctrl, INTERRUPT, 0);
  if (Atomics.load(ctrl, INTR_CHAR) !== 3) return false;
  pendingInterrupt = true;
  mp._module._mp_sched_keyboard_interrupt();
  return true;
}

// sys.stdin reads block here until the host puts bytes in the shared receive ring.
// Ctrl-C must end the read, as the board's UART poll does: the C side retries an empty
// answer (EOF) for ever, so the read is failed instead (it raises OSError), and the
// KeyboardInterrupt already scheduled is raised at the VM's next check, within the
// read's caller. The worker cannot see when the VM has raised it, so until this run
// ends every read that would block fails at once.
function stdinByte() {
  flushOut();
  for (;;) {
    const written = Atomics.load(ctrl, RX_WRITTEN);
    const read = Atomics.load(ctrl, RX_READ);
    if (written !== read) {
      const byte = rxRing[read % rxRing.length];
      Atomics.store(ctrl, RX_READ, read + 1);
      return byte;
    }
    if (pendingInterrupt || checkInterrupt()) {
      stdinInterrupted = true;
      throw new Error('KeyboardInterrupt');
    }
    Atomics.wait(ctrl, RX_WRITTEN, written, 50);
  }
}

const simhost = {
  // Sleeps in board time; Ctrl-C ends it early. SLEEPING tells the host the code reads no UART now.
  sleep_ms(ms) {
    flushOut();
    const untilMs = realNow() + Math.max(0, Number(ms)) * timeScale;
    Atomics.store(ctrl, SLEEPING, 1);
    try {
      for (;;) {
        if (checkInterrupt()) return;
        const leftMs = untilMs - realNow();
        if (leftMs <= 0) return;
        Atomics.wait(ctrl, WAKE, Atomics.load(ctrl, WAKE), Math.min(leftMs, 50));
      }
    } finally {
      Atomics.store(ctrl, SLEEPING, 0);
    }
  },
  set_intr_char(c) { Atomics.store(ctrl, INTR_CHAR, Number(c)); },
  config(name) { const v = boardConfig[name]; return v === undefined ? null : v; },
  // A question to the board's owner (a modem fact, a board fault) or an order to the
  // modem; the owner answers at once, so the code blocks only for a message round trip.
  // The answer comes on a port of its own: the parent port may hold messages for the
  // thread that it cannot take while it waits here.
  ask(what, arg) {
    flushOut();
    const seen = Atomics.load(ctrl, ANSWERED);
    parentPort.postMessage({ kind: 'ask', what: String(what), arg: arg === undefined || arg === null ? null : String(arg) });
    for (;;) {
      const reply = receiveMessageOnPort(askPort);
      if (reply) return reply.message.value;
      Atomics.wait(ctrl, ANSWERED, seen, 50);
    }
  },
  fact(name) { return simhost.ask('fact', name); },
  fault(name) { return simhost.ask('fault', name) === true; },
  modem(action, arg) { return simhost.ask('modem:' + action, arg); },
  // Flash writes cost time on the real board; while it writes, it reads no UART.
  flash_written(byteCount) {
    const boardMs = (Number(byteCount) / workerData.flashBytesPerSecond) * 1000;
    if (boardMs > 0) simhost.sleep_ms(boardMs);
  },
  code() { return currentCode; },
};

let currentCode = '';

async function boot() {
  const loadStartMs = realNow();
  const { loadMicroPython } = await import(moduleUrl);
  mp = await loadMicroPython({
    heapsize: heapBytes,
    linebuffer: false,
    stdout: onStdoutByte,
    stderr: onStdoutByte,
    stdin: stdinByte,
  });
  mp.registerJsModule('_simhost', simhost);
  for (const file of files) writeFile(file.path, file.bytes);
  mp.runPython(prelude);
  flushOut();
  parentPort.postMessage({ kind: 'ready', loadMs: realNow() - loadStartMs });
}

function writeFile(path, bytes) {
  const parts = path.split('/').filter(Boolean);
  let dir = '';
  for (const part of parts.slice(0, -1)) {
    dir += '/' + part;
    try { mp.FS.mkdir(dir); } catch (e) { /* exists */ }
  }
  mp.FS.writeFile(path, bytes);
}

// Direct file access for the simulation's owner (tests, demo set-up): no UART involved.
function fileOp(message) {
  try {
    if (message.op === 'read') {
      const bytes = mp.FS.readFile(message.path);
      parentPort.postMessage({ kind: 'fileDone', id: message.id, bytes });
    } else if (message.op === 'write') {
      writeFile(message.path, message.bytes);
      parentPort.postMessage({ kind: 'fileDone', id: message.id });
    } else if (message.op === 'exists') {
      parentPort.postMessage({ kind: 'fileDone', id: message.id, exists: mp.FS.analyzePath(message.path).exists });
    }
  } catch (error) {
    parentPort.postMessage({ kind: 'fileDone', id: message.id, error: String(error && error.message || error) });
  }
}

function absorbStaleInterrupt() {
  // A Ctrl-C scheduled just as the code ended would otherwise hit the next run.
  if (!pendingInterrupt) return;
  pendingInterrupt = false;
  try { mp.runPython('for _i in (1, 2):\n    pass\n'); } catch (e) { /* the stale KeyboardInterrupt */ }
  try { mp.runPython('del _i'); } catch (e) { /* absent */ }
}

function run(message) {
  currentCode = message.code;
  pendingInterrupt = false;
  stdinInterrupted = false;
  let result;
  try {
    // The host already enabled Ctrl-C (INTR_CHAR = 3) and may have flagged one since.
    mp.runPython('_simboard.kbd_intr_real(3)');
    checkInterrupt();
    if (message.how === 'exec') {
      mp.runPython(message.code);
    } else {
      // Runs at __main__ level so the code sees the REPL's globals; its frame heads the traceback.
      mp.runPython(message.how === 'single'
        ? 'exec(compile(_simhost.code(), "<stdin>", "single"))'
        : 'exec(compile(open(_simhost.code()).read(), _simhost.code(), "exec"))');
    }
    result = { ok: true };
  } catch (error) {
    if (error && error.name === 'PythonError') {
      result = { ok: false, exceptionType: error.type, traceback: String(error.message), wrapped: message.how !== 'exec' };
      // The failed read (see stdinByte) reached the top before the VM raised the
      // KeyboardInterrupt: on the board the read itself raises it, from the same line.
      const failedRead = /OSError: 29(\s*)$/;
      if (stdinInterrupted && error.type === 'OSError' && failedRead.test(result.traceback)) {
        result.exceptionType = 'KeyboardInterrupt';
        result.traceback = result.traceback.replace(failedRead, 'KeyboardInterrupt: $1');
      }
    } else {
      result = { ok: false, exceptionType: 'SimulatorError', traceback: String(error && error.stack || error), wrapped: false };
    }
  }
  Atomics.store(ctrl, INTR_CHAR, -1);
  try { mp.runPython('_simboard.kbd_intr_real(-1)'); } catch (e) { /* ignore */ }
  absorbStaleInterrupt();
  Atomics.store(ctrl, INTERRUPT, 0);
  flushOut();
  parentPort.postMessage({ kind: 'done', id: message.id, ...result });
}

parentPort.on('message', (message) => {
  if (message.kind === 'run') run(message);
  else if (message.kind === 'file') fileOp(message);
});

boot().catch((error) => {
  parentPort.postMessage({ kind: 'failed', message: String(error && error.stack || error) });
});
`;
