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

const utf8 = new TextDecoder();
/** String literals at least this long are cut out (prompts and ids are far shorter). */
const LONG_STRING = 4096;
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

/**
 * Equals JSON.parse(new TextDecoder().decode(bytes)), throwing exactly when that throws. In an ASCII
 * body, quotes before the first backslash are string delimiters in pairs; long literals among them that
 * are values (not keys) and hold no raw control character become placeholder strings, put back by a
 * reviver. The lexer reads the shortened text with the same tokens (placeholders are valid string
 * contents, and so were the cut literals: printable ASCII without quote or backslash), so it parses iff
 * the original does, to the same value.
 */
export function parseJsonBytes(bytes: Uint8Array): unknown {
  if (!isAscii(bytes)) return JSON.parse(utf8.decode(bytes)) as unknown;
  const firstBackslash = bytes.indexOf(BACKSLASH);
  const parts: string[] = [];
  const cut: string[] = [];
  let copied = 0;
  for (let open = bytes.indexOf(QUOTE); open >= 0; open = bytes.indexOf(QUOTE, open + 1)) {
    const close = bytes.indexOf(QUOTE, open + 1);
    // Past an escape the pairing of quotes is unknown: the rest stays as it is.
    if (close < 0 || (firstBackslash >= 0 && firstBackslash < close)) break;
    if (close - open - 1 >= LONG_STRING && !followedByColon(bytes, close + 1) && !hasControlCharacter(bytes, open + 1, close)) {
      parts.push(latin1(bytes, copied, open + 1), PLACEHOLDER_JSON(cut.length));
      cut.push(latin1(bytes, open + 1, close));
      copied = close;
    }
    open = close;
  }
  if (cut.length === 0) return JSON.parse(latin1(bytes)) as unknown;
  parts.push(latin1(bytes, copied));
  return JSON.parse(parts.join(''), (_key, value: unknown) =>
    typeof value === 'string' && value.startsWith(PLACEHOLDER_PREFIX) ? (cut[Number(value.slice(PLACEHOLDER_PREFIX.length))] ?? value) : value,
  ) as unknown;
}

/** The parsed body, or undefined when it is not JSON (the caller answers with a validation error). */
export async function readJsonBody(context: Context): Promise<unknown> {
  try {
    return parseJsonBytes(new Uint8Array(await context.req.arrayBuffer()));
  } catch {
    // Unreadable or not JSON: answered as a validation error by the caller (as before, issue 4).
    return undefined;
  }
}
