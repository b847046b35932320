import type { ByteTransport } from '../../core/transport/byteTransport';
import { SimulatedModem, type SimulatedModemOptions } from './simulatedModem';

/** The rate a host uses in mirror mode: over a pty, baud mismatches are garbled here. */
export const MIRROR_BAUD = 921600;

export interface ServedModem {
  modem: SimulatedModem;
  /** Resolves when the transport closes (the host side went away, or stop()). */
  closed: Promise<void>;
  stop(): Promise<void>;
}

/**
 * Serves a simulated modem on an open transport, e.g. one end of a socat pty pair
 * for `pycom-modem sim --port <pty>`. A pty ignores baud rates (open it at any rate),
 * so the 'wrong-baud' fault is acted out by garbling in software against a host
 * assumed at 921600.
 */
export function serveModemOnTransport(io: ByteTransport, options: SimulatedModemOptions = {}): ServedModem {
  const modem = new SimulatedModem(io, {
    ...(options.faults?.includes('wrong-baud') ? { assumedHostBaud: MIRROR_BAUD } : {}),
    uartBaud: MIRROR_BAUD,
    unplug: () => void io.close(),
    ...options,
  });
  const closed = new Promise<void>((resolve) => {
    if (!io.isOpen) resolve();
    io.onClose(() => resolve());
  });
  modem.start();
  return {
    modem,
    closed,
    stop: async () => {
      await modem.stop();
      await io.close();
    },
  };
}
