/**
 * The JSON Schema we send as `response_format.json_schema.schema`, in the subset every engine we target
 * converts: llama.cpp's json-schema-to-grammar (llama-server, and Ollama, which runs it), vLLM's guided
 * decoding backends (xgrammar, outlines, guidance) and OpenAI strict mode. The rules and the upstream
 * files they were read from are listed in src/core/__fixtures__/engine-schema-rules.json.
 *
 * zod writes fixed-length tuples as `prefixItems` + `items: false` (draft 2020-12) or `items: [...]` +
 * `additionalItems: false` (draft 7). llama.cpp reads `items` first and fails on `false`; OpenAI strict
 * and xgrammar want one `items` schema. So a tuple whose members share one schema is rewritten to
 * `items` + `minItems`/`maxItems`; any other tuple is refused here rather than on a user's server.
 */
import { z } from 'zod';
import { mmevolveError } from './errors.js';

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** zod's `.int()` bounds: a safe integer is already what JSON numbers carry, and the bound grows grammars. */
const SAFE_INTEGER_BOUNDS: Readonly<Record<string, number>> = { minimum: -Number.MAX_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER };

function normalizeNode(node: unknown, path: string): unknown {
  if (Array.isArray(node)) return node.map((entry, index) => normalizeNode(entry, `${path}/${index}`));
  if (!isObject(node)) return node;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === '$schema') continue;
    // A null default only says "absent means null"; strict mode requires the key anyway.
    if (key === 'default') continue;
    if (SAFE_INTEGER_BOUNDS[key] === value) continue;
    out[key] = normalizeNode(value, `${path}/${key}`);
  }
  const tuple = Array.isArray(out['prefixItems']) ? out['prefixItems'] : Array.isArray(out['items']) ? out['items'] : undefined;
  if (tuple !== undefined) {
    const first = JSON.stringify(tuple[0]);
    if (tuple.length === 0 || tuple.some((member) => JSON.stringify(member) !== first)) {
      throw mmevolveError(
        'invalid-input',
        `schema at ${path || '/'} is a tuple of different member types, which llama.cpp, xgrammar and OpenAI strict mode do not share`,
        'Use an array of one item type with minItems/maxItems, or an object with named fields.',
      );
    }
    delete out['prefixItems'];
    delete out['additionalItems'];
    out['items'] = tuple[0];
    out['minItems'] = tuple.length;
    out['maxItems'] = tuple.length;
  }
  return out;
}

/** A JSON Schema as plain data, rewritten into the subset every engine accepts (see the file comment). */
export function normalizeEngineJsonSchema(schema: JsonObject): JsonObject {
  return normalizeNode(schema, '') as JsonObject;
}

/** The JSON Schema of a zod schema as the client sends it: draft-7 output, normalized for every engine. */
export function engineJsonSchema(schema: z.ZodType<unknown>): JsonObject {
  return normalizeEngineJsonSchema(z.toJSONSchema(schema, { target: 'draft-7' }) as JsonObject);
}
