// Echoes every byte back on a pty end, through `serialport` alone: the peer for the
// round-trip floor (bench/ptyRoundTrip.ts). Run in its own process like the modem peer.
//   node --import tsx bench/echoPeer.ts <devicePath>
// A device path of `-` means the pty's master side is this process's stdin and stdout
// (bench/peerOnPty.ts).
import { loadSerialPort } from '../src/core/transport/serialBinding';

async function main(): Promise<void> {
  const [devicePath] = process.argv.slice(2);
  if (!devicePath || !process.send) throw new Error('usage: echoPeer.ts <devicePath>, started with an IPC channel');
  if (devicePath === '-') {
    process.stdin.on('data', (chunk: Buffer) => process.stdout.write(chunk));
    process.on('disconnect', () => process.exit(0));
    process.send({ kind: 'ready' });
    return;
  }
  const { SerialPort } = await loadSerialPort();
  const port = new SerialPort({ path: devicePath, baudRate: 921_600, lock: true, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((error) => (error ? reject(error) : resolve())));
  port.on('data', (chunk: Buffer) => port.write(chunk));
  process.on('disconnect', () => port.close(() => process.exit(0)));
  process.send({ kind: 'ready' });
}

main().catch((error: unknown) => {
  process.stderr.write(`echoPeer: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
