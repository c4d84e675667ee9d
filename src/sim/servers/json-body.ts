/**
 * A request's JSON body for the simulated segmenter, parsed exactly as `context.req.json()` would (UTF-8,
 * a leading BOM dropped, then JSON.parse) but cheaper on its multi-hundred-kilobyte base64 images
 * (issue 4). An all-ASCII body decodes as Latin-1 (a byte copy, equal to its UTF-8 decoding). Its long
 * string literals without escapes — base64 images — are cut out of the bytes directly and the small rest
 * goes through JSON.parse with a placeholder in their place, so JSON.parse never scans them. The result is
 * the same value, and the body is refused exactly when JSON.parse would refuse it (see parseJsonBytes).
 */
import { randomBytes } from 'node:crypto';
import { isAscii } from 'node:buffer';
import type { Context } from 'hono';
import { incomingOf, readIncomingBody } from './incoming-body.js';

const utf8 = new TextDecoder();
/** String literals at least this long are cut out (prompts and ids are far shorter). */
const LONG_STRING = 4096;
/** Base64 characters decoded at a time (a multiple of 4, so pieces keep whole groups; strings this short stay off V8's large-object space). */
const BASE64_PIECE = 64 * 1024;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
/** JSON whitespace: space, tab, line feed, carriage return. */
const WHITESPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);
/** Placeholder text: a NUL (only ever written escaped in JSON) and a per-process random nonce. */
const PLACEHOLDER_PREFIX = `\u0000mmevolve-long-string:${randomBytes(12).toString('hex')}:`;
/** The placeholder for cut literal `index`, as JSON string contents (the NUL escaped). */
const PLACEHOLDER_JSON = (index: number): string => JSON.stringify(`${PLACEHOLDER_PREFIX}${index}`).slice(1, -1);

function latin1(bytes: Uint8Array, start = 0, end = bytes.length): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1', start, end);
}

/** Whether bytes[start, end) holds a control character (< 0x20), which JSON forbids raw inside strings. */
function hasControlCharacter(bytes: Uint8Array, start: number, end: number): boolean {
  let index = start;
  // Bytes are ASCII (< 0x80): a byte is < 0x20 exactly when its bits 5 and 6 are both clear. Four bytes
  // per 32-bit word: OR bit 6 onto bit 5 of each byte, then every byte's bit 5 must be set.
  const aligned = (bytes.byteOffset + index) % 4 === 0 ? index : index + 4 - ((bytes.byteOffset + index) % 4);
  for (; index < Math.min(aligned, end); index += 1) if ((bytes[index] ?? 0) < 0x20) return true;
  const wordCount = Math.floor((end - index) / 4);
  if (wordCount > 0) {
    const words = new Uint32Array(bytes.buffer, bytes.byteOffset + index, wordCount);
    for (let word = 0; word < wordCount; word += 1) {
      const value = words[word] ?? 0;
      if (((value | (value >>> 1)) & 0x20202020) !== 0x20202020) return true;
    }
    index += wordCount * 4;
  }
  for (; index < end; index += 1) if ((bytes[index] ?? 0) < 0x20) return true;
  return false;
}

/** Whether the next non-whitespace byte from `index` is a colon: the literal before it is an object key. */
function followedByColon(bytes: Uint8Array, index: number): boolean {
  let at = index;
  while (at < bytes.length && WHITESPACE.has(bytes[at] ?? 0)) at += 1;
  return bytes[at] === COLON;
}

/** Long literals cut out of a body: placeholder text ↔ the literal's bytes between its quotes. */
interface CutLiterals {
  text: string;
  literals: Uint8Array[];
}

/**
 * The body text with its long literals replaced by placeholders. In an ASCII body, quotes before the
 * first backslash are string delimiters in pairs; long literals among them that are values (not keys)
 * and hold no raw control character are cut. The lexer reads the shortened text with the same tokens
 * (placeholders are valid string contents, and so were the cut literals: printable ASCII without quote
 * or backslash), so it parses iff the original does.
 */
