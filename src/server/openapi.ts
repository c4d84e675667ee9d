/**
 * The OpenAPI 3.1 document at /openapi.json: hand-written route list, request bodies generated from the
 * same zod schemas the routes validate with (z.toJSONSchema), so the two cannot drift apart.
 */
import { z } from 'zod';
import { API_KEY_SCOPES } from './key-store.js';
import { createLessonBodySchema, editLessonBodySchema, restoreBodySchema } from './routes/memories.js';
import { chatCompletionBodySchema } from './routes/proxy.js';

export interface RouteDoc {
  method: 'get' | 'post' | 'patch' | 'delete';
  /** OpenAPI form: /v1/memories/{id}. */
  path: string;
  summary: string;
  scope?: (typeof API_KEY_SCOPES)[number];
  body?: z.ZodType;
  /** Content type of the body when not JSON. */
  bodyType?: string;
  responseType?: string;
  streams?: boolean;
}

const baseRoutes: RouteDoc[] = [
  { method: 'get', path: '/healthz', summary: 'Reachability of each configured backend (200 ok, 503 degraded), and the state of each model replica of a backend that lists replicas. No key needed.' },
  { method: 'get', path: '/openapi.json', summary: 'This document. No key needed.' },
  { method: 'get', path: '/metrics', summary: 'Prometheus text: requests by route/status, latency histogram, model calls, cache hits, errors.', scope: 'admin', responseType: 'text/plain' },
  { method: 'get', path: '/v1/memories', summary: "List the tenant's lessons (stream, subject, limit, offset) or search them (q).", scope: 'read' },
  { method: 'post', path: '/v1/memories', summary: 'Add a lesson (embedded with the workspace embedder).', scope: 'write', body: createLessonBodySchema },
  { method: 'get', path: '/v1/memories/export', summary: "The tenant's lessons as JSONL (header line first); ?embeddings=false leaves vectors out.", scope: 'read', responseType: 'application/x-ndjson' },
  { method: 'post', path: '/v1/memories/import', summary: 'Import a JSONL export into the tenant (?onConflict=skip keeps existing ids).', scope: 'write', bodyType: 'application/x-ndjson' },
  { method: 'get', path: '/v1/memories/{id}', summary: 'One lesson.', scope: 'read' },
  { method: 'patch', path: '/v1/memories/{id}', summary: 'Edit a lesson (a new version; the old one is kept).', scope: 'write', body: editLessonBodySchema },
  { method: 'delete', path: '/v1/memories/{id}', summary: 'Delete a lesson, its versions and vectors.', scope: 'write' },
  { method: 'get', path: '/v1/memories/{id}/versions', summary: 'Every version of a lesson, oldest first.', scope: 'read' },
  { method: 'post', path: '/v1/memories/{id}/restore', summary: 'Make a new version with the content of an old one.', scope: 'write', body: restoreBodySchema },
  {
    method: 'post',
    path: '/v1/chat/completions',
    summary: "OpenAI-compatible chat, forwarded to the configured MLLM with the tenant's relevant lessons injected as a system message. Header `X-Mmevolve-Memory: off` or a model id ending in `:no-memory` turns injection off; `stream: true` passes the upstream SSE through.",
    scope: 'solve',
    body: chatCompletionBodySchema,
    streams: true,
  },
  { method: 'get', path: '/v1/models', summary: "The MLLM server's model list (OpenAI format), followed by the segmentation models this server answers itself (mmevolve-segment, mmevolve-segment:<method>) when a segmenter is configured.", scope: 'read' },
];

const errorSchema = {
  type: 'object',
  required: ['error'],
  properties: { error: { type: 'object', required: ['code', 'message', 'hint'], properties: { code: { type: 'string' }, message: { type: 'string' }, hint: { type: 'string' } } } },
};

function operation(route: RouteDoc): Record<string, unknown> {
  const parameters = [...route.path.matchAll(/\{(\w+)\}/gu)].map((match) => ({ name: match[1], in: 'path', required: true, schema: { type: 'string' } }));
  const responses: Record<string, unknown> = {
    '200': { description: 'Success', content: { [route.responseType ?? 'application/json']: {}, ...(route.streams === true ? { 'text/event-stream': {} } : {}) } },
    default: { description: 'Error', content: { 'application/json': { schema: errorSchema } } },
  };
  const result: Record<string, unknown> = { summary: route.summary, parameters, responses };
  if (route.scope !== undefined) result['security'] = [{ apiKey: [route.scope] }];
  else result['security'] = [];
  if (route.body !== undefined) result['requestBody'] = { required: true, content: { 'application/json': { schema: z.toJSONSchema(route.body, { io: 'input', unrepresentable: 'any' }) } } };
  else if (route.bodyType !== undefined) result['requestBody'] = { required: true, content: { [route.bodyType]: {} } };
  return result;
}

/** The base routes plus those of optional route groups (solve, segment, runs) the app mounted. */
export function documentedRoutes(extra: readonly RouteDoc[] = []): RouteDoc[] {
  return [...baseRoutes, ...extra];
}

export function openApiDocument(extra: readonly RouteDoc[] = []): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of documentedRoutes(extra)) {
    paths[route.path] = { ...paths[route.path], [route.method]: operation(route) };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'mmevolve API',
      version: '0.1.0',
      description: `Evolutionary reasoning segmentation, dual-stream error memory and an OpenAI-compatible proxy with memory. Scopes: ${API_KEY_SCOPES.join(', ')} (admin implies all). Errors are {error: {code, message, hint}}.`,
    },
    components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'A key from `mmevolve keys create`; also accepted as X-Api-Key.' } } },
    security: [{ apiKey: [] }],
    paths,
  };
}
