/**
 * What the HTTP API answers, as zod schemas: the one description of the server's JSON responses. The
 * routes check what they send against these (`sendJson`), and the web UI parses what it receives with the
 * same schemas, so neither side guesses the other's shapes. Parts the UI only shows raw (the engine's
 * trace, a VQA breakdown) are typed from the server's own types and checked as objects only.
 *
 * Browser-safe on purpose: this file imports zod and types only, because the web UI bundles it
 * (src/server/api-schemas.test.ts checks that).
 */
import { z } from 'zod';
import type { RunReport } from '../eval/index.js';
import type { EvolveConfig, SegmentationResult } from '../evolve/index.js';
import type { MemoryMethodConfig } from '../memory/index.js';

const isObject = (value: unknown): boolean => typeof value === 'object' && value !== null;
/** A part the UI shows without reading into it: typed as the server's type, checked as an object. */
const opaque = <T>() => z.custom<T>(isObject);

/** Every error answer: `{error: {code, message, hint}}` (src/server/api-errors.ts). */
export const errorBodySchema = z.object({ error: z.object({ code: z.string(), message: z.string(), hint: z.string() }) });

// --- /v1/runs -------------------------------------------------------------------------------------------

export const RUN_STATES = ['queued', 'running', 'done', 'failed', 'cancelled'] as const;

/** One run as the server records it (server-run.json) and answers it (GET/POST /v1/runs…, `state` events). */
export const runRecordSchema = z.object({
  id: z.string(),
  tenant: z.string(),
  kind: z.enum(['segmentation', 'vqa']),
  dataset: z.string(),
  method: z.string(),
  preset: z.string(),
  config: z.record(z.string(), z.unknown()),
  limit: z.number().int().positive().optional(),
  /** VQA memory runs: one lesson stream left out. */
  ablate: z.enum(['visual', 'logic']).optional(),
  concurrency: z.number().int().positive(),
  state: z.enum(RUN_STATES),
  createdAt: z.string(),
  updatedAt: z.string(),
  progress: z.object({ done: z.number(), total: z.number(), metric: z.string() }),
  /** How many times the run was (re)started; above 1 after a resume. */
  attempts: z.number().int().nonnegative(),
  outcome: z.object({ ran: z.number(), skipped: z.number(), failed: z.number(), interrupted: z.boolean(), remaining: z.number() }).optional(),
  error: z.object({ code: z.string(), message: z.string(), hint: z.string() }).optional(),
});
export type RunRecordResponse = z.infer<typeof runRecordSchema>;

/** GET /v1/runs. */
export const runListSchema = z.object({ runs: z.array(runRecordSchema) });

/** A `progress` event of GET /v1/runs/{id}/events (a `state` event carries a run record). */
export const runProgressEventSchema = z.object({ type: z.literal('progress'), runId: z.string(), done: z.number(), total: z.number(), metric: z.string() });

/** A worker of a distributed run (`mmevolve worker`), from its heartbeat (src/eval/run-progress.ts). */
export const distributedRunWorkerSchema = z.object({
  id: z.string(),
  host: z.string().optional(),
  pid: z.number().int().optional(),
  concurrency: z.number().int().optional(),
  /** lost: silent past the server's threshold; unknown: wrote samples but keeps no heartbeat. */
  state: z.enum(['live', 'lost', 'stopped', 'unknown']),
  silentSeconds: z.number().optional(),
  /** Sample jobs of this run it holds now. */
  inHand: z.number().int().nonnegative(),
  /** Samples of this run it recorded. */
  recorded: z.number().int().nonnegative(),
});

/** A run of `mmevolve eval --queue` in the server's runs Postgres, with its progress across workers. */
export const distributedRunSchema = z.object({
  id: z.string(),
  method: z.string(),
  dataset: z.string(),
  started: z.string(),
  simulated: z.boolean(),
  planned: z.number().int().nonnegative(),
  done: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
  samplesPerSecond: z.number().nullable(),
  /** 0 when every sample is recorded; null before a rate is known. */
  etaSeconds: z.number().nullable(),
  workers: z.array(distributedRunWorkerSchema),
});
export type DistributedRunResponse = z.infer<typeof distributedRunSchema>;

/**
 * GET /v1/distributed-runs (admin scope). `offered` is false, with no runs, on a serve that keeps its runs in a
 * folder: only runs in Postgres can have workers elsewhere.
 */
export const distributedRunListSchema = z.object({ offered: z.boolean(), runs: z.array(distributedRunSchema), lostAfterSeconds: z.number() });

const perSampleCost = { callsPerSample: z.number(), promptTokensPerSample: z.number(), completionTokensPerSample: z.number() };
const stageCostSchema = z.object({ ...perSampleCost, latencyMsPerSample: z.number(), cacheHits: z.number(), failures: z.number() });

