/**
 * The record of llama.cpp's own converter run on our schemas (scripts/check-llama-grammar.ts) must be about
 * the schemas the client sends today: a schema changed without re-running the converter fails here.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { clientResponseSchemas, clientSchemasDigest, schemaDigest } from './index.js';

interface GrammarCheckRecord {
  upstream: { repo: string; commit: string; converter: string };
  schemasSha256: string;
  results: Record<string, { converted: boolean; schemaSha256: string; error?: string }>;
}

const record = JSON.parse(readFileSync(new URL('./__fixtures__/llama-grammar-check.json', import.meta.url), 'utf8')) as GrammarCheckRecord;
const RERUN = 'a response_format schema changed since llama.cpp\'s converter was last run on it: re-run `npx tsx scripts/check-llama-grammar.ts /path/to/llama.cpp` (README, "mmevolve backends schemas") and commit src/core/__fixtures__/llama-grammar-check.json';

describe('llama.cpp grammar check record', () => {
  it('was made on the schemas the client sends now', () => {
    expect(record.upstream.repo).toBe('ggml-org/llama.cpp');
    expect(record.upstream.commit, 'the upstream commit the converter came from').toMatch(/^[0-9a-f]{40}$/);
    const current = clientResponseSchemas();
    const stale = Object.entries(current).filter(([task, schema]) => record.results[task]?.schemaSha256 !== schemaDigest(schema)).map(([task]) => task);
    expect(stale, `${RERUN} (tasks: ${stale.join(', ')})`).toEqual([]);
    expect(Object.keys(record.results).sort(), `${RERUN} (the set of tasks changed)`).toEqual(Object.keys(current).sort());
    expect(record.schemasSha256, RERUN).toBe(clientSchemasDigest());
  });

  it('says every schema converted under llama.cpp\'s converter', () => {
    const failed = Object.entries(record.results).filter(([, verdict]) => !verdict.converted).map(([task, verdict]) => `${task}: ${verdict.error ?? 'no grammar'}`);
    expect(failed, 'schemas llama.cpp\'s json_schema_to_grammar refused (every predict_box/zoom_region call would fail on llama-server and Ollama)').toEqual([]);
  });
});
