import { OperationAbortedError } from '../errors';

/**
 * Waits `ms` unless `signal` aborts first. Only for waits the protocol itself
 * prescribes (e.g. "wait 5 s, then AT+SMSWBOOT=3,0"), never to paper over a race.
 */
export function abortableDelay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new OperationAbortedError(signal.reason));
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new OperationAbortedError(signal?.reason));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
