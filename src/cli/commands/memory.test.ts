import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createOfflineEmbedder } from '../../backends/index.js';
import { isMmevolveError } from '../../core/index.js';
import type { Lesson, LessonPage, LessonVersion } from '../../core/index.js';
import { openMemoryStore } from '../../memory/index.js';
import { registerMemoryCommand } from './memory.js';

async function runCli(args: string[]): Promise<string> {
  const program = new Command('mmevolve').exitOverride();
  registerMemoryCommand(program);
  const chunks: string[] = [];
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    chunks.push(String(chunk));
    return true;
  });
  try {
    await program.parseAsync(['node', 'mmevolve', 'memory', ...args]);
  } finally {
    write.mockRestore();
  }
  return chunks.join('');
}

const LESSONS = [
  { stream: 'logic' as const, text: 'Convert degrees to radians before applying the arc length formula.', subject: 'geometry' },
  { stream: 'visual' as const, text: 'Read bar heights against the axis gridlines, not the printed labels.', subject: 'statistics' },
  { stream: 'logic' as const, text: 'Check which angles are corresponding before equating them.', subject: 'geometry' },
];

describe('mmevolve memory', () => {
  let directory: string;
  let db: string;

  beforeEach(async () => {
    directory = mkdtempSync(join(tmpdir(), 'mmevolve-memory-cli-'));
    db = join(directory, 'memory.db');
    const embedder = createOfflineEmbedder();
    const store = openMemoryStore({ path: db, dimensions: 256, embeddingModel: embedder.model });
    const tenant = store.forTenant('team-a');
    for (const [index, lesson] of LESSONS.entries()) {
      const [textVector] = await embedder.embedTexts([lesson.text]);
      if (textVector === undefined) throw new Error('offline embedder returned nothing');
      await tenant.insert({ ...lesson, concepts: ['angles'], source: { problemId: `p${index}`, question: 'q', imageRefs: [] }, textVector });
    }
    await store.close();
  });
  afterEach(() => {
    vi.restoreAllMocks();
    rmSync(directory, { recursive: true, force: true });
  });

  it('lists only the chosen tenant\'s lessons, filtered by stream', async () => {
    const page = JSON.parse(await runCli(['list', '--db', db, '--tenant', 'team-a', '--stream', 'logic', '--json'])) as LessonPage;
    expect(page.lessons.map((lesson) => lesson.text)).toEqual([LESSONS[0]?.text, LESSONS[2]?.text]);
    expect(await runCli(['list', '--db', db])).toContain('no lessons in tenant default');
    const table = await runCli(['list', '--db', db, '--tenant', 'team-a']);
    expect(table.split('\n')[0]).toMatch(/^id\s+stream\s+ver\s+uses\s+subject\s+updated\s+text$/);
  });

  it('searches with the workspace embedder and ranks the lexically closest lesson first', async () => {
    const result = JSON.parse(await runCli(['search', '--db', db, '--tenant', 'team-a', '--text', 'radians arc length', '--k', '2', '--json'])) as {
      embedderKind: string;
      hits: { score: number; lesson: Lesson }[];
    };
    expect(result.embedderKind).toBe('lexical-perceptual');
    expect(result.hits.length).toBe(2);
    expect(result.hits[0]?.lesson.text).toBe(LESSONS[0]?.text);
    expect(result.hits[0]?.score ?? 0).toBeGreaterThan(result.hits[1]?.score ?? 1);
  });

  it('edits as a new version, restores the old one, and shows both with provenance', async () => {
    const { lessons } = JSON.parse(await runCli(['list', '--db', db, '--tenant', 'team-a', '--json'])) as LessonPage;
    const id = lessons[0]?.id ?? '';
    await runCli(['edit', id, '--db', db, '--tenant', 'team-a', '--text', 'Use radians in s = r·θ.', '--note', 'shorter']);
    await runCli(['edit', id, '--db', db, '--tenant', 'team-a', '--restore', '1']);
    const shown = JSON.parse(await runCli(['show', id, '--db', db, '--tenant', 'team-a', '--json'])) as { lesson: Lesson; versions: LessonVersion[] };
    expect(shown.lesson.text).toBe(LESSONS[0]?.text);
    expect(shown.versions.map((version) => [version.version, version.provenance.kind, version.provenance.note ?? null])).toEqual([
      [1, 'written', null],
      [2, 'edited', 'shorter'],
      [3, 'restored', null],
    ]);
  });

  it('exports to a file and imports it into another workspace and tenant unchanged', async () => {
    const out = join(directory, 'export.jsonl');
    await runCli(['export', '--db', db, '--tenant', 'team-a', '--out', out]);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines.length).toBe(1 + LESSONS.length);
    const other = join(directory, 'other.db');
    const report = JSON.parse(await runCli(['import', out, '--db', other, '--tenant', 'team-b', '--json'])) as { imported: number; reembedded: number };
    expect(report).toMatchObject({ imported: 3, reembedded: 0 });
    const original = JSON.parse(await runCli(['list', '--db', db, '--tenant', 'team-a', '--json'])) as LessonPage;
    const copy = JSON.parse(await runCli(['list', '--db', other, '--tenant', 'team-b', '--json'])) as LessonPage;
    expect(copy.lessons).toEqual(original.lessons.map((lesson) => ({ ...lesson, tenant: 'team-b' })));
  });

  it('re-embeds on import when the export carries no embeddings', async () => {
    const out = join(directory, 'bare.jsonl');
    writeFileSync(out, '');
    await runCli(['export', '--db', db, '--tenant', 'team-a', '--out', out, '--no-embeddings']);
    expect(readFileSync(out, 'utf8')).not.toContain('textVectors');
    const report = JSON.parse(await runCli(['import', out, '--db', join(directory, 'bare.db'), '--json'])) as { imported: number; reembedded: number };
    expect(report).toMatchObject({ imported: 3, reembedded: 3 });
  });

  it('deletes named lessons, reports unknown ids as not-found, and clears a tenant with --all', async () => {
    const { lessons } = JSON.parse(await runCli(['list', '--db', db, '--tenant', 'team-a', '--json'])) as LessonPage;
    const error = await runCli(['delete', lessons[0]?.id ?? '', "x' OR 1=1 --", '--db', db, '--tenant', 'team-a']).then(() => undefined, (caught: unknown) => caught);
    expect(isMmevolveError(error) ? error.code : error).toBe('not-found');
    expect((JSON.parse(await runCli(['list', '--db', db, '--tenant', 'team-a', '--json'])) as LessonPage).total).toBe(2);
    expect(JSON.parse(await runCli(['delete', '--all', '--db', db, '--tenant', 'team-a', '--json']))).toEqual({ deleted: 2, missing: [] });
    expect((JSON.parse(await runCli(['list', '--db', db, '--tenant', 'team-a', '--json'])) as LessonPage).total).toBe(0);
  });

  it('refuses to invent a database that does not exist', async () => {
    const error = await runCli(['list', '--db', join(directory, 'missing.db')]).then(() => undefined, (caught: unknown) => caught);
    expect(isMmevolveError(error) ? error.code : error).toBe('not-found');
  });
});
