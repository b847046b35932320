import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { makeSyntheticFirmware } from '../../src/sim/firmwareImage';
import { ByteDropper, DEFAULT_FAULT_PLAN, type SimFault } from '../../src/sim/modem/modemFaults';
import { at, expectSilence, pollUpgrade, send, sendImage, startModem, wakeUp } from './modemHarness';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const image = makeSyntheticFirmware({ kind: 'diff', network: 'CAT-M1', fromBuild: 38638, build: 41065, size: 40_000 });

async function stageOverFff(faults: SimFault[], requestMs = 1000) {
  const rig = startModem({ faults, keepImageBytes: true });
  await at(rig.host, 'ATE0');
  await at(rig.host, 'AT+SMSTPU');
  const stats = await sendImage(rig.host, image, { requestMs });
  return { rig, stats };
}

test('residue: some blocks are only partly taken; resending the rest still stores the exact file', async () => {
  const { rig, stats } = await stageOverFff(['residue']);
  try {
    assert.ok(stats.residues.length >= 2, `residues seen: ${stats.residues}`);
    assert.ok(stats.residues.every((r) => r > 0 && r < 2016));
    assert.equal(rig.modem.stored[0]!.sha256, sha256(image));
  } finally {
    await rig.stop();
  }
});

test('corrupt-reply-crc: some replies carry a bad header CRC (with their payload); a resend gets a clean one', async () => {
  const { rig, stats } = await stageOverFff(['corrupt-reply-crc']);
  try {
    assert.ok(stats.badCrcReplies >= 2, `bad replies: ${stats.badCrcReplies}`);
    assert.equal(stats.timeouts, 0, 'the payload was still sent, so no reply framing was lost');
    assert.deepEqual(rig.modem.stored[0]!.bytes, image);
  } finally {
    await rig.stop();
  }
});

test('drop-bytes: a request that lost bytes gets no reply; the resend is answered and the file is exact', async () => {
  const { rig, stats } = await stageOverFff(['drop-bytes'], 60);
  try {
    assert.ok(stats.timeouts >= 1, `timeouts: ${stats.timeouts}`);
    assert.deepEqual(rig.modem.stored[0]!.bytes, image);
  } finally {
    await rig.stop();
  }
});

test('ByteDropper removes the planned bytes at the planned offsets, across chunk borders', () => {
  const dropper = new ByteDropper({ ...DEFAULT_FAULT_PLAN, dropEveryBytes: 10, dropByteCount: 2, maxDropsPerSession: 2 });
  const input = Uint8Array.from({ length: 40 }, (_, i) => i);
  const out = [...dropper.filter(input.subarray(0, 7)), ...dropper.filter(input.subarray(7, 40))];
  assert.deepEqual(out, [...input].filter((b) => b !== 10 && b !== 11 && b !== 20 && b !== 21));
  assert.equal(dropper.dropCount, 2);
});

test('patch-fails: even a matching diff ends in the patch failure', async () => {
  const { rig } = await stageOverFff(['patch-fails']);
  try {
    await at(rig.host, 'AT+SMUPGRADE');
    const answers = await pollUpgrade(rig.host);
    assert.match(answers.at(-1)!, /\+SMUPGRADE: failure\[diffUpgrade,239\] Patch didn't apply!/);
    assert.equal(rig.modem.build, 38638);
  } finally {
    await rig.stop();
  }
});

test('silent: nothing ever comes back', async () => {
  const rig = startModem({ faults: ['silent'] });
  try {
    await send(rig.host, 'AT\r\nAT+SMOD?\r\n');
    assert.equal((await expectSilence(rig.host, 100)).length, 0);
  } finally {
    await rig.stop();
  }
});

test('wrong-baud: garbage at 921600, a clean conversation at 115200', async () => {
  const rig = startModem({ faults: ['wrong-baud'] });
  try {
    await rig.modem.ready;
    await send(rig.host, 'AT\r');
    await expectSilence(rig.host, 50);
    await rig.host.update({ baudRate: 115200 });
    rig.host.drain();
    assert.match(await at(rig.host, 'AT'), /OK\r\n$/);
  } finally {
    await rig.stop();
  }
});

test('wrong-baud over a transport that cannot garble (a pty): the modem garbles its own replies', async () => {
  const rig = startModem({ faults: ['wrong-baud'], assumedHostBaud: 921600 });
  try {
    await rig.modem.ready;
    // The link itself is at 115200 on both ends now, so only the software garbling can spoil it.
    await rig.host.update({ baudRate: 115200 });
    await send(rig.host, 'AT\r');
    await expectSilence(rig.host, 50);
  } finally {
    await rig.stop();
  }
});

test('unplug: the port vanishes mid-transfer; the modem comes back in state 4 with an incomplete image', async () => {
  const rig = startModem({ faults: ['unplug'] });
  const full = makeSyntheticFirmware({ kind: 'full', network: 'CAT-M1', build: 41065, size: 50_000 });
  try {
    await at(rig.host, 'ATE0');
    await at(rig.host, 'AT+SMSWBOOT=3,1');
    await wakeUp(rig.host);
    await at(rig.host, 'AT+SMSTPU="ON_THE_FLY"');
    let closedWith = '';
    rig.host.onClose((reason) => (closedWith = reason));
    await assert.rejects(sendImage(rig.host, full), /disappeared/);
    assert.equal(closedWith, 'vanished');
    assert.equal(rig.link.plugged, false);
    assert.equal(rig.modem.stored[0]!.isComplete, false);
    assert.equal(rig.modem.state, 4);
  } finally {
    await rig.stop();
  }
});
