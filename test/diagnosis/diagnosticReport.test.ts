import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  hexDump,
  renderDiagnosticReport,
  reportStepsFromEvents,
  type DiagnosticReportInput,
} from '../../src/core/diagnosis/diagnosticReport';
import { fencedBlock, inlineCode, inlineText } from '../../src/core/diagnosis/markdownSafe';
import { diagnose } from '../../src/core/diagnosis/diagnose';
import { STEP_TITLES, type StepId, type UpgradeEvent } from '../../src/core/engine/upgradeEvents';
import { buildModemVersionReport } from '../../src/core/parse/modemVersion';
import { crashDumpWith, dump33080 } from './crashDumpBuilder';

const XSS = '<img src=x onerror=alert(1)>';

/** A crash dump whose device strings try to close our fences and inject HTML. */
function hostileDump() {
  return crashDumpWith({
    buildString: `5.1.1.0 [33080] \`\`\` ${XSS}`,
    assertion: `Assertion failed\nFile: l1Dsp\`\`\`\`Reset.c@96\n'LPU ${XSS} \`\`\`\n# heading?\n</code></pre><script>alert(2)</script>`,
    extra: [0x60, 0x60, 0x60, 0x3c, 0x62, 0x3e],
  });
}

function stepEvent(step: StepId, phase: 'start' | 'done' | 'fail', atMs: number, detail?: string): UpgradeEvent {
  return { kind: 'step', step, title: STEP_TITLES[step], phase, atMs, ...(detail ? { detail } : {}) };
}

const events: UpgradeEvent[] = [
  stepEvent('detect', 'start', 0),
  stepEvent('detect', 'done', 1_500),
  stepEvent('prepare', 'start', 1_600),
  stepEvent('prepare', 'fail', 26_600, `No reply ${XSS}`),
  stepEvent('crash-dump', 'start', 26_700),
  stepEvent('crash-dump', 'done', 27_900),
];

function hostileInput(): DiagnosticReportInput {
  const crashDump = hostileDump();
  const diagnosis = diagnose({ errorCode: 'modem-silent', failedStep: 'prepare', crashDump, modemStateBefore: 2 });
  return {
    environment: { os: 'linux x64', node: 'v20.11.0', toolVersion: '0.3.0', frontEnd: 'CLI' },
    portPath: '/dev/ttyUSB0',
    board: { machine: `GPy ${XSS} [click](javascript:alert(3)) <https://evil.example>`, release: '1.18.2.r7', revision: '1.0', hasLteModem: true, hasSqnsupgrade: true, flashFreeBytes: 500_000, flashTotalBytes: 1_048_576 },
    modemBefore: buildModemVersionReport({
      imeiLines: ['354347090000001'],
      ati1Lines: ['UE5.0.0.0d', 'LR5.1.1.0-38638'],
      showverText: '  FIRMWARE VERSION\n    Bootloader0  : 5.1.1.0 [33080]\n    Software     : 5.1.1.0 [38638] by robot-soft',
    }),
    modemStateBefore: 2,
    modemStateAfter: 4,
    outcome: { outcome: 'failed', message: `Upgrade failed: ${XSS}`, resumeHint: 'Power-cycle and resume.' },
    path: 'on-the-fly',
    files: [{ name: `CATM1-41065|${XSS}.dup`, size: 5_835_531, kind: 'full' }],
    steps: reportStepsFromEvents(events),
    diagnosis,
    otherFindings: [diagnose({ wantedBands: [8], boardMachine: 'GPy', boardRevision: '1.0' })],
    crashDump,
    transcriptTail: ['>> AT', '<< OK', `<< \`\`\` ${XSS} \x1b[31m`, '```', '~~~'],
    transcriptPath: '/tmp/pycom-modem/upgrade-2026.log',
    generatedAt: new Date('2026-11-24T12:00:00Z'),
  };
}

test('the report renders every section', () => {
  const report = renderDiagnosticReport(hostileInput());
  for (const heading of [
    '## Pycom LTE modem upgrade report',
    '**Outcome:** failed',
    '**Where it stands:**',
    '### Diagnosis: ',
    '**What to do:**',
    '### Also: ',
    '### Environment',
    '### Board',
    '### Modem before',
    '### Modem after',
    '### Files',
    '### Steps',
    '### Modem crash dump',
    '### Transcript (last 5 of 5 lines)',
    'Full transcript: `/tmp/pycom-modem/upgrade-2026.log`',
  ]) {
    assert.ok(report.includes(heading), `missing: ${heading}`);
  }
  assert.match(report, /Rule: crash\\-on\\-old\\-bootrom|Rule: crash-on-old-bootrom/);
  assert.match(report, /- Bootloader0: `5\.1\.1\.0` \[33080\]/);
  assert.match(report, /State \(AT\+SMOD\?\): 4, upgrade mode/);
  assert.match(report, /\| Wake the modem and read its state \| done \| 1\.5 s \|/);
  assert.match(report, /\| Prepare the modem for upgrade \| \*\*failed\*\*: .* \| 25\.0 s \|/);
  assert.ok(report.includes('000000  0d 0a '), 'hex of the first bytes, from the leading CRLF');
  assert.ok(report.includes('Modem crash dump (firmware 5.1.1.0 [33080]'), 'formatCrashDumpText is included');
  assert.ok(!report.includes('354347090000001'), 'the IMEI stays out of a public post');
});

