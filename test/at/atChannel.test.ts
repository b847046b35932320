import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setUp } from './scriptedModem';
import { AtChannel, type AtExchange } from '../../src/core/at/atChannel';
import { GarbledReplyError } from '../../src/core/at/atErrors';
import { Deadline } from '../../src/core/time/deadline';
import { MemoryLink } from '../../src/core/transport/memoryLink';
import { bytesToLatin1 } from '../../src/core/transport/framers';
import { OperationAbortedError, ReadTimeoutError, UsageError } from '../../src/core/errors';

test('a reply is read to its final result code, info lines kept, blank lines dropped', async () => {
  const { channel, close } = setUp((command) => (command === 'AT+SMOD?' ? ['\r\n2\r\n', '\r\nOK\r\n'] : undefined));
  const reply = await channel.command('AT+SMOD?', { timeoutMs: 1000 });
  assert.deepEqual(reply.lines, ['2']);
  assert.equal(reply.final, 'OK');
  assert.equal(reply.isOk, true);
  assert.equal(bytesToLatin1(reply.raw), '\r\n2\r\n\r\nOK\r\n');
  assert.ok(reply.durationMs >= 0);
  close();
});

test('the echo is dropped whether echo is on or off, and ATE0 turns it off mid-session', async () => {
  const { channel, modem, close } = setUp((command) => {
    if (command === 'ATE0') {
      const chunks = ['\r\nOK\r\n'];
      queueMicrotask(() => (modem.hasEcho = false));
      return chunks;
    }
    if (command === 'AT+SMLOG?') return ['\r\n+SMLOG: LOG_INHERIT\r\nOK\r\n'];
    return ['\r\nOK\r\n'];
  });
  modem.hasEcho = true;
  const before = await channel.command('AT+SMLOG?', { timeoutMs: 1000 });
  assert.deepEqual(before.lines, ['+SMLOG: LOG_INHERIT']);
  assert.match(bytesToLatin1(before.raw), /^AT\+SMLOG\?\r/);
  const off = await channel.command('ATE0', { timeoutMs: 1000 });
  assert.equal(off.isOk, true);
  const after = await channel.command('AT+SMLOG?', { timeoutMs: 1000 });
  assert.deepEqual(after.lines, ['+SMLOG: LOG_INHERIT']);
  assert.doesNotMatch(bytesToLatin1(after.raw), /AT\+SMLOG/);
  close();
});

test('every final result code ends a reply; only OK is ok; ERROR is a reply, not a throw', async () => {
  const finals = ['OK', 'ERROR', '+CME ERROR: 4', '+CMS ERROR: 500', 'NO CARRIER', 'ABORTED'];
  let index = 0;
  const { channel, close } = setUp(() => [`\r\n${finals[index++]}\r\n`]);
  for (const final of finals) {
    const reply = await channel.command('AT+CFUN=4', { timeoutMs: 1000 });
    assert.equal(reply.final, final);
    assert.equal(reply.isOk, final === 'OK');
    assert.deepEqual(reply.lines, []);
  }
  close();
});

test('CR-only and LF-only line endings and byte-by-byte delivery read the same reply', async () => {
  const variants = ['\r2\r\rOK\r', '\n2\n\nOK\n', '\r\n2\r\n\r\nOK\r\n'];
  let index = 0;
  const { channel, close } = setUp(() => {
    const text = variants[index++]!;
    return index === 3 ? [...text] : [text];
  });
  for (let i = 0; i < variants.length; i++) {
    const reply = await channel.command('AT+SMOD?', { timeoutMs: 1000 });
    assert.deepEqual(reply.lines, ['2'], `variant ${i}`);
    assert.equal(reply.final, 'OK');
  }
  close();
});

test('unsolicited lines are kept apart; a +SMUPGRADE line answering AT+SMUPGRADE? belongs to the reply', async () => {
  const unsolicited: string[] = [];
  const { channel, close } = setUp(
    (command) => {
      if (command === 'AT') return ['\r\n+CEREG: 2\r\n', '\r\n+SMUPGRADE: success\r\n', '\r\nOK\r\n'];
      if (command === 'AT+SMUPGRADE?') return ['\r\n+CEREG: 1\r\n\r\n+SMUPGRADE: success\r\n\r\nOK\r\n'];
      return undefined;
    },
    { onUnsolicited: (line) => unsolicited.push(line) },
  );
  const probe = await channel.command('AT', { timeoutMs: 1000 });
  assert.deepEqual(probe.lines, []);
  assert.deepEqual(unsolicited, ['+CEREG: 2', '+SMUPGRADE: success']);
  const status = await channel.command('AT+SMUPGRADE?', { timeoutMs: 1000 });
  assert.deepEqual(status.lines, ['+SMUPGRADE: success']);
  assert.deepEqual(unsolicited, ['+CEREG: 2', '+SMUPGRADE: success', '+CEREG: 1']);
  close();
});

