import { basename } from 'node:path';
import { formatCrashDumpText } from '../../../src/core/parse/crashDump';
import { summarizeModemInfo } from './infoOutput';
import { escapeBytes } from './rawTranscript';
import { latin1ToBytes } from '../../../src/core/transport/framers';
import type { LaneRun } from './runLane';

/** Device text for a code block: line ends made \n, other control bytes escaped, so nothing the board sends can break the Markdown. */
function deviceText(text: string): string {
  return text
    .replace(/\r\n/g, '\n')
    .replace(/[\x00-\x08\x0b-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
    .trimEnd();
}

/** A fence longer than any backtick run in the text, so the block cannot be closed from inside. */
function codeBlock(text: string, language = 'text'): string {
  const longestRun = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(Math.max(3, longestRun + 1));
  return `${fence}${language}\n${text || '(nothing)'}\n${fence}`;
}

function cell(text: string): string {
  return text.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|');
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** The Markdown report a user attaches to an issue. */
export function renderLaneReport(run: LaneRun): string {
  const { config, results, findings } = run;
  const counts = (['pass', 'fail', 'skip'] as const).map((status) => `${results.filter((r) => r.status === status).length} ${status}`).join(', ');
  const out: string[] = [];
  out.push('# Pycom modem upgrader: hardware report', '');
  out.push('| | |', '|---|---|');
  out.push(`| Tool | ${cell(run.toolVersion)} |`);
  out.push(`| OS | ${cell(run.platform)} |`);
  out.push(`| Port | \`${cell(config.portPath)}\` |`);
  out.push(`| Started | ${run.startedAt.toISOString()} |`);
  out.push(`| Duration | ${seconds(run.durationMs)} |`);
  out.push(`| Mirror mode allowed (PYCOM_TEST_MIRROR) | ${config.isMirrorAllowed ? 'yes' : 'no'} |`);
  out.push(`| Firmware (PYCOM_TEST_FIRMWARE) | ${config.firmwarePaths.length ? cell(config.firmwarePaths.map((p) => basename(p)).join(', ')) : 'none: read-only run'} |`);
  if (config.updaterPath) out.push(`| Updater (PYCOM_TEST_UPDATER) | ${cell(basename(config.updaterPath))} |`);
  out.push(`| Result | ${counts}${run.isCancelled ? ', cancelled with Ctrl-C' : ''} |`, '');
  if (run.isBoardInMirrorMode) {
    out.push('> **The board was left in mirror mode** (the crash-dump read or the upgrade needs it, and it has no exit): unplug the board and plug it back in to get its REPL back.', '');
  } else if (!run.isCancelled) {
    out.push('The board was left at its friendly `>>>` REPL, with no file of this run left on /flash.', '');
  }

  out.push('## Checks', '', '| Check | What | Result | Time | Details |', '|---|---|---|---|---|');
  for (const r of results) out.push(`| \`${r.id}\` | ${cell(r.title)} | **${r.status}** | ${seconds(r.durationMs)} | ${cell(r.summary)} |`);
  out.push('');

  const id = findings.identity;
  if (id) {
    out.push('## Board identity', '');
    out.push(`- Board: ${id.machine} (${id.uname.machine})`);
    out.push(`- Firmware release: ${id.release} (${id.uname.version})`);
    out.push(`- os.uname(): sysname=${id.uname.sysname}, nodename=${id.uname.nodename}, release=${id.uname.release}`);
    out.push(`- LTE modem: ${id.hasLteModem ? 'yes' : 'no'}`);
    out.push(`- sqnsupgrade importable: ${id.hasSqnsupgrade ? 'yes' : 'no'}`);
    out.push(`- /flash: ${id.flashFreeBytes} bytes free of ${id.flashTotalBytes}`, '');
  }

  if (findings.infoOutput) {
    const { parsed } = findings.infoOutput;
    out.push('## sqnsupgrade.info()', '');
    out.push(`Recognised: ${summarizeModemInfo(parsed)}${parsed.info.updaterVersion ? `; board updater ${parsed.info.updaterVersion}` : ''}.`);
    if (parsed.failure) out.push(`What to do: ${parsed.failure.action}`);
    if (parsed.info.report.imei) out.push('The output holds the modem IMEI: remove it before posting the report in public if you prefer.');
    out.push('', codeBlock(deviceText(findings.infoOutput.stdout)), '');
    if (findings.infoOutput.stderr.trim()) out.push('It raised:', '', codeBlock(deviceText(findings.infoOutput.stderr)), '');
  }
  if (findings.stateOutput) {
    out.push('### sqnsupgrade.state()', '', codeBlock(deviceText(`${findings.stateOutput.stdout}${findings.stateOutput.stderr}`)), '');
  }

  if (findings.push) {
    const p = findings.push;
    out.push('## File push', '');
    out.push(`- ${p.bytes} bytes to ${p.remotePath}${p.scheme ? ` (${p.scheme})` : ''} in ${seconds(p.elapsedMs)}`);
    out.push(`- sha256 sent: ${p.sha256}`);
    out.push(`- sha256 read back: ${p.readBackSha256 ?? '(none)'}`, '');
  }

  if (findings.replExchanges?.length) {
    out.push('## REPL round trip', '', '| Sent | Received | Time |', '|---|---|---|');
    for (const e of findings.replExchanges) {
      out.push(`| \`${cell(escapeBytes(latin1ToBytes(e.sent)))}\` | \`${cell(escapeBytes(latin1ToBytes(e.received)))}\` | ${Math.round(e.tookMs)} ms |`);
    }
    out.push('');
  }

  if (findings.upgrade) {
    const u = findings.upgrade;
    out.push('## Upgrade', '');
    out.push(`- Outcome: **${u.outcome}**${u.path ? ` (${u.path})` : ''}`);
    if (u.before) out.push(`- Before: build ${u.before.softwareBuild ?? 'unknown'}`);
    if (u.after) out.push(`- After: build ${u.after.softwareBuild ?? 'unknown'}`);
    if (u.error) out.push(`- Error (${u.error.code}${u.error.step ? `, step ${u.error.step}` : ''}): ${u.error.message}`, `- What to do: ${u.error.action}`);
    if (u.diagnosis) out.push(`- Diagnosis: ${JSON.stringify(u.diagnosis)}`);
    if (u.resumeHint) out.push(`- Where things stand: ${u.resumeHint}`);
    if (u.transcriptPath) out.push(`- The upgrade's own session log: ${u.transcriptPath}`);
    if (u.crashDump) out.push('', codeBlock(formatCrashDumpText(u.crashDump).trimEnd()));
    out.push('');
  }

  if (findings.crashDump) {
    out.push('## Modem crash dump', '');
    out.push(findings.crashDump.dump ? codeBlock(formatCrashDumpText(findings.crashDump.dump).trimEnd()) : 'The modem has no crash dump.', '');
  }

  out.push(`## Transcript (last ${run.transcriptTail.length} lines)`, '');
  out.push(`The whole transcript (every byte each way) is in \`${basename(config.transcriptPath)}\` beside this report: attach both.`, '');
  out.push(codeBlock(run.transcriptTail.map((line) => (line.length > 240 ? `${line.slice(0, 240)}…` : line)).join('\n')), '');
  return out.join('\n');
}
