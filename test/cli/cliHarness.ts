import { Writable } from 'node:stream';
import { runCli } from '../../src/cli/main';
import type { PortOpener } from '../../src/core/transport/byteTransport';
import type { SerialPortInfo } from '../../src/core/transport/portList';

export class Captured extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

export async function runInProcess(
  argv: string[],
  options: { opener?: PortOpener; listPorts?: () => Promise<SerialPortInfo[]>; signal?: AbortSignal; isTTY?: boolean; env?: NodeJS.ProcessEnv } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new Captured();
  const stderr = new Captured();
  const code = await runCli(argv, {
    stdout,
    stderr,
    isTTY: options.isTTY ?? false,
    canPrompt: false,
    env: options.env ?? {},
    signal: options.signal ?? new AbortController().signal,
    ...(options.opener ? { opener: options.opener } : {}),
    ...(options.listPorts ? { listPorts: options.listPorts } : {}),
  });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

export function jsonLines(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((l) => l.trim().length > 0)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}
