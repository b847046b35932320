import type { StepRunner, UnstampedEvent } from '../../engine/stepRunner';
import type { RawRepl } from '../../repl/rawRepl';
import type { ByteTransport } from '../../transport/byteTransport';
import type { TurnContext } from '../../transport/portOwner';
import { triggerMirrorMode, type TriggerResult } from '../boardUpgradeTrigger';

/**
 * Step "trigger": the board's own updater (`sqnsupgrade.uart(...)`), its lines and long
 * silences shown as they come, until it announces mirror mode on the same handle.
 */
export function triggerStep(
  steps: StepRunner,
  port: ByteTransport,
  repl: RawRepl,
  options: { ffh: boolean; debug: boolean; signal: AbortSignal; timeoutMs: number; emit: (event: UnstampedEvent) => void },
): Promise<TriggerResult> {
  return steps.run(
    'trigger',
    () =>
      triggerMirrorMode(port, repl, {
        ffh: options.ffh,
        debug: options.debug,
        signal: options.signal,
        timeoutMs: options.timeoutMs,
        onWaiting: (wait) => steps.event('trigger', 'waiting', wait.what, wait),
        onLine: (line) => options.emit({ kind: 'boardOutput', line }),
      }),
    { whenDone: (result) => (result.updaterVersion ? `board updater ${result.updaterVersion}` : undefined) },
  );
}

/** Step "mirror-handover": the same handle now bridges to the modem; the next turn on it is told. */
export function handOverStep(steps: StepRunner, port: ByteTransport, turn: TurnContext): Promise<void> {
  // Mirror mode has no exit: whatever runs next on this handle must know.
  turn.leave({ isBoardInMirrorMode: true });
  return steps.run('mirror-handover', async () => undefined, {
    whenDone: () => `same port, now ${port.settings.baudRate} baud, no flow control; the board bridges it to the modem until it is power-cycled`,
  });
}
