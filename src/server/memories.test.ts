import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lesson, LessonVersion } from '../core/index.js';
import { createTestServer, errorOf } from './server-test-support.js';
import type { TestServer } from './server-test-support.js';

let server: TestServer;
let aliceKey: string;
let bobKey: string;

beforeAll(async () => {
  server = await createTestServer();
  aliceKey = await server.keyFor('alice');
  bobKey = await server.keyFor('bob');
});

afterAll(async () => {
  await server.close();
});

async function create(key: string, text: string, stream = 'logic'): Promise<Lesson> {
  const response = await server.request('/v1/memories', { method: 'POST', key, json: { stream, text, subject: 'geometry', concepts: ['angles'] } });
  expect(response.status, `creating "${text}"`).toBe(201);
  return ((await response.json()) as { lesson: Lesson }).lesson;
}

describe('/v1/memories', () => {
  it('creates, reads, edits with versions, restores and deletes a lesson of the caller tenant', async () => {
    const lesson = await create(aliceKey, 'Angles in a triangle sum to 180 degrees.');
    expect(lesson.tenant).toBe('alice');
    const again = await server.request('/v1/memories', { method: 'POST', key: aliceKey, json: { stream: 'logic', text: 'angles in a  triangle sum to 180 degrees.' } });
    expect(again.status, 'the same normalised text returns the existing lesson').toBe(200);
    expect(((await again.json()) as { created: boolean; lesson: Lesson }).lesson.id).toBe(lesson.id);

    const edited = await server.request(`/v1/memories/${lesson.id}`, { method: 'PATCH', key: aliceKey, json: { text: 'Interior angles of a triangle sum to 180 degrees.' } });
    expect(edited.status).toBe(200);
    expect(((await edited.json()) as Lesson).version).toBe(2);
    const versions = (await (await server.request(`/v1/memories/${lesson.id}/versions`, { key: aliceKey })).json()) as { versions: LessonVersion[] };
    expect(versions.versions.map((version) => version.text)).toEqual(['Angles in a triangle sum to 180 degrees.', 'Interior angles of a triangle sum to 180 degrees.']);

    const restored = await server.request(`/v1/memories/${lesson.id}/restore`, { method: 'POST', key: aliceKey, json: { version: 1 } });
    expect(restored.status).toBe(200);
    const restoredLesson = (await restored.json()) as Lesson;
    expect(restoredLesson.text).toBe('Angles in a triangle sum to 180 degrees.');
    expect(restoredLesson.provenance.kind).toBe('restored');
    const missingVersion = await server.request(`/v1/memories/${lesson.id}/restore`, { method: 'POST', key: aliceKey, json: { version: 99 } });
    expect(missingVersion.status).toBe(404);

    expect((await server.request(`/v1/memories/${lesson.id}`, { method: 'DELETE', key: aliceKey })).status).toBe(204);
    expect((await server.request(`/v1/memories/${lesson.id}`, { key: aliceKey })).status).toBe(404);
  });

  it('lists with filters and paging and searches by text, per tenant', async () => {
    await create(aliceKey, 'Read the axis labels before comparing bars.', 'visual');
    await create(aliceKey, 'Convert percentages to fractions before multiplying.');
    await create(bobKey, 'Bob only: count the legs of each animal.');
    const visual = (await (await server.request('/v1/memories?stream=visual', { key: aliceKey })).json()) as { lessons: Lesson[]; total: number };
    expect(visual.lessons.map((lesson) => lesson.text)).toEqual(['Read the axis labels before comparing bars.']);
    const page = (await (await server.request('/v1/memories?limit=1&offset=1', { key: aliceKey })).json()) as { lessons: Lesson[]; total: number };
    expect(page.lessons).toHaveLength(1);
    expect(page.total).toBe(2);
    const search = (await (await server.request(`/v1/memories?q=${encodeURIComponent('percentages fractions')}`, { key: aliceKey })).json()) as { results: { lesson: Lesson; score: number }[] };
    expect(search.results[0]?.lesson.text).toBe('Convert percentages to fractions before multiplying.');
    expect(search.results.every((result) => result.lesson.tenant === 'alice'), "bob's lesson never shows up for alice").toBe(true);
    const badStream = await server.request('/v1/memories?stream=emotional', { key: aliceKey });
    expect(badStream.status).toBe(400);
  });

  it('exports JSONL and imports it into another tenant', async () => {
    const exported = await server.request('/v1/memories/export', { key: aliceKey });
    expect(exported.headers.get('content-type')).toContain('application/x-ndjson');
    const text = await exported.text();
    const lines = text.trim().split('\n').map((line) => JSON.parse(line) as { type: string });
    expect(lines[0]?.type).toBe('header');
    expect(lines.filter((line) => line.type === 'lesson')).toHaveLength(2);

    const carolKey = await server.keyFor('carol');
    const imported = await server.request('/v1/memories/import', { method: 'POST', key: carolKey, body: text, headers: { 'Content-Type': 'application/x-ndjson' } });
    expect(imported.status).toBe(200);
    expect(((await imported.json()) as { imported: number }).imported).toBe(2);
    const carol = (await (await server.request('/v1/memories', { key: carolKey })).json()) as { lessons: Lesson[] };
    expect(carol.lessons.every((lesson) => lesson.tenant === 'carol')).toBe(true);
    const conflict = await server.request('/v1/memories/import', { method: 'POST', key: carolKey, body: text });
    expect(conflict.status, 'importing the same ids again conflicts').toBe(409);
    const skipped = await server.request('/v1/memories/import?onConflict=skip', { method: 'POST', key: carolKey, body: text });
    expect(((await skipped.json()) as { skipped: number }).skipped).toBe(2);
    const danKey = await server.keyFor('dan');
    const brokenTail = await server.request('/v1/memories/import', { method: 'POST', key: danKey, body: `${text}{"type": "lesson"\n` });
    expect(brokenTail.status).toBe(400);
    expect(((await (await server.request('/v1/memories', { key: danKey })).json()) as { total: number }).total, 'a bad last line imports nothing').toBe(0);
    const garbage = await server.request('/v1/memories/import', { method: 'POST', key: carolKey, body: 'not json\n' });
    expect(garbage.status).toBe(400);
    expect((await errorOf(garbage)).message).toContain('line 1');
  });
});
