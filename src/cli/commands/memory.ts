/**
 * `mmevolve memory list|show|search|edit|delete|export|import`: the lesson store of a workspace, per tenant.
 * Search and text edits embed with the workspace's embedder (the offline lexical one unless the workspace
 * was built with a configured embedding server).
 */
import { once } from 'node:events';
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { findConfigFile, loadWorkspaceConfig, openWorkspace } from '../../app/index.js';
import { createOfflineEmbedder } from '../../backends/index.js';
import type { Embedder, LessonStream, MemoryExportRecord, MemoryStore, ScoredLesson } from '../../core/index.js';
import { mmevolveError } from '../../core/index.js';
import { DEFAULT_MEMORY_DB_PATH, parseExportRecord } from '../../memory/index.js';
import { openExistingStore, openStoreForImport, storeLabel } from './memory-store-open.js';
import { lessonDetails, lessonTable, scoredTable } from './memory-output.js';

interface StoreOptions {
  /** Default: the config's Postgres store when it has one, else the default SQLite file. */
  db?: string;
  tenant: string;
  json?: boolean;
}

function write(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

function writeJson(value: unknown): void {
  write(JSON.stringify(value, null, 2));
}

async function withStore<T>(options: StoreOptions, work: (store: MemoryStore) => Promise<T>): Promise<T> {
  const store = await openExistingStore(options);
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

/** The embedder that produced the workspace's vectors: offline built-in, or the configured server with that model. */
async function workspaceEmbedder(store: MemoryStore): Promise<{ embedder: Embedder; close: () => void }> {
  const offline = createOfflineEmbedder(store.dimensions);
  if (store.embeddingModel === offline.model) return { embedder: offline, close: () => undefined };
  if (findConfigFile() !== undefined) {
    const workspace = openWorkspace(await loadWorkspaceConfig());
    if (workspace.embedder?.model === store.embeddingModel) return { embedder: workspace.embedder, close: () => void workspace.close() };
    await workspace.close();
  }
  throw mmevolveError(
    'embedding-mismatch',
    `this memory workspace embeds with ${store.embeddingModel}, which neither the offline embedder (${offline.model}) nor a configured backends.embedder provides`,
    'configure backends.embedder with that model in mmevolve.config.*, or export and import into a new --db to re-embed',
  );
}

function parseStream(value: string | undefined): LessonStream | undefined {
  if (value === undefined) return undefined;
  if (value !== 'visual' && value !== 'logic') throw mmevolveError('invalid-input', `--stream must be visual or logic, got ${value}`, 'use --stream visual or --stream logic');
  return value;
}

function parseCount(value: string, name: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) throw mmevolveError('invalid-input', `${name} must be a non-negative integer, got ${value}`, `e.g. ${name} 10`);
  return parsed;
}

function storeCommand(parent: Command, name: string, description: string): Command {
  return parent
    .command(name)
    .description(description)
    .option('--db <path>', `memory database file (default: the config's Postgres store when store.kind is postgres, else ${DEFAULT_MEMORY_DB_PATH})`)
    .option('--tenant <id>', 'tenant whose lessons to use', 'default')
    .option('--json', 'machine-readable output');
}

async function* readJsonl(path: string): AsyncGenerator<MemoryExportRecord> {
  const input = path === '-' ? process.stdin : createReadStream(path, { encoding: 'utf8' });
  let lineNumber = 0;
  for await (const line of createInterface({ input, crlfDelay: Infinity })) {
    lineNumber += 1;
    if (line.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (cause) {
      throw mmevolveError('invalid-input', `${path} line ${lineNumber} is not JSON`, 'a memory export has one JSON object per line', cause);
    }
    yield parseExportRecord(value, lineNumber);
  }
}

/** The records with the first one already read (to size a new workspace from the export header). */
async function* prepend(first: MemoryExportRecord | undefined, rest: AsyncGenerator<MemoryExportRecord>): AsyncGenerator<MemoryExportRecord> {
  if (first !== undefined) yield first;
  yield* rest;
}

async function importCommand(file: string, options: StoreOptions & { skipExisting?: boolean }): Promise<void> {
  if (file !== '-' && !existsSync(file)) throw mmevolveError('not-found', `no file ${file}`, 'pass the path of a file written by `mmevolve memory export`');
  const records = readJsonl(file);
  const first = await records.next();
  const header = first.done === true ? undefined : first.value;
  const store = await openStoreForImport(options, header);
  let embedding: { embedder: Embedder; close: () => void } | undefined;
  try {
    const report = await store.forTenant(options.tenant).import(prepend(header, records), {
      onConflict: options.skipExisting === true ? 'skip' : 'error',
      reembedTexts: async (texts) => {
        embedding ??= await workspaceEmbedder(store);
        return embedding.embedder.embedTexts(texts, { stage: 'memory-import' });
      },
    });
    if (options.json === true) writeJson(report);
    else {
      write(`imported ${report.imported} lesson(s) into tenant ${options.tenant} of ${await storeLabel(options)}; skipped ${report.skipped}; re-embedded ${report.reembedded}`);
      for (const warning of report.warnings) write(`warning [${warning.code}]: ${warning.message}`);
    }
  } finally {
    embedding?.close();
    await store.close();
  }
}

async function exportCommand(options: StoreOptions & { out?: string; embeddings: boolean }): Promise<void> {
  await withStore(options, async (store) => {
    const output = options.out === undefined ? process.stdout : createWriteStream(options.out, { encoding: 'utf8' });
    let count = 0;
    for await (const record of store.forTenant(options.tenant).export({ embeddings: options.embeddings })) {
      if (record.type === 'lesson') count += 1;
      if (!output.write(`${JSON.stringify(record)}\n`)) await once(output, 'drain');
    }
    if (output !== process.stdout) {
      output.end();
      await once(output, 'finish');
      process.stderr.write(`exported ${count} lesson(s) of tenant ${options.tenant} to ${options.out ?? ''}\n`);
    }
  });
}

async function searchCommand(options: StoreOptions & { text: string; stream?: string; k: string; minScore?: string }): Promise<void> {
  const stream = parseStream(options.stream);
  const k = parseCount(options.k, '--k');
  const minScore = options.minScore === undefined ? undefined : Number(options.minScore);
  if (minScore !== undefined && !Number.isFinite(minScore)) throw mmevolveError('invalid-input', `--min-score must be a number, got ${options.minScore ?? ''}`, 'e.g. --min-score 0.7');
  await withStore(options, async (store) => {
    const { embedder, close } = await workspaceEmbedder(store);
    try {
      const [vector] = await embedder.embedTexts([options.text], { stage: 'memory-search' });
      if (vector === undefined) throw mmevolveError('internal', 'the embedder returned no vector', 'check the embedding backend');
      const tenant = store.forTenant(options.tenant);
      const streams: LessonStream[] = stream === undefined ? ['logic', 'visual'] : [stream];
      const hits: ScoredLesson[] = [];
      for (const each of streams) hits.push(...(await tenant.searchByTextVector(each, vector, k, minScore)));
      hits.sort((a, b) => b.score - a.score);
      const top = hits.slice(0, k);
      if (options.json === true) writeJson({ embeddingModel: embedder.model, embedderKind: embedder.kind, hits: top });
      else {
        write(top.length === 0 ? 'no lessons match' : scoredTable(top));
        if (embedder.kind !== 'semantic') write(`(scores from ${embedder.model}: lexical features, not semantic similarity)`);
      }
    } finally {
      close();
    }
  });
}

async function editCommand(id: string, options: StoreOptions & { text?: string; subject?: string; concepts?: string; note?: string; restore?: string }): Promise<void> {
  await withStore(options, async (store) => {
    const tenant = store.forTenant(options.tenant);
    let lesson;
    if (options.restore !== undefined) {
      lesson = await tenant.restore(id, parseCount(options.restore, '--restore'));
    } else {
      const current = await tenant.get(id);
      if (current === undefined) throw mmevolveError('not-found', `no lesson ${JSON.stringify(id)} in tenant ${options.tenant}`, 'list lessons with `mmevolve memory list`');
      let textVector: Float32Array | undefined;
      if (options.text !== undefined) {
        const { embedder, close } = await workspaceEmbedder(store);
        try {
          textVector = (await embedder.embedTexts([options.text], { stage: 'memory-edit' }))[0];
        } finally {
          close();
        }
      }
      lesson = await tenant.edit(id, {
        ...(options.text === undefined ? {} : { text: options.text }),
        ...(textVector === undefined ? {} : { textVector }),
        ...(options.subject === undefined ? {} : { subject: options.subject }),
        ...(options.concepts === undefined ? {} : { concepts: options.concepts.split(',').map((concept) => concept.trim()).filter((concept) => concept !== '') }),
        provenance: { kind: 'edited', fromLessonIds: [id], fromVersions: [current.version], ...(options.note === undefined ? {} : { note: options.note }) },
      });
    }
    if (options.json === true) writeJson(lesson);
    else write(`lesson ${lesson.id} is now at version ${lesson.version} (earlier versions kept; see \`mmevolve memory show ${lesson.id}\`)`);
  });
}

export function registerMemoryCommand(program: Command): void {
  const memory = program.command('memory').description('Inspect and manage the error-memory lesson store (per workspace, per tenant)');

  storeCommand(memory, 'list', 'List lessons, oldest first')
    .option('--stream <stream>', 'visual or logic')
    .option('--subject <subject>', 'only lessons of this subject')
    .option('--limit <n>', 'page size', '50')
    .option('--offset <n>', 'skip this many', '0')
    .action(async (options: StoreOptions & { stream?: string; subject?: string; limit: string; offset: string }) => {
      const stream = parseStream(options.stream);
      await withStore(options, async (store) => {
        const page = await store.forTenant(options.tenant).list({
          ...(stream === undefined ? {} : { stream }),
          ...(options.subject === undefined ? {} : { subject: options.subject }),
          limit: parseCount(options.limit, '--limit'),
          offset: parseCount(options.offset, '--offset'),
        });
        if (options.json === true) writeJson(page);
        else write(page.total === 0 ? `no lessons in tenant ${options.tenant}` : `${lessonTable(page.lessons)}\n${page.lessons.length} of ${page.total} lesson(s)`);
      });
    });

  storeCommand(memory, 'show', 'Show one lesson with all its versions and their provenance')
    .argument('<id>', 'lesson id')
    .action(async (id: string, options: StoreOptions) => {
      await withStore(options, async (store) => {
        const tenant = store.forTenant(options.tenant);
        const lesson = await tenant.get(id);
        if (lesson === undefined) throw mmevolveError('not-found', `no lesson ${JSON.stringify(id)} in tenant ${options.tenant}`, 'list lessons with `mmevolve memory list`');
        const versions = await tenant.versions(id);
        if (options.json === true) writeJson({ lesson, versions });
        else write(lessonDetails(lesson, versions));
      });
    });

  storeCommand(memory, 'search', 'Find the lessons closest to a text (cosine over lesson embeddings)')
    .requiredOption('--text <text>', 'query text')
    .option('--stream <stream>', 'visual or logic (default: both)')
    .option('--k <n>', 'how many', '5')
    .option('--min-score <score>', 'drop lessons below this cosine')
    .action(searchCommand);

  storeCommand(memory, 'edit', 'Edit a lesson (a new version; old versions are kept) or restore an old version')
    .argument('<id>', 'lesson id')
    .option('--text <text>', 'new lesson text (re-embedded)')
    .option('--subject <subject>', 'new subject')
    .option('--concepts <list>', 'new key concepts, comma-separated')
    .option('--note <note>', 'why, recorded in the provenance')
    .option('--restore <version>', 'make this old version current again (as a new version)')
    .action(editCommand);

  storeCommand(memory, 'delete', 'Delete lessons for good (rows and vectors), or --all of the tenant')
    .argument('[ids...]', 'lesson ids')
    .option('--all', "delete every lesson of the tenant")
    .action(async (ids: string[], options: StoreOptions & { all?: boolean }) => {
      if (ids.length === 0 && options.all !== true) throw mmevolveError('invalid-input', 'nothing to delete', 'name lesson ids, or pass --all to clear the tenant');
      await withStore(options, async (store) => {
        const tenant = store.forTenant(options.tenant);
        const missing: string[] = [];
        let deleted = 0;
        if (options.all === true) deleted = await tenant.clear();
        for (const id of ids) {
          if (await tenant.delete(id)) deleted += 1;
          else if (options.all !== true) missing.push(id);
        }
        if (options.json === true) writeJson({ deleted, missing });
        else write(`deleted ${deleted} lesson(s) from tenant ${options.tenant}${missing.length > 0 ? `; not found: ${missing.join(', ')}` : ''}`);
        if (missing.length > 0) throw mmevolveError('not-found', `no lesson ${missing.map((id) => JSON.stringify(id)).join(', ')} in tenant ${options.tenant}`, 'list lessons with `mmevolve memory list`');
      });
    });

  storeCommand(memory, 'export', 'Write the tenant\'s lessons, versions and provenance as JSONL')
    .option('--out <file>', 'write to a file instead of stdout')
    .option('--no-embeddings', 'leave the vectors out (an import then re-embeds)')
    .action(exportCommand);

  storeCommand(memory, 'import', 'Read a JSONL export into the tenant (re-embeds when the embedding model differs)')
    .argument('<file>', 'export file, or - for stdin')
    .option('--skip-existing', 'keep lessons whose id or text already exists instead of failing')
    .action(importCommand);
}

