import { diagnoseFailure } from '../core/diagnosis/diagnose';
import { renderDiagnosticReport } from '../core/diagnosis/diagnosticReport';
import { diagnosesFromEvents, readTranscriptTail, reportFileKind, reportInputFromEvents } from '../core/diagnosis/reportInput';
import { finishedAttempt, newAttempt, parseLastAttempt } from '../core/engine/lastAttempt';
import { hasFailure, renderPreflightText, runPreflight } from '../core/preflight/preflight';
import type { SessionRules } from './modemCore';

/**
 * The real SessionRules. Only coreLoader.ts (loaded lazily) and tests import this module:
 * a static import from the glue would put the diagnosis and preflight tables back into
 * the activation bundle.
 */
export const sessionRules: SessionRules = {
  diagnoseSession: (events, error) =>
    error !== undefined ? [diagnoseFailure(error, { events }).diagnosis] : diagnosesFromEvents(events),
  runPreflight(facts) {
    const results = runPreflight(facts);
    return { results, hasFailure: hasFailure(results), text: renderPreflightText(results) };
  },
  newAttempt: (portPath, files, updaterPath) => newAttempt(portPath, files, updaterPath),
  finishedAttempt,
  parseLastAttempt,
  reportFileKind,
  async renderReport(events, { transcriptPath, ...extras }) {
    const tail = extras.transcriptTail ?? (transcriptPath ? await readTranscriptTail(transcriptPath) : undefined);
    return renderDiagnosticReport(reportInputFromEvents(events, { ...extras, ...(tail ? { transcriptTail: tail } : {}) }));
  },
};
