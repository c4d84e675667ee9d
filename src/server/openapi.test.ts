import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServer } from './server-test-support.js';
import type { TestServer } from './server-test-support.js';

let directory: string;
let server: TestServer;

beforeAll(async () => {
  directory = await mkdtemp(path.join(tmpdir(), 'mmevolve-openapi-'));
  server = await createTestServer({ runsDir: directory });
});

afterAll(async () => {
  await server.close();
  await rm(directory, { recursive: true, force: true });
});

interface OpenApi {
  openapi: string;
  paths: Record<string, Record<string, { security: unknown[]; requestBody?: { content: Record<string, { schema?: { properties?: Record<string, unknown> } }> } }>>;
}

describe('static web UI', () => {
  it('serves the built UI at / while every API route keeps answering JSON', async () => {
    const web = path.join(directory, 'web');
    await mkdir(web, { recursive: true });
    await writeFile(path.join(web, 'index.html'), '<!doctype html><title>mmevolve</title>');
    const withUi = await createTestServer({ staticDir: web });
    try {
      const page = await withUi.request('/');
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<title>mmevolve</title>');
      const api = await withUi.request('/v1/memories');
      expect(api.status, 'API routes are not shadowed by static files').toBe(401);
      const missing = await withUi.request('/no-such-file.js');
      expect(missing.status).toBe(404);
      expect(missing.headers.get('content-type')).toContain('application/json');
    } finally {
      await withUi.close();
    }
  });
});

describe('/openapi.json', () => {
  it('lists every route the app serves and no route it does not serve', async () => {
    const document = (await (await server.request('/openapi.json')).json()) as OpenApi;
    expect(document.openapi).toBe('3.1.0');
    const served = new Set(
      server.app.routes
        .filter((route) => route.method !== 'ALL' && !route.path.includes('*'))
        .map((route) => `${route.method.toLowerCase()} ${route.path.replace(/:(\w+)/gu, '{$1}')}`),
    );
    const documented = new Set(Object.entries(document.paths).flatMap(([route, methods]) => Object.keys(methods).map((method) => `${method} ${route}`)));
    expect([...served].filter((route) => !documented.has(route)), 'served but undocumented').toEqual([]);
    expect([...documented].filter((route) => !served.has(route)), 'documented but not served').toEqual([]);
    expect(served.size).toBeGreaterThan(20);
  });

  it('describes request bodies from the zod schemas the routes validate with', async () => {
    const document = (await (await server.request('/openapi.json')).json()) as OpenApi;
    const solve = document.paths['/v1/solve']?.['post']?.requestBody?.content['application/json']?.schema?.properties ?? {};
    expect(Object.keys(solve)).toEqual(expect.arrayContaining(['question', 'image', 'options', 'answer', 'mode']));
    const lesson = document.paths['/v1/memories']?.['post']?.requestBody?.content['application/json']?.schema?.properties ?? {};
    expect(Object.keys(lesson)).toEqual(expect.arrayContaining(['stream', 'text']));
    expect(document.paths['/healthz']?.['get']?.security, '/healthz needs no key').toEqual([]);
    const feedback = document.paths['/v1/feedback']?.['post']?.requestBody?.content['application/json']?.schema?.properties ?? {};
    expect(Object.keys(feedback).sort(), 'POST /v1/feedback documents its body').toEqual(['answer', 'responseId', 'verdict']);
  });
});
