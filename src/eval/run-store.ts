/**
 * A run directory on disk: `run.json` (what was run, with which backends, whether simulated) and
 * `results.jsonl` (one line per finished sample, appended and fsynced as each sample finishes). Reopening a
 * run resumes it: finished samples are read back and skipped. A torn last line (a crash mid-write) is
 * detected, reported as a warning and cut off so later appends stay line-aligned.
 */
import { createHash } from 'node:crypto';
import { mkdir, open, truncate, writeFile } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { Warning } from '../core/index.js';
import { canonicalJson, mmevolveError } from '../core/index.js';
import { readTextIfExists } from './read-if-exists.js';
import { acquireLock } from './run-lock.js';

export const RUN_FILE = 'run.json';
export const RESULTS_FILE = 'results.jsonl';

/**
 * What makes two invocations "the same run": the command, the method, the dataset and the settings that
 * change results (preset, config, ablation, backend model ids…). Limit and concurrency are not part of it.
 */
export interface RunIdentity {
  command: string;
  method: string;
  /** Absolute path of the dataset folder or file. */
  dataset: string;
  /** Result-changing settings; compared as canonical JSON. */
  settings: Record<string, unknown>;
}

export interface RunManifest extends RunIdentity {
  /** Backend role → model id (e.g. { mllm: "Qwen/Qwen2.5-VL-7B-Instruct" }). */
  backends: Record<string, string>;
  started: string;
  /** The dataset or a backend is simulated: numbers from this run never describe a real model. */
  simulated: boolean;
  /** sha256 of the canonical identity, to spot mismatches at a glance. */
  fingerprint: string;
}

export const manifestSchema = z.object({
  command: z.string(),
  method: z.string(),
  dataset: z.string(),
  settings: z.record(z.string(), z.unknown()),
  backends: z.record(z.string(), z.string()),
  started: z.string(),
  simulated: z.boolean(),
  fingerprint: z.string(),
});

/** Every results line carries the sample id and whether it finished or failed (with its error code). */
export const resultLineBaseSchema = z.looseObject({
  id: z.string().min(1),
  status: z.enum(['ok', 'failed']),
  error: z.object({ code: z.string(), message: z.string(), transport: z.boolean().optional() }).optional(),
});
export type ResultLineBase = z.infer<typeof resultLineBaseSchema>;

export function identityFingerprint(identity: RunIdentity): string {
  const { command, method, dataset, settings } = identity;
  return createHash('sha256').update(canonicalJson({ command, method, dataset, settings })).digest('hex').slice(0, 16);
}

export interface ReadResults<Line> {
  lines: Line[];
  warnings: Warning[];
  /** Byte length of the complete lines (a torn tail starts here). */
  validBytes: number;
  torn: boolean;
}

/**
 * Parse results.jsonl. A last line without its newline, or one that is not valid JSON, is a torn write and
 * ignored (warning). A bad line before the last one means the file was edited or damaged: that is an error.
 */
export async function readResultLines<Line>(directory: string, schema: z.ZodType<Line>): Promise<ReadResults<Line>> {
  const file = path.join(directory, RESULTS_FILE);
  const text = await readTextIfExists(file, 'Check that the run folder is readable.');
  if (text === undefined) return { lines: [], warnings: [], validBytes: 0, torn: false };
  const pieces = text.split('\n');
  const tail = pieces.pop() ?? '';
  const lines: Line[] = [];
  const warnings: Warning[] = [];
  let validBytes = 0;
  let torn = tail.length > 0;
  for (let index = 0; index < pieces.length; index += 1) {
    const piece = pieces[index] ?? '';
    const isLast = index === pieces.length - 1 && tail.length === 0;
    const parsed = parseLine(piece, schema);
    if (parsed === undefined) {
      if (isLast) {
        torn = true;
        break;
      }
      throw mmevolveError(
        'invalid-dataset',
        `${file} line ${index + 1} is not a valid result line`,
        'The results file was edited or damaged; fix or delete that line (only a torn last line is repaired automatically).',
      );
    }
    lines.push(parsed);
    validBytes += Buffer.byteLength(piece, 'utf8') + 1;
  }
  if (torn) warnings.push({ code: 'torn-line', message: `${file}: ignored an incomplete last line (interrupted write)` });
  return { lines, warnings, validBytes, torn };
}

function parseLine<Line>(piece: string, schema: z.ZodType<Line>): Line | undefined {
  if (piece.trim().length === 0) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(piece) as unknown;
  } catch {
    return undefined;
  }
  const parsed = schema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

export async function readManifest(directory: string): Promise<RunManifest | undefined> {
  const file = path.join(directory, RUN_FILE);
  const text = await readTextIfExists(file, 'Check that the run folder is readable.');
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch (error) {
    throw mmevolveError('invalid-dataset', `${file} is not valid JSON`, 'Restore run.json or start a new run folder.', error);
  }
  const parsed = manifestSchema.safeParse(value);
  if (!parsed.success) throw mmevolveError('invalid-dataset', `${file} is not an mmevolve run manifest`, 'Point at a folder written by mmevolve eval / eval-vqa.', parsed.error);
  return parsed.data;
}

