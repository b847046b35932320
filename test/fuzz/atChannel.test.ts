import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { AtChannel } from '../../src/core/at/atChannel';
import { ModemToolError } from '../../src/core/errors';
import { MemoryLink } from '../../src/core/transport/memoryLink';
import { anyBytes, bytesToLatin1, concatBytes, latin1ToBytes } from '../../src/core/transport/framers';
import { Deadline } from '../../src/core/time/deadline';
import { seedCrashDump, seedHead } from '../parse/seedCrashDump';
import { fuzzParams, onlyTypedErrorsAsync } from './fuzzRuns';
import { cutPoints, mutated, splitAt } from './fuzzInputs';

/** The budget each fuzzed command gets: long enough to show a hang, short enough for thousands of cases. */
const REPLY_TIMEOUT_MS = 40;
/** How late a deadline may fire on a loaded shared machine (timer and event-loop lag). */
const LATE_MS = 2_000;

/**
 * A modem on the device end of a memory link that answers the n-th command line with the
 * n-th list of chunks, each written on its own turn. Deliberately naive and independent of
 * the channel's framers: it only splits what it receives at CR and LF.
 */
function modemAnswering(replies: readonly (readonly Uint8Array[])[]) {
  const link = new MemoryLink(`fuzz-at-${Math.random().toString(36).slice(2)}`, { baudRate: 921600 });
  const host = link.open('host');
  const device = link.open('device');
  const stop = new AbortController();
  let answered = 0;
  let listeners: Array<() => void> = [];
  const served = (async () => {
    let line = '';
    for (;;) {
      let bytes: Uint8Array;
      try {
        bytes = await device.read(anyBytes, { deadline: Deadline.never(), signal: stop.signal });
      } catch {
        return;
      }
      for (const char of bytesToLatin1(bytes)) {
        if (char !== '\r' && char !== '\n') {
          line += char;
          continue;
        }
        if (line === '') continue;
        line = '';
        for (const chunk of replies[answered] ?? []) {
          await device.write(chunk);
          await new Promise<void>((resolve) => setImmediate(resolve));
        }
        answered++;
        for (const listener of listeners) listener();
      }
    }
  })();
  return {
    channel: new AtChannel(host),
    /** Resolves once the first `count` commands are answered in full (the last chunk has landed). */
    hasAnswered(count: number): Promise<void> {
      if (answered >= count) return Promise.resolve();
      return new Promise((resolve) => {
        const check = () => {
          if (answered < count) return;
          listeners = listeners.filter((l) => l !== check);
          resolve();
        };
        listeners.push(check);
      });
    },
    close: async () => {
      stop.abort();
      await served;
      await host.close();
      await device.close();
    },
  };
}

const COMMANDS = ['AT', 'ATI1', 'AT+SMOD?', 'AT+SMUPGRADE?', 'AT!="showver"', 'AT+CGSN'];
const wellFormedReply = fc
  .record({
    hasEcho: fc.boolean(),
    lines: fc.array(fc.constantFrom('2', 'UE5.0.0.0d', 'LR5.1.1.0-39529', '+SMUPGRADE: success', '+SYSSTART', '354347094028575', '    Software     : 5.1.1.0 [38638]'), { maxLength: 4 }),
    final: fc.constantFrom('OK', 'ERROR', '+CME ERROR: 4'),
  })
  .map(({ hasEcho, lines, final }) => ({ hasEcho, text: `\r\n${lines.join('\r\n')}${lines.length ? '\r\n\r\n' : ''}${final}\r\n` }));

async function timedCall<T>(call: () => Promise<T>, budgetMs: number): Promise<T | ModemToolError> {
  const started = performance.now();
  const outcome = await onlyTypedErrorsAsync(call);
  const elapsedMs = performance.now() - started;
  assert.ok(elapsedMs < budgetMs + LATE_MS, `the call took ${Math.round(elapsedMs)} ms for a ${budgetMs} ms deadline`);
  return outcome;
}

test('AtChannel against mutated replies: a reply or a typed error by the deadline, and the next command is back in step', async () => {
  const replies = fc.oneof(
    fc.record({ command: fc.constantFrom(...COMMANDS), reply: wellFormedReply }).chain(({ command, reply }) =>
      mutated(latin1ToBytes((reply.hasEcho ? `${command}\r` : '') + reply.text)).map((bytes) => ({ command, bytes })),
    ),
    fc.record({ command: fc.constantFrom(...COMMANDS), bytes: fc.uint8Array({ maxLength: 120 }) }),
  );
  await fc.assert(
    fc.asyncProperty(replies, cutPoints, async ({ command, bytes }, cuts) => {
      const modem = modemAnswering([splitAt(bytes, cuts), [latin1ToBytes('\r\nOK\r\n')]]);
      try {
        const first = await timedCall(() => modem.channel.command(command, { timeoutMs: REPLY_TIMEOUT_MS }), REPLY_TIMEOUT_MS);
        if (!(first instanceof ModemToolError)) {
          assert.equal(first.command, command);
          assert.ok(first.isOk === (first.final === 'OK'));
        }
        await modem.hasAnswered(1);
        // Whatever the damaged reply left on the line, the next exchange gets its own reply.
        const next = await modem.channel.command('AT', { timeoutMs: LATE_MS });
        assert.equal(next.isOk, true);
        assert.deepEqual(next.lines, []);
      } finally {
        await modem.close();
      }
    }),
    fuzzParams(0.25),
  );
});

test('AtChannel.readBinaryFile against mutated crash dumps: data or a typed error by the deadline, then back in step', async () => {
  const dumps = fc
    .constantFrom(seedCrashDump({ lengthIncludesHeader: true }), seedCrashDump({ lengthIncludesHeader: false }), seedHead)
    .map((dump) => concatBytes(dump, latin1ToBytes('\r\nOK\r\n')));
  const replies = fc.oneof(mutated(dumps), fc.uint8Array({ maxLength: 200 }));
  await fc.assert(
    fc.asyncProperty(replies, cutPoints, async (bytes, cuts) => {
      const modem = modemAnswering([splitAt(bytes, cuts), [latin1ToBytes('\r\nOK\r\n')]]);
      try {
        const outcome = await timedCall(() => modem.channel.readBinaryFile('/fs/crashdump', { timeoutMs: REPLY_TIMEOUT_MS }), REPLY_TIMEOUT_MS);
        if (!(outcome instanceof ModemToolError)) {
          assert.ok(outcome.data.length <= bytes.length);
          if (!outcome.reply.isOk) assert.equal(outcome.data.length, 0);
        }
        await modem.hasAnswered(1);
        const next = await modem.channel.command('AT', { timeoutMs: LATE_MS });
        assert.equal(next.isOk, true);
      } finally {
        await modem.close();
      }
    }),
    fuzzParams(0.25),
  );
});
