/** JSON.stringify replacer: bytes as hex strings, so `--json` lines stay short and greppable. */
export function jsonReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex');
  if (value instanceof Error) return { name: value.name, message: value.message };
  return value;
}

/** One JSON value per line (`--json`): a machine reads each line on its own. */
export function writeJsonLine(stream: NodeJS.WritableStream, value: unknown): void {
  stream.write(`${JSON.stringify(value, jsonReplacer)}\n`);
}