test('device text cannot inject Markdown or HTML: the rendered page holds no element from the device', async () => {
  // marked is ESM-only; the tests compile as CommonJS. It is a real CommonMark/GFM renderer, independent of the code under test.
  const { Lexer, marked } = await import('marked');
  const report = renderDiagnosticReport(hostileInput());
  const html = await marked.parse(report, { gfm: true });
  assert.doesNotMatch(html, /<img/i);
  assert.doesNotMatch(html, /<script/i);
  assert.doesNotMatch(html, /<b>/i);
  assert.doesNotMatch(html, /<a /i, 'no link from device text');
  assert.ok(html.includes('&lt;img src=x onerror=alert(1)&gt;'), 'the text is shown, escaped');
  // Exactly our three code blocks (crash dump text, hex, transcript): none was closed early by a device "```".
  const codeBlocks = Lexer.lex(report, { gfm: true }).filter((token) => token.type === 'code');
  assert.equal(codeBlocks.length, 3);
  assert.ok((codeBlocks[0] as { text: string }).text.includes('l1Dsp````Reset.c'));
  assert.ok((codeBlocks[2] as { text: string }).text.includes('```'));
  assert.ok((codeBlocks[2] as { text: string }).text.includes('\\x1b[31m'), 'control bytes shown, not sent to the terminal');
  // No heading came from the device ("# heading?" sits inside the assertion text).
  assert.doesNotMatch(html, /<h1/);
  // The file name's "|" did not split the table row.
  const filesTable = Lexer.lex(report, { gfm: true }).find(
    (token) => token.type === 'table' && (token as { header: { text: string }[] }).header[0]!.text === 'File',
  ) as { rows: unknown[][] } | undefined;
  assert.ok(filesTable);
  assert.equal(filesTable.rows[0]!.length, 3);
});

test('fences grow past any backtick run; inline text escapes markup; code spans stay closed', () => {
  assert.equal(fencedBlock('a ````` b').split('\n')[0], '``````text');
  assert.equal(fencedBlock('plain').split('\n')[0], '```text');
  assert.equal(inlineText('*x* <b>&'), '\\*x\\* &lt;b&gt;&amp;');
  assert.equal(inlineText('[a](javascript:x) (plain)'), '\\[a\\](javascript:x) (plain)');
  assert.equal(inlineText('a\nb\r\nc'), 'a b c');
  assert.equal(inlineCode('a`b'), '``a`b``');
  assert.equal(inlineCode('`x`'), '`` `x` ``');
  assert.equal(inlineCode(''), '(empty)');
});

test('hex dump: offsets, 16 bytes a row, printable text column, a count of what is left out', () => {
  const bytes = new Uint8Array(300).map((_, i) => i & 0xff);
  const text = hexDump(bytes, 32);
  const lines = text.split('\n');
  assert.equal(lines.length, 3);
  assert.ok(lines[0]!.startsWith('000000  00 01 02'));
  assert.ok(lines[1]!.startsWith('000010  10 11'));
  assert.equal(lines[2], '… 268 more bytes');
  assert.ok(hexDump(new TextEncoder().encode('AT\r\n')).endsWith('|AT..|'));
});

test('steps from events: last phase, duration from start to done or fail, the failure detail', () => {
  const steps = reportStepsFromEvents(events);
  assert.deepEqual(
    steps.map((s) => [s.id, s.phase, s.durationMs]),
    [
      ['detect', 'done', 1_500],
      ['prepare', 'fail', 25_000],
      ['crash-dump', 'done', 1_200],
    ],
  );
  assert.match(steps[1]!.detail ?? '', /No reply/);
});

test('a minimal report: no board, no modem, no dump, no diagnosis', () => {
  const report = renderDiagnosticReport({
    environment: { os: 'win32 x64', node: 'v20.0.0', toolVersion: '0.3.0' },
    files: [],
    steps: [],
    transcriptTail: [],
    generatedAt: new Date(0),
  });
  assert.ok(report.includes('### Environment'));
  assert.ok(!report.includes('### Board'));
  assert.ok(!report.includes('### Modem crash dump'));
  assert.ok(report.includes('(no step ran)'));
  assert.ok(report.includes('### Transcript (last 0 of 0 lines)'));
  // The normal dump (no hostile text) renders its assertion location.
  assert.ok(renderDiagnosticReport({ ...hostileInput(), crashDump: dump33080() }).includes('Assertion at l1DspReset.c, line 96'));
});
