import type { ByteTransport } from '../../src/core/transport/byteTransport';
import { anyBytes, bytesToLatin1, latin1ToBytes } from '../../src/core/transport/framers';
import { MemoryLink } from '../../src/core/transport/memoryLink';
import { Deadline } from '../../src/core/time/deadline';

/**
 * A board played from a hand-written byte script: each step waits for the exact bytes
 * the host must send, then answers with the bytes PROTOCOL.md section 7 says the board
 * sends. A host that sends anything else fails the script, so a test sees every byte.
 */
export interface ScriptStep {
  /** Bytes the host must send next (latin1). */
  expect: string;
  /** Bytes the board answers (latin1); may be empty. */
  reply: string;
}

export interface ScriptedBoard {
  host: ByteTransport;
  device: ByteTransport;
  /** Everything the host sent, latin1. */
  received(): string;
  /** Resolves when every step ran; rejects on a mismatch. */
  done: Promise<void>;
}

export function scriptedBoard(name: string, steps: ScriptStep[], options: { greeting?: string } = {}): ScriptedBoard {
  const link = new MemoryLink(name);
  const host = link.open('host');
  const device = link.open('device');
  let received = '';
  const done = (async () => {
    if (options.greeting) await device.write(latin1ToBytes(options.greeting));
    for (const [index, step] of steps.entries()) {
      while (received.length < step.expect.length + consumedBefore(steps, index)) {
        const chunk = await device.read(anyBytes, { deadline: Deadline.in(5000, `host bytes for step ${index}`) });
        received += bytesToLatin1(chunk);
      }
      const got = received.slice(consumedBefore(steps, index), consumedBefore(steps, index) + step.expect.length);
      if (got !== step.expect) {
        throw new Error(`step ${index}: host sent ${JSON.stringify(got)}, script expects ${JSON.stringify(step.expect)}`);
      }
      if (step.reply) await device.write(latin1ToBytes(step.reply));
    }
  })();
  // Keep an unobserved rejection from crashing the runner; tests await `done` when they care.
  done.catch(() => undefined);
  return { host, device, received: () => received + bytesToLatin1(device.peekPending()), done };
}

function consumedBefore(steps: ScriptStep[], index: number): number {
  let total = 0;
  for (let i = 0; i < index; i++) total += steps[i]!.expect.length;
  return total;
}

export const BANNER =
  'Pycom MicroPython 1.20.2.r6 [v1.11-c5a0a97] on 2021-10-28; GPy with ESP32\r\nType "help()" for more information.\r\n>>> ';
export const RAW_BANNER = 'raw REPL; CTRL-B to exit\r\n>';
/** What the host sends to enter the raw REPL on the fast path. */
export const ENTER = '\r\x03\x03\x01';
