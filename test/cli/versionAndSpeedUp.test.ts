import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseCommandArgs } from '../../src/cli/args';
import { timeScaleOption } from '../../src/cli/commands/sim';
import { runInProcess } from './cliHarness';

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };

test('pycom-modem --version prints the package version and exits 0', async () => {
  for (const flag of ['--version', '-V', 'version']) {
    const run = await runInProcess([flag]);
    assert.equal(run.code, 0, flag);
    assert.equal(run.stdout, `${pkg.version}\n`, flag);
  }
  assert.match((await runInProcess(['help'])).stdout, /--version/);
});

test('sim/demo: --speed-up N is --time-scale 1/N, as the VS Code setting reads; both at once is a usage error', () => {
  const parse = (argv: string[]) => parseCommandArgs('demo', argv, { 'time-scale': { type: 'string' }, 'speed-up': { type: 'string' } });
  const bounds = { min: 0.0001, max: 1 };
  assert.equal(timeScaleOption(parse(['--speed-up', '100']), 'demo', bounds), 0.01);
  assert.equal(timeScaleOption(parse(['--time-scale', '0.05']), 'demo', bounds), 0.05);
  assert.equal(timeScaleOption(parse([]), 'demo', bounds), undefined);
  assert.throws(() => timeScaleOption(parse(['--speed-up', '0.5']), 'demo', bounds), /--speed-up "0.5" is not a valid number \(>= 1 and <= 10000\)/);
  assert.throws(() => timeScaleOption(parse(['--speed-up', '10', '--time-scale', '0.1']), 'demo', bounds), /say the same thing twice/);
});

test('demo and sim document --speed-up in their usage', async () => {
  for (const command of ['demo', 'sim']) {
    const run = await runInProcess(['help', command]);
    assert.match(run.stdout, /--speed-up <N>/, command);
    assert.match(run.stdout, /pycomModem\.simulator\.speedUp/, command);
  }
});
