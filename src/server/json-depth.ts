/**
 * JSON text parsed only when its nesting is bounded. JSON.parse itself copes with deep nesting, but every
 * recursive walker after it (zod, JSON.stringify when forwarding, canonical JSON) overflows the stack on
 * 5,000 levels: a 500 from a 10 KB body. The depth is counted on the text first, in one pass.
 */
import { mmevolveError } from '../core/index.js';

/** Deep enough for any real request (tool schemas nest a few dozen levels), far from the stack's limit. */
export const MAX_JSON_DEPTH = 64;

/** The deepest [ / { nesting of JSON text, brackets inside strings not counted. */
export function jsonDepth(text: string, stopAbove = Number.POSITIVE_INFINITY): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (inString) {
      if (code === 0x5c) index += 1;
      else if (code === 0x22) inString = false;
    } else if (code === 0x22) inString = true;
    else if (code === 0x5b || code === 0x7b) {
      depth += 1;
      if (depth > deepest) {
        deepest = depth;
        if (deepest > stopAbove) return deepest;
      }
    } else if (code === 0x5d || code === 0x7d) depth -= 1;
  }
  return deepest;
}

/** JSON.parse behind the depth limit; invalid or too deep JSON is a 400 naming `what`. */
export function parseBoundedJson(text: string, what: string, maxDepth = MAX_JSON_DEPTH): unknown {
  if (jsonDepth(text, maxDepth) > maxDepth) {
    throw mmevolveError('invalid-input', `${what}: JSON nested more than ${maxDepth} levels deep`, `Flatten the body; at most ${maxDepth} levels of arrays and objects are read.`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw mmevolveError('invalid-input', `${what}: the body is not JSON`, 'Send Content-Type: application/json with a JSON object.', cause);
  }
}