test('waitForLine finds +SYSSTART that arrived before, and one that arrives later', async () => {
  const { channel, modem, close } = setUp((command) => {
    if (command === 'AT+SMSWBOOT=1,1') return ['\r\nOK\r\n'];
    return ['\r\nOK\r\n'];
  });
  // Arrives between commands: the next command drains it, and waitForLine still sees it.
  await modem.send('\r\n+SYSSTART\r\n');
  await channel.command('AT', { timeoutMs: 1000 });
  assert.equal(await channel.waitForLine(/^\+SYSSTART/, { deadline: Deadline.in(1000) }), '+SYSSTART');

  await channel.command('AT+SMSWBOOT=1,1', { timeoutMs: 1000 });
  const waiting = channel.waitForLine(/^\+SYSSTART/, { deadline: Deadline.in(2000) });
  await modem.send('\r\n+CEREG: 0\r\n', '\r\n+SYS', 'START\r\n');
  assert.equal(await waiting, '+SYSSTART');
  // The line that did not match is kept for a later wait.
  assert.deepEqual(channel.queuedUnsolicited, ['+CEREG: 0']);
  assert.equal(await channel.waitForLine(/CEREG/, { deadline: Deadline.in(100) }), '+CEREG: 0');
  const error = await channel.waitForLine(/^\+SYSSTART/, { deadline: Deadline.in(30, '+SYSSTART') }).catch((e) => e);
  assert.ok(error instanceof ReadTimeoutError);
  close();
});

test('silence is a ReadTimeoutError naming the command and carrying the bytes seen', async () => {
  const { channel, close } = setUp((command) => (command === 'AT+SMOD?' ? ['\r\n2\r\n'] : undefined));
  const silent = await channel.command('AT', { timeoutMs: 40 }).catch((e) => e);
  assert.ok(silent instanceof ReadTimeoutError);
  assert.match(silent.message, /reply to AT\b/);
  assert.equal(silent.lastBytes.length, 0);
  const partial = await channel.command('AT+SMOD?', { timeoutMs: 40 }).catch((e) => e);
  assert.ok(partial instanceof ReadTimeoutError);
  assert.equal(bytesToLatin1(partial.lastBytes), '\r\n2\r\n');
  close();
});

test('a wrong baud rate surfaces as GarbledReplyError, never as OK', async () => {
  const link = new MemoryLink('garble', { baudRate: 921600 });
  const host = link.open('host', { baudRate: 115200 });
  const device = link.open('device', { baudRate: 921600 });
  const channel = new AtChannel(host);
  const reply = channel.command('AT', { timeoutMs: 60 });
  // The modem answers at its own speed; the host reads it at another.
  await device.write(new TextEncoder().encode('\r\nOK\r\n'));
  const error = await reply.catch((e) => e);
  assert.ok(error instanceof GarbledReplyError, String(error));
  assert.ok(error.garbageByteCount > 0);
  assert.match(error.action, /921600/);
});

test('a garbled line followed by a clean OK is not believed', async () => {
  const { channel, close } = setUp(() => [new Uint8Array([0x0d, 0x0a, 0xf3, 0x9e, 0xff, 0x0d, 0x0a]), '\r\nOK\r\n']);
  const error = await channel.command('AT', { timeoutMs: 1000 }).catch((e) => e);
  assert.ok(error instanceof GarbledReplyError);
  assert.equal(error.reply?.final, 'OK');
  assert.equal(error.reply?.isOk, false);
  close();
});

test('stale input before a command is drained, not taken for its reply', async () => {
  const stale: string[] = [];
  const { channel, modem, close } = setUp(
    (command) => (command === 'AT+SMOD?' ? ['\r\n2\r\n\r\nOK\r\n'] : undefined),
    { onStaleInput: (bytes) => stale.push(bytesToLatin1(bytes)) },
  );
  // A late tail of some earlier reply, then an error code, sitting unread.
  await modem.send('e: l1DspReset.c@96\r\n', '\r\nERROR\r\n');
  const reply = await channel.command('AT+SMOD?', { timeoutMs: 1000 });
  assert.deepEqual(reply.lines, ['2']);
  assert.equal(reply.isOk, true);
  assert.deepEqual(stale, ['e: l1DspReset.c@96\r\n\r\nERROR\r\n']);
  close();
});

test('AT+STP for the bootrom goes out with "\\n" alone; other commands with "\\r\\n"', async () => {
  const { channel, modem, close } = setUp(() => ['OK\r\n']);
  await channel.command('AT+STP', { timeoutMs: 1000, lineEnding: '\n' });
  await channel.command('AT+SMOD?', { timeoutMs: 1000 });
  assert.deepEqual(modem.received, ['AT+STP\n', 'AT+SMOD?\r\n']);
  close();
});

test('commands queue one at a time, in call order, and each gets its own reply', async () => {
  const { channel, modem, close } = setUp((command) => [`\r\n${command.slice(2)}-reply\r\nOK\r\n`]);
  const replies = await Promise.all(['ATI1', 'AT+CGSN', 'AT+SMOD?'].map((c) => channel.command(c, { timeoutMs: 1000 })));
  assert.deepEqual(replies.map((r) => r.lines[0]), ['I1-reply', '+CGSN-reply', '+SMOD?-reply']);
  assert.deepEqual(modem.received, ['ATI1\r\n', 'AT+CGSN\r\n', 'AT+SMOD?\r\n']);
  close();
});

