import { test } from 'node:test';
import assert from 'node:assert/strict';
import { onBoardPhaseOf, parseProgressBar, parseUpdaterVersionBlock } from '../../src/core/parse/updaterProgress';

test('progress bar lines: any width and mark, a bar redrawn with carriage returns, nothing else', () => {
  assert.equal(parseProgressBar('[####      ] 8%'), 8);
  assert.equal(parseProgressBar('[####################] 100%'), 100);
  assert.equal(parseProgressBar('[          ]0%'), 0);
  assert.equal(parseProgressBar('[=====>    ] 55 %'), 55);
  assert.equal(parseProgressBar('[#   ] 3%\r[##  ] 41%\r'), 41);
  assert.equal(parseProgressBar('Updater: 25%'), undefined);
  assert.equal(parseProgressBar('[abc] 5%'), undefined);
  assert.equal(parseProgressBar('[####] 250%'), undefined);
});

test('the phases a line of run() opens', () => {
  assert.equal(onBoardPhaseOf('Starting STP (DO NOT DISCONNECT POWER!!!)'), 'transfer');
  assert.equal(onBoardPhaseOf('[##        ] 12%'), 'transfer');
  assert.equal(onBoardPhaseOf('Waiting for the modem to restart into its updater...'), 'prepare-wait');
  assert.equal(onBoardPhaseOf('Waiting for the modem to finish the upgrade (it writes its flash: do not power off)...'), 'write-wait');
  assert.equal(onBoardPhaseOf('Waiting for the modem to boot its new firmware...'), 'boot-wait');
  assert.equal(onBoardPhaseOf('Your modem has been successfully updated.'), 'done');
  assert.equal(onBoardPhaseOf('Preparing modem for upgrade...'), undefined);
});

test('the version block after success: showver, ATI1 and IMEI', () => {
  const report = parseUpdaterVersionBlock([
    'Here is the current firmware version:',
    'SYSTEM VERSION',
    '==============',
    '  FIRMWARE VERSION',
    '    Bootloader0  : 5.1.1.0 [33080]',
    '    Bootloader1* : 5.1.1.0 [41065]',
    '    Bootloader2  : 5.1.1.0 [41065]',
    '    NV Info      : 1.1,0,0',
    '    Software     : 5.1.1.0 [41065] by robot-soft at 2018-08-20 09:51:46',
    '    UE           : 5.0.0.0d',
    '  COMPONENTS',
    '    ZSP0         : 1.0.99-13604',
    'UE5.0.0.0d',
    'LR5.1.1.0-41065',
    'IMEI: 354347094683296',
  ])!;
  assert.equal(report.softwareBuild, 41065);
  assert.equal(report.kind, 'CAT-M1');
  assert.equal(report.imei, '354347094683296');
  assert.deepEqual(report.ati1, ['UE5.0.0.0d', 'LR5.1.1.0-41065']);
  assert.equal(report.bootloaders.find((b) => b.slot === 0)?.build, 33080);
  assert.equal(report.needsRecoveryBootromUpgrade, true);
  // ATI1 alone (an updater that prints no showver) still gives the build.
  assert.equal(parseUpdaterVersionBlock(['UE6.0.0.0d', 'LR6.1.1.0-43818'])?.softwareBuild, 43818);
  assert.equal(parseUpdaterVersionBlock(['nothing here']), undefined);
});
