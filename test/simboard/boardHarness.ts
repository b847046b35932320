import { MemoryLink } from '../../src/core/transport/memoryLink';
import type { ByteTransport } from '../../src/core/transport/byteTransport';
import { bytesToLatin1, latin1ToBytes, untilBytes } from '../../src/core/transport/framers';
import { Deadline } from '../../src/core/time/deadline';
import { SimulatedBoard, type SimulatedBoardOptions } from '../../src/sim/board/simulatedBoard';

/** Real-time budget for one expected answer; board time is scaled down in these tests. */
export const ANSWER_MS = 5_000;
export const BANNER =
  'Pycom MicroPython 1.20.2.r6 [v1.11-c5a0a97] on 2021-10-28; GPy with ESP32\r\nType "help()" for more information.\r\n';

export interface BoardRig {
  link: MemoryLink;
  host: ByteTransport;
  board: SimulatedBoard;
  /** Writes latin1 text (control characters included) as a host would. */
  send(text: string): Promise<void>;
  /** Reads up to and including `delimiter`, as text. */
  until(delimiter: string, label?: string): Promise<string>;
  stop(): Promise<void>;
}

/** A board on a MemoryLink with the host end open at 115200, read from power-on. */
export async function startBoardRig(options: SimulatedBoardOptions = {}): Promise<BoardRig> {
  const link = new MemoryLink('sim:test', { baudRate: 115200 });
  const host = link.open('host');
  const board = new SimulatedBoard(link.open('device'), { timeScale: 0.001, ...options });
  await board.start();
  const rig: BoardRig = {
    link,
    host,
    board,
    send: (text) => host.write(latin1ToBytes(text)),
    until: async (delimiter, label) =>
      bytesToLatin1(await host.read(untilBytes(delimiter), { deadline: Deadline.in(ANSWER_MS, label ?? JSON.stringify(delimiter)) })),
    stop: () => board.stop(),
  };
  return rig;
}

/** Enters the raw REPL from a fresh friendly prompt (after the banner was read). */
export async function enterRaw(rig: BoardRig): Promise<void> {
  await rig.send('\x01');
  await rig.until('raw REPL; CTRL-B to exit\r\n>');
}

/** Runs code in the raw REPL and returns the three parts the board sends. */
export async function rawExec(rig: BoardRig, code: string): Promise<{ stdout: string; stderr: string }> {
  await rig.send(code + '\x04');
  const ok = await rig.until('OK', 'OK');
  if (!ok.endsWith('OK')) throw new Error(`expected OK, got ${JSON.stringify(ok)}`);
  const stdout = (await rig.until('\x04', 'end of stdout')).slice(0, -1);
  const stderr = (await rig.until('\x04>', 'end of stderr')).slice(0, -2);
  return { stdout, stderr };
}
