import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultTranscriptDir } from '../../src/cli/cliSupport';

test('transcripts and last-attempt.json live in the state folder of each OS, not in the temp folder', () => {
  assert.equal(defaultTranscriptDir({ HOME: '/home/ana' }, 'linux'), '/home/ana/.local/state/pycom-modem');
  assert.equal(defaultTranscriptDir({ HOME: '/home/ana', XDG_STATE_HOME: '/var/state/ana' }, 'linux'), '/var/state/ana/pycom-modem');
  // The XDG spec says a relative path is invalid: ignored.
  assert.equal(defaultTranscriptDir({ HOME: '/home/ana', XDG_STATE_HOME: 'state' }, 'linux'), '/home/ana/.local/state/pycom-modem');
  assert.equal(defaultTranscriptDir({ LOCALAPPDATA: 'C:\\Users\\ana\\AppData\\Local' }, 'win32', 'C:\\Users\\ana'), 'C:\\Users\\ana\\AppData\\Local\\pycom-modem');
  assert.equal(defaultTranscriptDir({}, 'win32', 'C:\\Users\\ana'), 'C:\\Users\\ana\\AppData\\Local\\pycom-modem');
  assert.equal(defaultTranscriptDir({ HOME: '/Users/ana' }, 'darwin'), '/Users/ana/Library/Application Support/pycom-modem');
});

test('PYCOM_MODEM_TRANSCRIPT_DIR still overrides it everywhere', () => {
  for (const platform of ['linux', 'win32', 'darwin'] as const) {
    assert.equal(defaultTranscriptDir({ HOME: '/h', PYCOM_MODEM_TRANSCRIPT_DIR: '/logs' }, platform), '/logs');
  }
});
