import type { Framer } from './byteTransport';

const decoder = new TextDecoder('latin1');

/** Decodes bytes one-to-one into a string (latin1), so binary survives as text. */
export function bytesToLatin1(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

export function latin1ToBytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff;
  return out;
}

export function indexOfBytes(haystack: Uint8Array, needle: Uint8Array, from = 0): number {
  if (needle.length === 0) return from;
  const first = needle[0];
  outer: for (let i = haystack.indexOf(first!, from); i !== -1 && i <= haystack.length - needle.length; i = haystack.indexOf(first!, i + 1)) {
    for (let j = 1; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

/** Everything up to and including `delimiter`. */
export function untilBytes(delimiter: Uint8Array | string, description?: string): Framer<Uint8Array> {
  const needle = typeof delimiter === 'string' ? latin1ToBytes(delimiter) : delimiter;
  return {
    description: description ?? `bytes up to ${JSON.stringify(typeof delimiter === 'string' ? delimiter : bytesToLatin1(needle))}`,
    frame(pending) {
      const at = indexOfBytes(pending, needle);
      if (at === -1) return undefined;
      const consumed = at + needle.length;
      return { value: pending.slice(0, consumed), consumed };
    },
  };
}

/** Exactly `count` bytes: only where the protocol announced the length. */
export function exactBytes(count: number, description = `${count} bytes`): Framer<Uint8Array> {
  return {
    description,
    frame(pending) {
      return pending.length >= count ? { value: pending.slice(0, count), consumed: count } : undefined;
    },
  };
}

/** Whatever has arrived, at least one byte. */
export const anyBytes: Framer<Uint8Array> = {
  description: 'any bytes',
  frame(pending) {
    return pending.length > 0 ? { value: pending.slice(), consumed: pending.length } : undefined;
  },
};

/** One array holding `parts` end to end. */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((total, part) => total + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
