/**
 * A request image's `value` as the simulated segmenter reads it: a data URL or base64 text, either as
 * the parsed string or — for a long base64 literal the body parser left as bytes (json-body.ts) — as its
 * ASCII bytes. Keys and decoded bytes are the same either way (an ASCII string's UTF-8 is its bytes), so
 * the 300 kB string is never built for a fresh image (issue 4).
 */
import { createHash } from 'node:crypto';
import { decodeBase64Ascii } from './json-body.js';

const DATA_PREFIX = 'data:';
const COMMA = 0x2c;

export interface ImageValue {
  /** Whether the value is a data URL (starts with `data:`). */
  readonly isDataUrl: boolean;
  /** The value as text. */
  text(): string;
  /** SHA-1 (hex) of the whole value. */
  valueHash(): string;
  /** SHA-1 (hex) of the base64 payload — after a data URL's first comma — as ImageCache keys images. */
  payloadHash(): string;
  /**
   * The payload's bytes, as Buffer.from(payload, 'base64'). With `allocate`, bytes decoded from a body's
   * ASCII bytes are written into the buffer it returns (decodeBase64Ascii): the result may be a view of
   * the caller's scratch buffer.
   */
  payloadBytes(allocate?: (size: number) => Buffer): Buffer;
}

function sha1(data: string | Uint8Array): string {
  return createHash('sha1').update(data).digest('hex');
}

export function imageValue(text: string, bytes: Uint8Array | undefined): ImageValue {
  if (bytes === undefined) {
    const isDataUrl = text.startsWith(DATA_PREFIX);
    const payload = isDataUrl ? text.slice(text.indexOf(',') + 1) : text;
    return { isDataUrl, text: () => text, valueHash: () => sha1(text), payloadHash: () => sha1(payload), payloadBytes: () => Buffer.from(payload, 'base64') };
  }
  const isDataUrl = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, DATA_PREFIX.length)).toString('latin1') === DATA_PREFIX;
  // As String#slice(indexOf(',') + 1): the whole value when there is no comma.
  const payload = isDataUrl ? bytes.subarray(bytes.indexOf(COMMA) + 1) : bytes;
  return {
    isDataUrl,
    text: () => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1'),
    valueHash: () => sha1(bytes),
    payloadHash: () => sha1(payload),
    payloadBytes: (allocate) => decodeBase64Ascii(payload, allocate),
  };
}