/** Costs per finished sample, fresh calls and cache hits apart (src/eval/segmentation-summary.ts). */
export const costSummarySchema = z.object({
  samples: z.number(),
  ...perSampleCost,
  cachedTokensPerSample: z.number(),
  latencyMsPerSample: z.number(),
  wallMsPerSample: z.number(),
  fresh: z.object(perSampleCost),
  cached: z.object({ callsPerSample: z.number(), tokensPerSample: z.number() }),
  wall: z.object({ freshSamples: z.number(), freshMsPerSample: z.number().nullable(), cachedSamples: z.number(), cachedMsPerSample: z.number().nullable() }),
  byStage: z.record(z.string(), stageCostSchema),
  byBackend: z.record(z.string(), stageCostSchema),
});

const subsetScoreSchema = z.object({ giou: z.number().nullable(), ciou: z.number().nullable(), n: z.number() });
type SegmentationSummary = Extract<RunReport['summary'], { kind: 'segmentation' }>;
type VqaSummary = Extract<RunReport['summary'], { kind: 'vqa' }>;

export const segmentationSummarySchema = z.object({
  kind: z.literal('segmentation'),
  n: z.number(),
  finished: z.number(),
  failed: z.number(),
  failuresByCode: z.record(z.string(), z.number()),
  scores: subsetScoreSchema.extend({ subsets: z.object({ short: subsetScoreSchema, long: subsetScoreSchema }) }),
  costs: costSummarySchema,
  countersPerSample: z.record(z.string(), z.number()),
  iouHistogram: z.object({ edges: z.array(z.number()), counts: z.array(z.number()) }),
  judgeChecks: opaque<SegmentationSummary['judgeChecks']>(),
  perSample: z.array(z.object({ id: z.string(), iou: z.number(), calls: z.number(), isSentence: z.boolean(), status: z.enum(['ok', 'failed']) })),
  capped: z.object({ samples: z.number(), calls: z.number(), tokens: z.number() }),
  answeredNoTarget: z.number(),
  grefcoco: opaque<NonNullable<SegmentationSummary['grefcoco']>>().optional(),
  saco: opaque<NonNullable<SegmentationSummary['saco']>>().optional(),
});
export type SegmentationSummaryResponse = z.infer<typeof segmentationSummarySchema>;

export const vqaSummarySchema = z.object({
  kind: z.literal('vqa'),
  n: z.number(),
  finished: z.number(),
  failed: z.number(),
  failuresByCode: z.record(z.string(), z.number()),
  accuracy: opaque<VqaSummary['accuracy']>(),
  bySubject: opaque<VqaSummary['bySubject']>(),
  byLevel: opaque<VqaSummary['byLevel']>(),
  byTrap: opaque<NonNullable<VqaSummary['byTrap']>>().optional(),
  lessons: opaque<VqaSummary['lessons']>(),
  retrievalPrecision: opaque<NonNullable<VqaSummary['retrievalPrecision']>>().optional(),
  costs: costSummarySchema,
  embeddingsPerProblem: z.object({ texts: z.number(), images: z.number() }),
  perSample: z.array(z.object({ id: z.string(), correct: z.boolean(), status: z.enum(['ok', 'failed']) })),
});

/** GET /v1/runs/{id}/report: recomputed from results.jsonl; its plots are files under /v1/runs/{id}/files/. */
export const runReportSchema = z.object({
  title: z.string(),
  simulated: z.boolean(),
  run: opaque<RunReport['run']>(),
  summary: z.discriminatedUnion('kind', [segmentationSummarySchema, vqaSummarySchema]),
  /** Plot file names (SVG), each served by GET /v1/runs/{id}/files/{name}. */
  plots: z.array(z.string()),
  warnings: z.array(z.string()),
});
export type RunReportResponse = z.infer<typeof runReportSchema>;

/** The COCO RLE of a mask (compressed counts string, column-major). */
export const cocoRleSchema = z.object({ size: z.tuple([z.number(), z.number()]), counts: z.string() });

/** GET /v1/runs/{id}/traces/{sample}: the trace file eval writes per sample (src/eval/segmentation-run.ts). */
export const sampleTraceSchema = z.object({
  name: z.string(),
  query: z.string(),
  isSentence: z.boolean(),
  method: z.string(),
  rle: cocoRleSchema,
  trace: opaque<SegmentationResult['trace']>(),
});
export type SampleTraceResponse = z.infer<typeof sampleTraceSchema>;

// --- /v1/segment ----------------------------------------------------------------------------------------

