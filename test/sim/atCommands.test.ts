import { test } from 'node:test';
import assert from 'node:assert/strict';
import { at, expectSilence, send, startModem } from './modemHarness';

test('the application echoes until ATE0 and again after ATE1', async () => {
  const rig = startModem();
  try {
    assert.equal(await at(rig.host, 'AT'), 'AT\r\r\nOK\r\n');
    assert.equal(await at(rig.host, 'ATE0'), 'ATE0\r\r\nOK\r\n');
    assert.equal(await at(rig.host, 'AT'), '\r\nOK\r\n');
    assert.equal(await at(rig.host, 'ATE1'), '\r\nOK\r\n');
    assert.equal(await at(rig.host, 'AT+SMOD?'), 'AT+SMOD?\r\r\n2\r\nOK\r\n');
  } finally {
    await rig.stop();
  }
});

test('application replies use the framing of the captures', async () => {
  const rig = startModem();
  try {
    await at(rig.host, 'ATE0');
    assert.equal(await at(rig.host, 'AT+BIND=AT'), '\r\nOK\r\n');
    assert.equal(await at(rig.host, 'AT+SMLOG?'), '\r\n+SMLOG: LOG_INHERIT\r\nOK\r\n');
    assert.equal(await at(rig.host, 'AT+SMOD?'), '\r\n2\r\nOK\r\n');
    assert.equal(await at(rig.host, 'AT+SQNSUPGRADENTF="started"'), '\r\nOK\r\n');
    assert.equal(await at(rig.host, 'AT+SQNWL="sqndcc",2'), '\r\nOK\r\n');
    assert.equal(await at(rig.host, 'AT+CFUN=4'), '\r\nOK\r\n');
    assert.equal(await at(rig.host, 'AT+CFUN?'), '\r\n+CFUN: 4\r\nOK\r\n');
    assert.equal(await at(rig.host, 'AT+CGSN'), '\r\n354347094683296\r\nOK\r\n');
    assert.equal(await at(rig.host, 'ATI1'), '\r\nUE5.0.0.0d\r\nLR5.1.1.0-38638\r\nOK\r\n');
    const showver = await at(rig.host, 'AT!="showver"');
    assert.match(showver, /Bootloader0 {2}: 5\.1\.1\.0 \[38638\]/);
    assert.match(showver, /Software {5}: 5\.1\.1\.0 \[38638\] by robot-soft/);
    assert.equal(await at(rig.host, 'AT+SMUPGRADE?'), '\r\n+SMUPGRADE: No report\r\nOK\r\n');
    assert.equal(await at(rig.host, 'AT+SMSWBOOT?'), '\r\n+SMSWBOOT: 1,0\r\nBoot mode: FFF\r\nOK\r\n');
    assert.equal(await at(rig.host, 'AT+NOSUCH'), '\r\nERROR\r\n');
    assert.equal(await at(rig.host, 'AT+STP', 2000, '\n'), '\r\nERROR\r\n');
    assert.equal(await at(rig.host, 'AT+SMUPGRADE'), '\r\nERROR\r\n', 'nothing staged yet');
    assert.equal(await at(rig.host, 'AT+SMSTPU="ON_THE_FLY"'), '\r\nERROR\r\n', 'only the updater writes on the fly');
    assert.deepEqual(rig.modem.commandsSeen.slice(0, 3), ['ATE0', 'AT+BIND=AT', 'AT+SMLOG?']);
  } finally {
    await rig.stop();
  }
});

test('a +++ escape, CRLF endings, lower case and stray bytes before AT are tolerated', async () => {
  const rig = startModem();
  try {
    await send(rig.host, '+++');
    await expectSilence(rig.host, 30);
    // Echo goes off with ATE0, so the LF of its CRLF is not echoed.
    assert.equal(await at(rig.host, 'ATE0', 2000, '\r\n'), '+++ATE0\r\r\nOK\r\n');
    assert.equal(await at(rig.host, '\x80\xffat+smod?'), '\r\n2\r\nOK\r\n');
    assert.equal(await at(rig.host, 'ATI1', 2000, '\n'), '\r\nUE5.0.0.0d\r\nLR5.1.1.0-38638\r\nOK\r\n');
  } finally {
    await rig.stop();
  }
});

test('the recovery bootrom (state 0) knows only AT, AT+SMOD?, AT+IPR and AT+STP, echo off, bare replies', async () => {
  const rig = startModem({ state: 0, hasOldBootrom: true });
  try {
    assert.equal(await at(rig.host, 'AT'), 'OK\r\n');
    assert.equal(await at(rig.host, 'AT+SMOD?'), '0\r\nOK\r\n');
    for (const refused of ['ATE0', 'ATI1', 'AT+CGSN', 'AT!="showver"', 'AT+SMSTPU', 'AT+SMLOG?', 'AT+CFUN=4', 'AT+FSRDFILE="/fs/crashdump"']) {
      assert.equal(await at(rig.host, refused), 'ERROR\r\n', refused);
    }
    assert.equal(await at(rig.host, 'AT+IPR=921600'), 'OK\r\n');
    assert.equal(await at(rig.host, 'AT+STP', 2000, '\n'), 'OK\r\n');
    assert.equal(rig.modem.mode, 'stp');
  } finally {
    await rig.stop();
  }
});

test('state 4 (interrupted upgrade) answers 4 with echo off and accepts AT+SMSTPU directly', async () => {
  const rig = startModem({ state: 4 });
  try {
    assert.equal(await at(rig.host, 'AT'), '\r\nOK\r\n');
    assert.equal(await at(rig.host, 'AT+SMOD?'), '\r\n4\r\nOK\r\n');
    assert.equal(await at(rig.host, 'AT+SMSWBOOT?'), '\r\n+SMSWBOOT: 3,0\r\nBoot mode: RECOVERY\r\nOK\r\n');
    assert.equal(await at(rig.host, 'AT+SMSTPU="ON_THE_FLY"'), '\r\nOK\r\n');
    assert.equal(rig.modem.mode, 'stp');
  } finally {
    await rig.stop();
  }
});

test('AT+IPR switches the modem UART: the old rate then reads garbage', async () => {
  const rig = startModem();
  try {
    await at(rig.host, 'ATE0');
    assert.equal(await at(rig.host, 'AT+IPR=115200'), '\r\nOK\r\n');
    // At the old rate the modem sees framing errors, never a CR: no reply at all.
    await send(rig.host, 'AT\r');
    await expectSilence(rig.host, 50);
    await rig.host.update({ baudRate: 115200 });
    assert.equal(await at(rig.host, 'AT+IPR?'), '\r\n+IPR: 115200\r\nOK\r\n');
  } finally {
    await rig.stop();
  }
});
