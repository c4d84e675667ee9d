/**
 * Every response_format JSON Schema the client can send, keyed by task name, and a digest of them.
 * `mmevolve backends schemas --json` prints the first; the digest ties a record of an upstream converter's
 * verdicts (src/core/__fixtures__/llama-grammar-check.json, written by scripts/check-llama-grammar.ts)
 * to the schemas it was run on, so a schema change cannot keep an old "converts" verdict.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json.js';
import { TASK_NAMES, isStructuredTask, taskJsonSchema } from './tasks.js';

/** Every schema the client can send, keyed by task name (answer_vqa sends none). */
export function clientResponseSchemas(): Record<string, Record<string, unknown>> {
  return Object.fromEntries(TASK_NAMES.filter(isStructuredTask).map((task) => [task, taskJsonSchema(task)]));
}

/** sha256 of the canonical JSON of one schema: equal schemas give equal digests whatever the key order. */
export function schemaDigest(schema: unknown): string {
  return createHash('sha256').update(canonicalJson(schema)).digest('hex');
}

/** sha256 of the canonical JSON of every schema the client can send (task names included). */
export function clientSchemasDigest(): string {
  return schemaDigest(clientResponseSchemas());
}