function cutLongLiterals(bytes: Uint8Array): CutLiterals {
  // Buffer#indexOf is memchr; TypedArray#indexOf walks element by element.
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const firstBackslash = buffer.indexOf(BACKSLASH);
  const parts: string[] = [];
  const literals: Uint8Array[] = [];
  let copied = 0;
  for (let open = buffer.indexOf(QUOTE); open >= 0; open = buffer.indexOf(QUOTE, open + 1)) {
    const close = buffer.indexOf(QUOTE, open + 1);
    // Past an escape the pairing of quotes is unknown: the rest stays as it is.
    if (close < 0 || (firstBackslash >= 0 && firstBackslash < close)) break;
    if (close - open - 1 >= LONG_STRING && !followedByColon(bytes, close + 1) && !hasControlCharacter(bytes, open + 1, close)) {
      parts.push(latin1(bytes, copied, open + 1), PLACEHOLDER_JSON(literals.length));
      literals.push(bytes.subarray(open + 1, close));
      copied = close;
    }
    open = close;
  }
  parts.push(latin1(bytes, copied));
  return { text: literals.length === 0 ? (parts[0] ?? '') : parts.join(''), literals };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A parsed request body. */
export interface JsonBody {
  /**
   * Equal to JSON.parse(new TextDecoder().decode(bytes)), except that a long `image.value` literal of
   * the top-level object may be a placeholder string (non-empty, like the literal): see imageBytes.
   */
  readonly value: unknown;
  /** The ASCII bytes of the literal that `text` stands for, when `text` is that placeholder; else undefined. */
  imageBytes(text: string): Uint8Array | undefined;
}

/**
 * Parse a body, throwing exactly when JSON.parse of its UTF-8 text throws. A base64 image in
 * `image.value` stays bytes (turning 300 kB of bytes into a string costs more than parsing the rest,
 * issue 4); every other long literal is put back as a string.
 */
export function parseJsonBody(bytes: Uint8Array): JsonBody {
  const none = (): undefined => undefined;
  if (!isAscii(bytes)) return { value: JSON.parse(utf8.decode(bytes)) as unknown, imageBytes: none };
  const { text, literals } = cutLongLiterals(bytes);
  if (literals.length === 0) return { value: JSON.parse(text) as unknown, imageBytes: none };
  const literalOf = (value: unknown): Uint8Array | undefined =>
    typeof value === 'string' && value.startsWith(PLACEHOLDER_PREFIX) ? literals[Number(value.slice(PLACEHOLDER_PREFIX.length))] : undefined;
  // Placeholders under a "value" key stay for now; any other is put back as the literal's text.
  const value = JSON.parse(text, (key, parsed: unknown) => {
    const literal = key === 'value' ? undefined : literalOf(parsed);
    return literal === undefined ? parsed : latin1(literal);
  }) as unknown;
  const image = isRecord(value) && isRecord(value.image) ? value.image : undefined;
  const kept = image === undefined ? undefined : image.value;
  const keptBytes = literalOf(kept);
  restoreValueKeys(value, image);
  return { value, imageBytes: (candidate) => (keptBytes !== undefined && candidate === kept ? keptBytes : undefined) };

  /** Put back the placeholders left under "value" keys, except the image's own. */
  function restoreValueKeys(node: unknown, skip: Record<string, unknown> | undefined): void {
    if (Array.isArray(node)) {
      for (const item of node) restoreValueKeys(item, skip);
    } else if (isRecord(node)) {
      const literal = literalOf(node.value);
      if (literal !== undefined && node !== skip && Object.hasOwn(node, 'value')) node.value = latin1(literal);
      for (const child of Object.values(node)) restoreValueKeys(child, skip);
    }
  }
}

/** Equals JSON.parse(new TextDecoder().decode(bytes)), throwing exactly when that throws. */
export function parseJsonBytes(bytes: Uint8Array): unknown {
  const body = parseJsonBody(bytes);
  const image = isRecord(body.value) && isRecord(body.value.image) ? body.value.image : undefined;
  const literal = image === undefined || typeof image.value !== 'string' ? undefined : body.imageBytes(image.value);
  if (image !== undefined && literal !== undefined) image.value = latin1(literal);
  return body.value;
}

/**
 * Buffer.from(latin1(bytes), 'base64') for ASCII bytes, without building the string: decoded in 64 kB
 * pieces, each of which must decode to exactly three quarters of its length (so it held only base64
 * characters and no padding: decoding it alone equals decoding it in place); otherwise, and for the
 * tail, the plain way. `allocate(size)` gives the buffer written into (default: a new one), so a caller
 * can decode into a scratch buffer it reuses; the result may be a view of it.
 */
export function decodeBase64Ascii(bytes: Uint8Array, allocate: (size: number) => Buffer = Buffer.allocUnsafe): Buffer {
  const output = allocate(Math.floor(bytes.length / 4) * 3 + 3);
  let written = 0;
  let read = 0;
  for (; bytes.length - read > BASE64_PIECE; read += BASE64_PIECE) {
    const piece = latin1(bytes, read, read + BASE64_PIECE);
    if (output.write(piece, written, 'base64') !== (BASE64_PIECE / 4) * 3) return Buffer.from(latin1(bytes), 'base64');
    written += (BASE64_PIECE / 4) * 3;
  }
  const tail = Buffer.from(latin1(bytes, read), 'base64');
  if (written === 0) return tail;
  if (written + tail.length > output.length) return Buffer.from(latin1(bytes), 'base64');
  tail.copy(output, written);
  return output.subarray(0, written + tail.length);
}

/** The parsed body; its value is undefined when the body is unreadable or not JSON (the caller answers with a validation error). */
export async function readJsonBody(context: Context): Promise<JsonBody> {
  const unreadable: JsonBody = { value: undefined, imageBytes: () => undefined };
  let bytes: Uint8Array;
  try {
    const incoming = incomingOf(context.env);
    const direct = incoming === undefined ? undefined : readIncomingBody(incoming);
    bytes = direct === undefined ? new Uint8Array(await context.req.arrayBuffer()) : await direct;
  } catch {
    // Unreadable body: answered as a validation error by the caller (as before, issue 4).
    return unreadable;
  }
  try {
    return parseJsonBody(bytes);
  } catch {
    // Not JSON: answered as a validation error by the caller (as before).
    return unreadable;
  }
}
