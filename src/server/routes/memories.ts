/**
 * /v1/memories: the caller's tenant's lessons. The tenant comes from the key only, so an id of another
 * tenant is simply not found (404), whatever it contains.
 */
import { Hono } from 'hono';
import { stream } from 'hono/streaming';
import { z } from 'zod';
import type { Embedder, LessonStream, MemoryExportRecord, MemoryStore, ScoredLesson } from '../../core/index.js';
import { mmevolveError } from '../../core/index.js';
import { parseExportRecord } from '../../memory/index.js';
import { requireScope } from '../auth.js';
import { parseBoundedJson } from '../json-depth.js';
import type { ServerLimits } from '../limits.js';
import { checkQueryLength } from '../limits.js';
import type { ServerEnv } from '../principal.js';
import { parseValue, queryInteger, readJson } from '../request-body.js';
import { lessonPageSchema, lessonSchema, lessonSearchSchema, lessonVersionsSchema } from '../api-schemas.js';
import { sendJson } from '../send-json.js';
import { embedOne, requireEmbedder } from '../workspace-embedder.js';

const streamSchema = z.enum(['visual', 'logic']);
const sourceSchema = z.strictObject({ problemId: z.string().max(500), question: z.string().max(20_000), imageRefs: z.array(z.string().max(2000)).max(50) });

export const createLessonBodySchema = z.strictObject({
  stream: streamSchema,
  text: z.string().trim().min(1).max(20_000),
  subject: z.string().max(500).default(''),
  concepts: z.array(z.string().max(500)).max(100).default([]),
  source: sourceSchema.default({ problemId: 'api', question: '', imageRefs: [] }),
});

export const editLessonBodySchema = z
  .strictObject({
    text: z.string().trim().min(1).max(20_000).optional(),
    subject: z.string().max(500).optional(),
    concepts: z.array(z.string().max(500)).max(100).optional(),
  })
  .refine((edit) => Object.values(edit).some((value) => value !== undefined), 'give at least one of text, subject, concepts');

export const restoreBodySchema = z.strictObject({ version: z.number().int().positive() });

export interface MemoryRouteOptions {
  store: MemoryStore;
  embedder: Embedder | undefined;
  limits: ServerLimits;
}

function notFound(id: string): Error {
  return mmevolveError('not-found', `no lesson ${JSON.stringify(id.slice(0, 100))} for this key's tenant`, 'List your lessons with GET /v1/memories.');
}

function parseStream(text: string | undefined): LessonStream | undefined {
  return text === undefined ? undefined : parseValue(text, streamSchema, 'query parameter stream');
}

async function search(options: MemoryRouteOptions, tenant: string, query: string, stream: LessonStream | undefined, k: number): Promise<ScoredLesson[]> {
  const memory = options.store.forTenant(tenant);
  const vector = await embedOne(requireEmbedder(options.store, options.embedder), query);
  const streams: LessonStream[] = stream === undefined ? ['logic', 'visual'] : [stream];
  const results = (await Promise.all(streams.map((name) => memory.searchByTextVector(name, vector, k)))).flat();
  return results.sort((left, right) => right.score - left.score).slice(0, k);
}

/** Every line parsed before anything is written: a bad line anywhere refuses the whole import. */
function importRecords(text: string): MemoryExportRecord[] {
  const records: MemoryExportRecord[] = [];
  let lineNumber = 0;
  for (const line of text.split('\n')) {
    lineNumber += 1;
    if (line.trim() === '') continue;
    records.push(parseExportRecord(parseBoundedJson(line, `import line ${lineNumber}`), lineNumber));
  }
  return records;
}

