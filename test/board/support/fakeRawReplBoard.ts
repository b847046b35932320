import type { ByteTransport } from '../../../src/core/transport/byteTransport';
import { anyBytes, latin1ToBytes } from '../../../src/core/transport/framers';
import { MemoryLink } from '../../../src/core/transport/memoryLink';
import { Deadline } from '../../../src/core/time/deadline';
import { loadTestMicroPython, type LoadedMicroPython } from './micropython';

/**
 * A test board of our own, independent of the project's simulator: a real MicroPython
 * (wasm) behind a raw REPL written from PROTOCOL.md section 7, on a line paced at
 * 115200 8N1 (scaled by timeScale) both ways. It counts host bytes that arrive while
 * code runs (a real board's small UART buffer would lose them) so tests can prove the
 * client waits for each acknowledgement. Its code cannot read stdin (see the prelude), so
 * a push here takes the exec-per-chunk path.
 */
export interface FakeBoardOptions {
  name?: string;
  /** Real seconds per board second (0.1 = ten times faster than a real line). */
  timeScale?: number;
  baudRate?: number;
  flashTotalBytes?: number;
  sysname?: string;
  release?: string;
  hasSqnsupgrade?: boolean;
  /** Board code run once at start (e.g. a sqnsupgrade stand-in). */
  extraPrelude?: string;
}

export interface FakeBoard {
  link: MemoryLink;
  host: ByteTransport;
  python: LoadedMicroPython;
  /** Host bytes that arrived while board code was running. */
  bytesWhileBusy(): number;
  /** Every control byte the host sent, in order (for "never sends Ctrl-F" checks). */
  controlBytesSeen(): number[];
  execCount(): number;
  /** Real time spent running board code (wasm), for rate figures. */
  execRealMs(): number;
  /** Bytes that crossed the line each way since start. */
  wireBytes(): { host: number; board: number };
  readFlash(path: string): Uint8Array | undefined;
  writeFlash(path: string, bytes: Uint8Array): void;
  stop(): void;
}

const BANNER_FOR = (sysname: string, release: string) =>
  `Pycom MicroPython ${release} [v1.11-c5a0a97] on 2021-10-28; ${sysname} with ESP32\r\nType "help()" for more information.\r\n>>> `;

function prelude(options: Required<Omit<FakeBoardOptions, 'name' | 'extraPrelude' | 'timeScale' | 'baudRate'>>): string {
  return `
import os, sys
try:
    os.mkdir('/flash')
except OSError:
    pass
os.chdir('/flash')
class _Uname:
    sysname = ${JSON.stringify(options.sysname)}
    nodename = ${JSON.stringify(options.sysname)}
    release = ${JSON.stringify(options.release)}
    version = 'v1.11-c5a0a97 on 2021-10-28'
    machine = ${JSON.stringify(options.sysname + ' with ESP32')}
def _used(p):
    n = 0
    for e in os.listdir(p):
        q = p + '/' + e
        st = os.stat(q)
        if st[0] & 0x4000:
            n += 4096 + _used(q)
        else:
            n += (st[6] + 4095) // 4096 * 4096
    return n
class _Uos:
    def uname(self):
        return _Uname()
    def statvfs(self, p):
        total = ${options.flashTotalBytes} // 4096
        free = max(0, total - _used('/flash') // 4096)
        return (4096, 4096, total, free, free, 0, 0, 0, 0, 255)
    def __getattr__(self, name):
        return getattr(os, name)
sys.modules['uos'] = _Uos()
${options.hasSqnsupgrade ? "sys.modules['sqnsupgrade'] = _Uname()" : ''}
# Code runs synchronously here, so it could never wait for input: no sys.stdin, as on a
# firmware without it (a push falls back to one exec per chunk).
class _SysWithoutStdin:
    _real = sys
    def __getattr__(self, name):
        if name == 'stdin':
            raise AttributeError(name)
        return getattr(_SysWithoutStdin._real, name)
sys.modules['sys'] = _SysWithoutStdin()
`;
}

