import type { ByteTransport } from '../../src/core/transport/byteTransport';
import { bytesToLatin1, latin1ToBytes, untilBytes } from '../../src/core/transport/framers';
import { Deadline } from '../../src/core/time/deadline';
import { createSimulatedGpy, type SimulatedGpy, type SimulatedGpyOptions } from '../../src/sim/simulatedGpy';
import { ANSWER_MS } from './boardHarness';

export const MIRROR_LINE = 'Going into MIRROR mode... please close this terminal to resume the upgrade via UART\r\n';
export const WELCOME = '<<< Welcome to the SQN3330 firmware updater [1.2.7] >>>\r\n>>> GPy with firmware version 1.20.2.r6\r\n';

export interface GpyRepl {
  gpy: SimulatedGpy;
  host: ByteTransport;
  until(delimiter: string, label?: string): Promise<string>;
  /** Runs code in the raw REPL: its stdout and stderr once it returns. */
  exec(code: string): Promise<{ stdout: string; stderr: string }>;
  /** Runs code that should end in mirror mode: what it printed, up to and including the mirror line. */
  execToMirror(code: string): Promise<string>;
  /** In mirror mode: one AT command through the board at 921600, the reply up to OK/ERROR. */
  at(command: string): Promise<string>;
  stop(): Promise<void>;
}

/** A whole simulated GPy (board and modem, time scaled down) with a host in its raw REPL. */
export async function startGpyRepl(options: SimulatedGpyOptions = {}): Promise<GpyRepl> {
  const gpy = await createSimulatedGpy({ timeScale: 0.001, ...options });
  const host = await gpy.registry.open(gpy.portPath, { baudRate: 115200 });
  const until = async (delimiter: string, label?: string) =>
    bytesToLatin1(await host.read(untilBytes(delimiter), { deadline: Deadline.in(ANSWER_MS, label ?? JSON.stringify(delimiter)) }));
  const repl: GpyRepl = {
    gpy,
    host,
    until,
    async exec(code) {
      await host.write(latin1ToBytes(code + '\x04'));
      await until('OK', 'OK');
      const stdout = (await until('\x04', 'end of stdout')).slice(0, -1);
      const stderr = (await until('\x04>', 'end of stderr')).slice(0, -2);
      return { stdout, stderr };
    },
    async execToMirror(code) {
      await host.write(latin1ToBytes(code + '\x04'));
      await until('OK', 'OK');
      const text = await until(MIRROR_LINE, 'the mirror line');
      await gpy.board.whenState('mirror', Deadline.in(ANSWER_MS, 'mirror mode'));
      await host.update({ baudRate: 921600, rtscts: false });
      host.drain();
      return text;
    },
    async at(command) {
      await host.write(latin1ToBytes(command + '\r\n'));
      return bytesToLatin1(
        await host.read(
          {
            description: 'an AT reply',
            frame: (pending) => {
              const text = bytesToLatin1(pending);
              const end = /(OK|ERROR)\r\n/.exec(text);
              return end ? { value: pending.slice(0, end.index + end[0].length), consumed: end.index + end[0].length } : undefined;
            },
          },
          { deadline: Deadline.in(ANSWER_MS, command) },
        ),
      );
    },
    async stop() {
      await host.close();
      await gpy.stop();
    },
  };
  await host.write(latin1ToBytes('\x03\x03\x01'));
  await until('raw REPL; CTRL-B to exit\r\n>');
  return repl;
}