export function memoryRoutes(options: MemoryRouteOptions): Hono<ServerEnv> {
  const routes = new Hono<ServerEnv>();
  const { store } = options;
  const tenantMemory = (tenant: string) => store.forTenant(tenant);

  routes.get('/', requireScope('read'), async (context) => {
    const tenant = context.get('principal').tenant;
    const stream = parseStream(context.req.query('stream'));
    const query = context.req.query('q');
    const limit = queryInteger(context, 'limit', 100, 1, 1000);
    if (query !== undefined && query.trim() !== '') {
      checkQueryLength(query, options.limits, 'q');
      const results = await search(options, tenant, query, stream, limit);
      return sendJson(context, lessonSearchSchema, { results, total: results.length }, 'lesson search');
    }
    const subject = context.req.query('subject');
    const page = await tenantMemory(tenant).list({
      limit,
      offset: queryInteger(context, 'offset', 0, 0, Number.MAX_SAFE_INTEGER),
      ...(stream === undefined ? {} : { stream }),
      ...(subject === undefined ? {} : { subject }),
    });
    return sendJson(context, lessonPageSchema, page, 'lesson page');
  });

  routes.post('/', requireScope('write'), async (context) => {
    const body = await readJson(context, createLessonBodySchema, 'new lesson');
    const textVector = await embedOne(requireEmbedder(store, options.embedder), body.text);
    const result = await tenantMemory(context.get('principal').tenant).insert({ ...body, textVector, provenance: { kind: 'written', fromLessonIds: [], fromVersions: [], note: 'created through the HTTP API' } });
    return context.json(result, result.created ? 201 : 200);
  });

  routes.get('/export', requireScope('read'), (context) => {
    const embeddings = context.req.query('embeddings') !== 'false';
    const memory = tenantMemory(context.get('principal').tenant);
    context.header('Content-Type', 'application/x-ndjson; charset=utf-8');
    context.header('Content-Disposition', `attachment; filename="memory-${encodeURIComponent(memory.tenant)}.jsonl"`);
    return stream(context, async (output) => {
      for await (const record of memory.export({ embeddings })) await output.write(`${JSON.stringify(record)}\n`);
    });
  });

  routes.post('/import', requireScope('write'), async (context) => {
    const onConflict = context.req.query('onConflict') === 'skip' ? 'skip' : 'error';
    const embedder = options.embedder;
    const memory = tenantMemory(context.get('principal').tenant);
    const records = importRecords(await context.req.text());
    const ids = records.flatMap((record) => (record.type === 'lesson' ? [record.lesson.id] : []));
    const present = new Set((await Promise.all(ids.map(async (id) => ((await memory.get(id)) === undefined ? [] : [id])))).flat());
    if (onConflict === 'error' && present.size > 0) {
      throw mmevolveError('conflict', `${present.size} lesson id(s) of the import exist already in this tenant (e.g. ${[...present][0] ?? ''})`, 'Import with ?onConflict=skip to keep the existing lessons, or into an empty tenant.');
    }
    try {
      return context.json(
        await memory.import(records, {
          onConflict,
          ...(embedder === undefined ? {} : { reembedTexts: (texts: string[]) => embedder.embedTexts(texts, { stage: 'memory-import' }) }),
        }),
      );
    } catch (error) {
      // The store imports in batches; remove what earlier batches added so a failed import leaves nothing.
      for (const id of ids.filter((known) => !present.has(known))) await memory.delete(id);
      throw error;
    }
  });

  routes.get('/:id', requireScope('read'), async (context) => {
    const id = context.req.param('id');
    const lesson = await tenantMemory(context.get('principal').tenant).get(id);
    if (lesson === undefined) throw notFound(id);
    return sendJson(context, lessonSchema, lesson, 'lesson');
  });

  routes.patch('/:id', requireScope('write'), async (context) => {
    const id = context.req.param('id');
    const memory = tenantMemory(context.get('principal').tenant);
    if ((await memory.get(id)) === undefined) throw notFound(id);
    const edit = await readJson(context, editLessonBodySchema, 'lesson edit');
    const textVector = edit.text === undefined ? undefined : await embedOne(requireEmbedder(store, options.embedder), edit.text);
    const lesson = await memory.edit(id, {
      ...(edit.text === undefined ? {} : { text: edit.text }),
      ...(textVector === undefined ? {} : { textVector }),
      ...(edit.subject === undefined ? {} : { subject: edit.subject }),
      ...(edit.concepts === undefined ? {} : { concepts: edit.concepts }),
    });
    return sendJson(context, lessonSchema, lesson, 'lesson');
  });

  routes.delete('/:id', requireScope('write'), async (context) => {
    const id = context.req.param('id');
    if (!(await tenantMemory(context.get('principal').tenant).delete(id))) throw notFound(id);
    return context.body(null, 204);
  });

  routes.get('/:id/versions', requireScope('read'), async (context) => {
    const id = context.req.param('id');
    const memory = tenantMemory(context.get('principal').tenant);
    if ((await memory.get(id)) === undefined) throw notFound(id);
    return sendJson(context, lessonVersionsSchema, { versions: await memory.versions(id) }, 'lesson versions');
  });

  routes.post('/:id/restore', requireScope('write'), async (context) => {
    const id = context.req.param('id');
    const memory = tenantMemory(context.get('principal').tenant);
    if ((await memory.get(id)) === undefined) throw notFound(id);
    const { version } = await readJson(context, restoreBodySchema, 'restore');
    return sendJson(context, lessonSchema, await memory.restore(id, version), 'lesson');
  });

  return routes;
}
