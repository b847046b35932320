// The host's STP code alone: StpSession.sendFile() against a transport that answers every
// request at once, in the same process, with no pty, no other process and no line. What
// remains is framing, CRCs, reading the image and the promise hops of one cycle: the
// most the protocol code could ever cost a transfer.
import { bytesSource } from '../src/core/files/fileSource';
import { StpSession } from '../src/core/stp/stpSession';
import { BufferedTransport } from '../src/core/transport/bufferedTransport';
import { makeSyntheticFirmware } from '../src/sim/firmwareImage';
// The reply side uses the simulator's own codec, not the one under test.
import { STP_REPLY_FLAG, STP_REPLY_MAGIC, buildStpFrame, readStpHeader } from '../src/sim/modem/stpWire';

/** Answers each STP request as soon as it is written: the modem with zero latency. */
class InstantModemTransport extends BufferedTransport {
  constructor() {
    super('instant-modem', { baudRate: 921_600 });
  }

  protected async sendBytes(bytes: Uint8Array): Promise<void> {
    const header = readStpHeader(bytes);
    const payload =
      header.op === 1 ? new Uint8Array([1, 1, 0x20, 0x00]) : header.op === 3 ? new Uint8Array([0, 0]) : new Uint8Array(0);
    const reply = buildStpFrame({ magic: STP_REPLY_MAGIC, op: header.op | STP_REPLY_FLAG, sid: header.sid, tid: header.tid }, payload);
    // Delivered after the write settles, as a port's 'data' event would be.
    void Promise.resolve().then(() => this.receive(reply));
  }

  protected async applySettings(): Promise<void> {}

  protected async releaseHandle(): Promise<void> {}
}

export interface InProcessStp {
  payloadBytes: number;
  elapsedMs: number;
  cycles: number;
}

export async function runStpInProcess(imageBytes: number): Promise<InProcessStp> {
  const image = makeSyntheticFirmware({ kind: 'full', network: 'CAT-M1', build: 41065, size: imageBytes });
  const io = new InstantModemTransport();
  const session = new StpSession(io, { requestTimeoutMs: 10_000 });
  await session.open();
  let cycles = 0;
  io.onTap((tap) => {
    if (tap.direction === 'tx') cycles++;
  });
  const startedMs = performance.now();
  await session.sendFile(bytesSource('image', image));
  const elapsedMs = performance.now() - startedMs;
  await session.close();
  await io.close();
  return { payloadBytes: imageBytes, elapsedMs, cycles };
}