/** A run folder that must already exist (report, compare, export-pairs). */
export async function requireManifest(directory: string): Promise<RunManifest> {
  const manifest = await readManifest(directory);
  if (manifest === undefined) {
    throw mmevolveError('not-found', `${directory} is not a run folder (no ${RUN_FILE})`, 'Pass a folder written by mmevolve eval or eval-vqa (--out).');
  }
  return manifest;
}

export interface OpenRunOptions<Line> {
  directory: string;
  identity: RunIdentity;
  backends: Record<string, string>;
  simulated: boolean;
  schema: z.ZodType<Line>;
  /** Clock for `started` (tests). */
  now?: () => Date;
}

/**
 * Where a run's manifest and per-sample lines live: a run folder (this file, the default) or Postgres
 * (pg-run-store.ts, for distributed evaluation). The runner and the workers only see this interface.
 */
export interface RunStore<Line extends ResultLineBase> {
  /** The run folder, or `postgres run <id>`: for messages. */
  location: string;
  manifest: RunManifest;
  /** Lines already recorded when the run was opened, by sample id (last line wins). */
  finished: Map<string, Line>;
  warnings: Warning[];
  resumed: boolean;
  /**
   * Keep the trace of a sample (JSON text) at `relativePath` (traces/<name>.json), before its line is
   * appended: a recorded line's trace always exists.
   */
  writeTrace(sampleId: string, relativePath: string, text: string): Promise<void>;
  /**
   * Record one sample's line. The folder store appends and fsyncs (serialised, never interleaved); the
   * Postgres store writes each sample at most once (a finished sample is never overwritten or duplicated).
   */
  append(line: Line): Promise<void>;
  close(): Promise<void>;
}

/** Create a run folder, or resume it when run.json describes the same run (else refuse). */
export async function openRun<Line extends ResultLineBase>(options: OpenRunOptions<Line>): Promise<RunStore<Line>> {
  const { directory } = options;
  await mkdir(directory, { recursive: true });
  const releaseLock = await acquireLock(directory);
  try {
    return await openLocked(options, releaseLock);
  } catch (error) {
    await releaseLock();
    throw error;
  }
}

async function openLocked<Line extends ResultLineBase>(options: OpenRunOptions<Line>, releaseLock: () => Promise<void>): Promise<RunStore<Line>> {
  const { directory, identity } = options;
  const fingerprint = identityFingerprint(identity);
  const existing = await readManifest(directory);
  let manifest: RunManifest;
  if (existing !== undefined) {
    if (existing.fingerprint !== fingerprint || identityFingerprint(existing) !== fingerprint) {
      throw mmevolveError('conflict', `${directory} holds a different run (${describeDifference(existing, identity)})`, 'Use a new --out folder, or rerun with the same command, method, dataset and settings to resume.');
    }
    manifest = existing;
  } else {
    manifest = { ...identity, backends: options.backends, started: (options.now ?? (() => new Date()))().toISOString(), simulated: options.simulated, fingerprint };
    await writeFile(path.join(directory, RUN_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  }
  const read = await readResultLines(directory, options.schema);
  const resultsFile = path.join(directory, RESULTS_FILE);
  if (read.torn) await truncate(resultsFile, read.validBytes);
  const finished = new Map<string, Line>();
  for (const line of read.lines) finished.set(line.id, line);
  const handle: FileHandle = await open(resultsFile, 'a');
  let queue: Promise<void> = Promise.resolve();
  return {
    location: directory,
    manifest,
    finished,
    warnings: read.warnings,
    resumed: existing !== undefined,
    async writeTrace(_sampleId, relativePath, text) {
      await mkdir(path.dirname(path.join(directory, relativePath)), { recursive: true });
      await writeFile(path.join(directory, relativePath), text);
    },
    append(line) {
      const write = queue.then(async () => {
        await handle.write(`${JSON.stringify(line)}\n`);
        await handle.sync();
      });
      // A failed write must surface to its caller but not block later appends.
      queue = write.catch(() => undefined);
      return write;
    },
    async close() {
      await queue;
      await handle.close();
      await releaseLock();
    },
  };
}

export function describeDifference(existing: RunIdentity, wanted: RunIdentity): string {
  const differences: string[] = [];
  if (existing.command !== wanted.command) differences.push(`command ${existing.command} vs ${wanted.command}`);
  if (existing.method !== wanted.method) differences.push(`method ${existing.method} vs ${wanted.method}`);
  if (existing.dataset !== wanted.dataset) differences.push(`dataset ${existing.dataset} vs ${wanted.dataset}`);
  const keys = new Set([...Object.keys(existing.settings), ...Object.keys(wanted.settings)]);
  for (const key of [...keys].sort()) {
    if (canonicalJson(existing.settings[key]) !== canonicalJson(wanted.settings[key])) differences.push(`setting ${key} differs`);
  }
  return differences.length > 0 ? differences.join('; ') : 'fingerprint mismatch';
}
