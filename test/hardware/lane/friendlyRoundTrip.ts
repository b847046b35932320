import { Deadline } from '../../../src/core/time/deadline';
import type { ByteTransport } from '../../../src/core/transport/byteTransport';
import { bytesToLatin1, latin1ToBytes, untilBytes } from '../../../src/core/transport/framers';
import { escapeBytes } from './rawTranscript';
import type { ReplExchange } from './laneSession';

/** An idle friendly REPL answers a key at once; 3 s covers a busy USB hub and the board's echo. */
const FRIENDLY_REPLY_TIMEOUT_MS = 3_000;

/**
 * What a user's terminal does, with the answers PROTOCOL.md §7 gives: Enter at the
 * prompt, a line of Python, Ctrl-C at the prompt. Each answer is read up to the next
 * `>>> ` under a deadline and must be exactly the expected one: an extra byte means
 * the board was not idle at its prompt.
 */
const ROUND_TRIP: ReadonlyArray<{ sent: string; expectedLines: string[]; what: string }> = [
  { sent: '\r', expectedLines: ['', '>>> '], what: 'Enter at the prompt' },
  // The friendly REPL echoes the line, then prints the result.
  { sent: 'print(1+1)\r', expectedLines: ['print(1+1)', '2', '>>> '], what: 'print(1+1)' },
  { sent: '\x03', expectedLines: ['', '>>> '], what: 'Ctrl-C at the prompt' },
];

/** Runs the round trip on a port whose board sits at its friendly prompt; throws on the first answer that differs. */
export async function friendlyRoundTrip(io: ByteTransport, signal: AbortSignal): Promise<ReplExchange[]> {
  const exchanges: ReplExchange[] = [];
  for (const step of ROUND_TRIP) {
    // Anything left from the banner would be taken for the answer.
    io.drain();
    const startedMs = performance.now();
    await io.write(latin1ToBytes(step.sent), signal);
    const answer = await io.read(untilBytes('>>> ', 'the >>> prompt'), {
      deadline: Deadline.in(FRIENDLY_REPLY_TIMEOUT_MS, `the answer to ${step.what}`),
      signal,
    });
    const received = bytesToLatin1(answer);
    exchanges.push({ sent: step.sent, received, tookMs: performance.now() - startedMs });
    const lines = received.split('\r\n');
    if (lines.length !== step.expectedLines.length || lines.some((line, i) => line !== step.expectedLines[i])) {
      throw new Error(
        `${step.what}: expected ${escapeBytes(latin1ToBytes(step.expectedLines.join('\r\n')))}, got ${escapeBytes(answer)}`,
      );
    }
  }
  return exchanges;
}