/** POST /v1/segment's JSON answer, and the data of its `result` event when streamed. PNGs are base64. */
export const segmentResponseSchema = z.object({
  method: z.string(),
  /** The evolve settings this request ran with (preset, then the config's and the request's overrides). */
  settings: z.object({ preset: z.string(), evolve: opaque<EvolveConfig>() }),
  query: z.string(),
  width: z.number(),
  height: z.number(),
  mask: z.object({ rle: cocoRleSchema, png: z.string(), area: z.number() }),
  overlay: z.object({ png: z.string() }),
  box: z.tuple([z.number(), z.number(), z.number(), z.number()]).readonly().optional(),
  phrase: z.string().optional(),
  /** null when the method ran without that backend (concept-only without backends.mllm). */
  models: z.object({ mllm: z.string().nullable(), judge: z.string().nullable(), segmenter: z.string() }),
  trace: opaque<SegmentationResult['trace']>(),
  counters: opaque<SegmentationResult['counters']>(),
  calls: z.number(),
  warnings: z.array(z.object({ code: z.string(), message: z.string() })),
});
export type SegmentResponse = z.infer<typeof segmentResponseSchema>;

// --- /v1/memories ---------------------------------------------------------------------------------------

const provenanceSchema = z.object({ kind: z.enum(['written', 'merged', 'edited', 'imported', 'restored']), fromLessonIds: z.array(z.string()), fromVersions: z.array(z.number()), note: z.string().optional(), signal: z.enum(['gold', 'feedback', 'label-free']).optional() });
const lessonSourceSchema = z.object({ problemId: z.string(), question: z.string(), imageRefs: z.array(z.string()) });

/** GET /v1/memories/{id}, PATCH /v1/memories/{id}, POST /v1/memories/{id}/restore. */
export const lessonSchema = z.object({
  id: z.string(),
  tenant: z.string(),
  stream: z.enum(['visual', 'logic']),
  text: z.string(),
  subject: z.string(),
  concepts: z.array(z.string()),
  source: lessonSourceSchema,
  createdAt: z.string(),
  updatedAt: z.string(),
  usageCount: z.number(),
  version: z.number(),
  provenance: provenanceSchema,
  embeddingModel: z.string(),
});
export type LessonResponse = z.infer<typeof lessonSchema>;

/** GET /v1/memories without `q`: one page of the tenant's lessons. */
export const lessonPageSchema = z.object({ lessons: z.array(lessonSchema), total: z.number() });
/** GET /v1/memories?q=…: lessons ranked by meaning. */
export const lessonSearchSchema = z.object({ results: z.array(z.object({ lesson: lessonSchema, score: z.number() })), total: z.number() });

/** GET /v1/memories/{id}/versions. */
export const lessonVersionsSchema = z.object({
  versions: z.array(z.object({ lessonId: z.string(), version: z.number(), text: z.string(), subject: z.string(), concepts: z.array(z.string()), source: lessonSourceSchema, createdAt: z.string(), provenance: provenanceSchema, embeddingModel: z.string() })),
});
export type LessonVersionResponse = z.infer<typeof lessonVersionsSchema>['versions'][number];

// --- /v1/settings --------------------------------------------------------------------------------------

/**
 * GET /v1/settings: what this server runs with, from its workspace (config file and flags, via
 * openWorkspace) — the same resolved settings `mmevolve config` prints and `openWorkspace()` gives a library.
 */
export const settingsResponseSchema = z.object({
  /** Backend role → model id. */
  models: z.record(z.string(), z.string()),
  /** The preset a request without one gets, resolved with the config's overrides. */
  evolve: z.object({ preset: z.string(), config: opaque<EvolveConfig>() }),
  /** The memory method's settings (/v1/solve defaults, the proxy's retrieval thresholds). */
  memory: opaque<MemoryMethodConfig>(),
});
export type SettingsResponse = z.infer<typeof settingsResponseSchema>;

// --- /healthz -------------------------------------------------------------------------------------------

/** One model replica of a backend that lists `replicas`, named by its place in the config (0 = baseURL). */
export const healthReplicaSchema = z.object({
  replica: z.number().int().nonnegative(),
  /** out: taken out after failures in a row, probed back in. */
  state: z.enum(['in', 'out']),
  consecutiveFailures: z.number().int().nonnegative(),
  /** Milliseconds until the next probe of a replica that is out (0 = due or under way); null while in. */
  nextProbeInMs: z.number().nonnegative().nullable(),
  outstanding: z.number().int().nonnegative(),
  /** Requests it answered (any status). */
  served: z.number().int().nonnegative(),
});
export type HealthReplica = z.infer<typeof healthReplicaSchema>;

/** GET /healthz (200 ok, 503 degraded; same body). */
export const healthReportSchema = z.object({
  status: z.enum(['ok', 'degraded']),
  /** SynthWorld's simulated servers answer (model ids "sim-…"): numbers describe the methods, not a model. */
  simulated: z.boolean(),
  /** Backend role → model id. */
  models: z.record(z.string(), z.string()),
  backends: z.array(z.object({ name: z.string(), reachable: z.boolean(), latencyMs: z.number(), error: z.string().optional() })),
  /** Backend role → its replicas, when it lists `replicas` (left out otherwise). */
  replicas: z.record(z.string(), z.array(healthReplicaSchema)).optional(),
});
export type HealthReportResponse = z.infer<typeof healthReportSchema>;
