import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOfflineEmbedder } from '../backends/index.js';
import { openMemoryStore } from '../memory/index.js';

const BIN = resolve(import.meta.dirname, '../../bin/mmevolve.js');
/** Enough JSONL to overflow a pipe's 64 KB buffer, so the CLI is still writing when the reader leaves. */
const LESSONS = 400;

let directory: string;
let db: string;

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'mmevolve-pipe-'));
  db = join(directory, 'memory.db');
  const embedder = createOfflineEmbedder();
  const vectors = await embedder.embedTexts(Array.from({ length: LESSONS }, (_, index) => `lesson ${index}`));
  const store = openMemoryStore({ path: db, dimensions: vectors[0]?.length ?? 0, embeddingModel: embedder.model });
  const tenant = store.forTenant('default');
  for (const [index, vector] of vectors.entries()) {
    const text = `Lesson ${index}: count partly hidden shapes too. ${'Read the figure again before answering. '.repeat(10)}`;
    await tenant.insert({ stream: 'logic', text, subject: 'counting', concepts: [], source: { problemId: `p${index}`, question: 'q', imageRefs: [] }, textVector: vector });
  }
  store.close();
}, 60_000);

afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('the mmevolve CLI writing into a pipe', () => {
  it('exits quietly with status 0 when the reader closes the pipe early (memory export | head)', async () => {
    const child = spawn(process.execPath, [BIN, 'memory', 'export', '--db', db], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const firstChunk = await new Promise<Buffer>((resolveChunk) => child.stdout.once('data', resolveChunk));
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolveExit) => child.on('exit', resolveExit));
    expect(firstChunk.toString(), 'the export started').toContain('"type":"header"');
    expect(stderr, 'no EPIPE stack trace on stderr').not.toContain('EPIPE');
    expect(code, `exit status (stderr: ${stderr.slice(0, 300)})`).toBe(0);
  }, 60_000);
});