export async function startFakeBoard(options: FakeBoardOptions = {}): Promise<FakeBoard> {
  const timeScale = options.timeScale ?? 0.05;
  const baudRate = options.baudRate ?? 115200;
  const sysname = options.sysname ?? 'GPy';
  const release = options.release ?? '1.20.2.r6';
  const python = await loadTestMicroPython();
  python.run(
    prelude({ flashTotalBytes: options.flashTotalBytes ?? 1_048_576, sysname, release, hasSqnsupgrade: options.hasSqnsupgrade ?? true }),
  );
  if (options.extraPrelude) python.run(options.extraPrelude);

  const link = new MemoryLink(options.name ?? 'fake-board', { baudRate });
  const host = link.open('host');
  const device = link.open('device');
  const bytesPerMs = baudRate / 10 / 1000 / timeScale;

  // Host → board: bytes land at line rate.
  const inbound: number[] = [];
  let inboundHead = 0;
  let lineFreeAtMs = performance.now();
  const arrivals: Array<{ atMs: number; count: number }> = [];

  // Board → host: one queue, sent in order, each piece leaving at line rate after the previous one.
  let txFreeAtMs = performance.now();
  let boardBytes = 0;
  let hostBytes = 0;
  const outbound: Array<{ bytes: Uint8Array; dueMs: number }> = [];
  let isSending = false;
  const sendDue = () => {
    isSending = false;
    const now = performance.now();
    while (outbound.length > 0 && outbound[0]!.dueMs <= now) {
      const { bytes } = outbound.shift()!;
      if (device.isOpen) void device.write(bytes).catch(() => undefined);
    }
    if (outbound.length > 0) {
      isSending = true;
      setTimeout(sendDue, Math.max(0, outbound[0]!.dueMs - now));
    }
  };
  const send = (text: string | Uint8Array) => {
    const bytes = typeof text === 'string' ? latin1ToBytes(text) : text;
    if (bytes.length === 0) return;
    boardBytes += bytes.length;
    txFreeAtMs = Math.max(txFreeAtMs, performance.now()) + bytes.length / bytesPerMs;
    outbound.push({ bytes, dueMs: txFreeAtMs });
    if (!isSending) {
      isSending = true;
      setTimeout(sendDue, Math.max(0, txFreeAtMs - performance.now()));
    }
  };
  const toCrLf = (bytes: Uint8Array): Uint8Array => {
    const out: number[] = [];
    for (const b of bytes) {
      if (b === 0x0a) out.push(0x0d);
      out.push(b);
    }
    return new Uint8Array(out);
  };

  let mode: 'friendly' | 'raw' = 'friendly';
  let line: number[] = [];
  let busyUntilMs = 0;
  let busyBytes = 0;
  let execs = 0;
  let execMs = 0;
  const controls: number[] = [];
  let stopped = false;

  const runCode = (code: string) => {
    execs += 1;
    const started = performance.now();
    const { out, traceback } = python.runRaw(code);
    send('OK');
    send(toCrLf(out));
    send('\x04');
    if (traceback) send(toCrLf(latin1ToBytes(traceback)));
    send('\x04>');
    // The board is busy from Ctrl-D until its prompt has left the UART.
    busyUntilMs = Math.max(performance.now(), txFreeAtMs);
    execMs += performance.now() - started;
  };

  const handle = (byte: number) => {
    if (byte < 0x20 && byte !== 0x0a && byte !== 0x0d) controls.push(byte);
    if (mode === 'friendly') {
      if (byte === 0x01) {
        mode = 'raw';
        line = [];
        send('\r\nraw REPL; CTRL-B to exit\r\n>');
      } else if (byte === 0x03 || byte === 0x0d) {
        line = [];
        send('\r\n>>> ');
      } else if (byte === 0x06) {
        send('\r\n(safe boot)\r\n');
      } else {
        line.push(byte);
      }
      return;
    }
    switch (byte) {
      case 0x01:
        line = [];
        send('raw REPL; CTRL-B to exit\r\n>');
        break;
      case 0x02:
        mode = 'friendly';
        line = [];
        send(`\r\n${BANNER_FOR(sysname, release)}`);
        break;
      case 0x03:
        line = [];
        break;
      case 0x04:
        if (line.length === 0) {
          send('OK\r\nPYB: soft reboot\r\nraw REPL; CTRL-B to exit\r\n>');
        } else {
          const code = new TextDecoder().decode(new Uint8Array(line));
          line = [];
          runCode(code);
        }
        break;
      default:
        line.push(byte);
    }
  };

  // The pump: releases inbound bytes as the line clock allows and feeds the REPL.
  const pump = () => {
    if (stopped) return;
    const now = performance.now();
    while (inboundHead < inbound.length && arrivals.length > 0 && arrivals[0]!.atMs <= now) {
      const arrival = arrivals.shift()!;
      for (let i = 0; i < arrival.count; i++) {
        if (arrival.atMs < busyUntilMs) busyBytes += 1;
        handle(inbound[inboundHead++]!);
      }
    }
    if (inboundHead > 65536) {
      inbound.splice(0, inboundHead);
      inboundHead = 0;
    }
    if (arrivals.length > 0) setTimeout(pump, Math.max(0, Math.min(5, arrivals[0]!.atMs - now)));
  };

  const stopController = new AbortController();
  const reader = (async () => {
    const signal = stopController.signal;
    for (;;) {
      const chunk = await device.read(anyBytes, { deadline: Deadline.never(), signal });
      const now = performance.now();
      hostBytes += chunk.length;
      // Split into small pieces so the REPL sees bytes spread over the line time.
      for (let at = 0; at < chunk.length; at += 64) {
        const piece = chunk.subarray(at, Math.min(chunk.length, at + 64));
        lineFreeAtMs = Math.max(lineFreeAtMs, now) + piece.length / bytesPerMs;
        for (const b of piece) inbound.push(b);
        arrivals.push({ atMs: lineFreeAtMs, count: piece.length });
      }
      pump();
    }
  })();
  reader.catch(() => undefined);

  send(BANNER_FOR(sysname, release));

  return {
    link,
    host,
    python,
    bytesWhileBusy: () => busyBytes,
    controlBytesSeen: () => [...controls],
    execCount: () => execs,
    execRealMs: () => execMs,
    wireBytes: () => ({ host: hostBytes, board: boardBytes }),
    readFlash(path) {
      return python.mp.FS.analyzePath(path).exists ? python.mp.FS.readFile(path) : undefined;
    },
    writeFlash(path, bytes) {
      python.mp.FS.writeFile(path, bytes);
    },
    stop() {
      stopped = true;
      stopController.abort();
    },
  };
}