test('abort stops a wait at once and a queued command never goes out', async () => {
  const { channel, modem, close } = setUp(() => undefined);
  const controller = new AbortController();
  const waiting = channel.command('AT', { deadline: Deadline.never(), signal: controller.signal });
  const queued = channel.command('AT+SMOD?', { timeoutMs: 1000, signal: controller.signal });
  await modem.hasReceived(1);
  controller.abort('user cancelled');
  await assert.rejects(waiting, OperationAbortedError);
  await assert.rejects(queued, OperationAbortedError);
  assert.deepEqual(modem.received, ['AT\r\n']);
  close();
});

test('onExchange reports replies and failures', async () => {
  const exchanges: AtExchange[] = [];
  const { channel, close } = setUp((command) => (command === 'AT' ? ['\r\nOK\r\n'] : undefined), {
    onExchange: (exchange) => exchanges.push(exchange),
  });
  await channel.command('AT', { timeoutMs: 1000 });
  await channel.command('ATI1', { timeoutMs: 30 }).catch(() => undefined);
  assert.equal(exchanges.length, 2);
  assert.equal(exchanges[0]?.reply?.final, 'OK');
  assert.ok(exchanges[1]?.error instanceof ReadTimeoutError);
  assert.equal(exchanges[1]?.command, 'ATI1');
  close();
});

test('a command with a line break is refused before anything is sent', async () => {
  const { channel, modem, close } = setUp(() => ['OK\r\n']);
  await assert.rejects(channel.command('AT\r\nAT+CFUN=4'), UsageError);
  assert.deepEqual(modem.received, []);
  close();
});

test('a queued command whose signal aborts gives up at once, while the running one continues', async () => {
  const { channel, modem, close } = setUp((command) => (command === 'AT+SMOD?' ? undefined : ['\r\nOK\r\n']));
  const running = channel.command('AT+SMOD?', { timeoutMs: 300 });
  const controller = new AbortController();
  const queued = channel.command('AT', { deadline: Deadline.never(), signal: controller.signal });
  const after = channel.command('ATI1', { timeoutMs: 1000 });
  await modem.hasReceived(1);
  controller.abort('user cancelled');
  await assert.rejects(queued, OperationAbortedError);
  // The one after the cancelled one still waits for the running one to end.
  assert.deepEqual(modem.received, ['AT+SMOD?\r\n']);
  await assert.rejects(running, ReadTimeoutError);
  assert.equal((await after).final, 'OK');
  assert.deepEqual(modem.received, ['AT+SMOD?\r\n', 'ATI1\r\n']);
  close();
});

test('a late reply to a timed-out probe, named by its echo, is skipped: the next command gets its own reply', async () => {
  const skipped: string[] = [];
  const { channel, close } = setUp(
    (command) => {
      // The modem was busy: it answers the first AT only after AT+SMOD? went out, then AT+SMOD? itself.
      if (command === 'AT') return undefined;
      if (command === 'AT+SMOD?') return ['AT\r\r\nOK\r\n', 'AT+SMOD?\r\r\n2\r\n\r\nOK\r\n'];
      return undefined;
    },
    { onStaleReply: (command, stale) => skipped.push(`${command} skipped ${stale.echo}/${stale.final}`) },
  );
  const probe = await channel.command('AT', { timeoutMs: 40 }).catch((e) => e);
  assert.ok(probe instanceof ReadTimeoutError);
  assert.deepEqual(channel.awaitingLateReplies, ['AT']);
  const reply = await channel.command('AT+SMOD?', { timeoutMs: 1000 });
  assert.deepEqual(reply.lines, ['2'], 'the state line, not the late OK to AT');
  assert.equal(reply.isOk, true);
  assert.deepEqual(skipped, ['AT+SMOD? skipped AT/OK']);
  close();
});

test('a late reply alone does not answer the next command: it still waits for its own, within the deadline', async () => {
  const { channel, close } = setUp((command) => (command === 'AT+SMOD?' ? ['AT\r\r\nOK\r\n'] : undefined));
  await channel.command('AT', { timeoutMs: 30 }).catch(() => undefined);
  const error = await channel.command('AT+SMOD?', { timeoutMs: 80 }).catch((e) => e);
  assert.ok(error instanceof ReadTimeoutError, String(error));
  close();
});

test('without a timed-out command, a first info line that looks like an echo of another command is kept', async () => {
  const { channel, close } = setUp((command) => (command === 'ATI1' ? ['\r\nAT+CGSN\r\nOK\r\n'] : undefined));
  const reply = await channel.command('ATI1', { timeoutMs: 1000 });
  assert.deepEqual(reply.lines, ['AT+CGSN']);
  close();
});
