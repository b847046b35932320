// Measures what a pty pair (socat) gives through `serialport`: raw one-way throughput,
// the same through SerialTransport (chunked writes, and one big write), and the
// round trip of a 16-byte ping answered by an echoing peer.
// Run: node --import tsx scripts/measureSerialPty.ts [megabytes=4] [pings=300]
// A pty has no baud clock: these are upper bounds of the host software path, not of a
// 921600-baud UART (about 92 KB/s).
import { randomBytes } from 'node:crypto';
import { openPtyPair, ptySkipReason } from '../test/support/ptyPair';
import { SerialPortOpener, WRITE_CHUNK_BYTES } from '../src/core/transport/serialTransport';
import { loadSerialPort } from '../src/core/transport/serialBinding';
import { exactBytes } from '../src/core/transport/framers';
import { Deadline } from '../src/core/time/deadline';

const BAUD = 921600;
const megabytes = Number(process.argv[2] ?? 4);
const pings = Number(process.argv[3] ?? 300);

async function rawSerialportThroughput(bytes: Buffer): Promise<number> {
  const ptys = await openPtyPair();
  const { SerialPort } = await loadSerialPort();
  const openPort = (path: string) =>
    new Promise<InstanceType<typeof SerialPort>>((resolve, reject) => {
      const port = new SerialPort({ path, baudRate: BAUD, lock: true, autoOpen: false });
      port.open((error) => (error ? reject(error) : resolve(port)));
    });
  const writer = await openPort(ptys.hostPath);
  const reader = await openPort(ptys.devicePath);
  const started = performance.now();
  const received = new Promise<void>((resolve) => {
    let count = 0;
    reader.on('data', (chunk: Buffer) => {
      count += chunk.length;
      if (count >= bytes.length) resolve();
    });
  });
  writer.write(bytes);
  await received;
  const seconds = (performance.now() - started) / 1000;
  await new Promise((resolve) => writer.close(resolve));
  await new Promise((resolve) => reader.close(resolve));
  await ptys.close();
  return bytes.length / 1e6 / seconds;
}

async function transportThroughput(bytes: Buffer, writeChunkBytes: number): Promise<number> {
  const ptys = await openPtyPair();
  const opener = new SerialPortOpener({ writeChunkBytes });
  const host = await opener.open(ptys.hostPath, { baudRate: BAUD });
  const device = await opener.open(ptys.devicePath, { baudRate: BAUD });
  const started = performance.now();
  const got = device.read(exactBytes(bytes.length), { deadline: Deadline.in(120_000, 'throughput') });
  await host.write(bytes);
  await got;
  const seconds = (performance.now() - started) / 1000;
  await host.close();
  await device.close();
  await ptys.close();
  return bytes.length / 1e6 / seconds;
}

async function pingPong(count: number): Promise<number[]> {
  const ptys = await openPtyPair();
  const opener = new SerialPortOpener();
  const host = await opener.open(ptys.hostPath, { baudRate: BAUD });
  const device = await opener.open(ptys.devicePath, { baudRate: BAUD });
  const stop = new AbortController();
  // The peer echoes each 16-byte ping as soon as it is complete.
  const echo = (async () => {
    for (;;) {
      const ping = await device.read(exactBytes(16), { deadline: Deadline.never(), signal: stop.signal });
      await device.write(ping);
    }
  })().catch(() => undefined);
  const roundTripsMs: number[] = [];
  for (let i = 0; i < count; i++) {
    const ping = randomBytes(16);
    const started = performance.now();
    const pong = host.read(exactBytes(16), { deadline: Deadline.in(2000, 'pong') });
    await host.write(ping);
    await pong;
    roundTripsMs.push(performance.now() - started);
  }
  stop.abort();
  await echo;
  await host.close();
  await device.close();
  await ptys.close();
  return roundTripsMs;
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

async function main(): Promise<void> {
  const skip = ptySkipReason();
  if (skip) {
    console.log(`skipped: ${skip}`);
    return;
  }
  const bytes = randomBytes(Math.round(megabytes * 1024 * 1024));
  console.log(`payload ${bytes.length} bytes, one way, host → device over a socat pty pair`);
  console.log(`serialport stream, one write:         ${(await rawSerialportThroughput(bytes)).toFixed(2)} MB/s`);
  console.log(`SerialTransport, ${WRITE_CHUNK_BYTES}-byte chunks+drain: ${(await transportThroughput(bytes, WRITE_CHUNK_BYTES)).toFixed(2)} MB/s`);
  console.log(`SerialTransport, one write:           ${(await transportThroughput(bytes, Infinity)).toFixed(2)} MB/s`);
  const trips = (await pingPong(pings)).sort((a, b) => a - b);
  console.log(
    `16-byte ping/pong × ${trips.length}: min ${trips[0]!.toFixed(3)} ms, median ${quantile(trips, 0.5).toFixed(3)} ms, ` +
      `p95 ${quantile(trips, 0.95).toFixed(3)} ms, max ${trips[trips.length - 1]!.toFixed(3)} ms`,
  );
  console.log(`for scale: 16 bytes each way at ${BAUD} baud 8N1 take ${((2 * 16 * 10 * 1000) / BAUD).toFixed(3)} ms on the wire`);
}

void main();
