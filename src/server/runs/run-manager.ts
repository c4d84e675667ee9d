/**
 * Evaluation runs started over HTTP. Each run is a resumable run folder (src/eval) plus server-run.json;
 * runs execute in the background, one at a time by default, independent of any request, so a client that
 * disconnects loses nothing. On start-up, runs recorded as queued or running (the server stopped under
 * them) are resumed: results.jsonl already holds their finished samples.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Backends } from '../../backends/index.js';
import type { Embedder } from '../../core/index.js';
import { isMmevolveError, mmevolveError } from '../../core/index.js';
import { writeRunReport } from '../../eval/index.js';
import type { ProgressReporter } from '../../eval/index.js';
import type { MemoryMethodConfig } from '../../memory/index.js';
import type { ErrorLogger } from '../api-errors.js';
import { FairQueue } from './fair-queue.js';
import { checkJob, executeJob } from './jobs.js';
import { isRunId, isTerminal, newRunId, readRunRecord, writeRunRecord } from './run-record.js';
import type { RunKind, RunRecord } from './run-record.js';
import type { SharedRunEvent, SharedRuns } from './shared-runs.js';
import { folderRunData, sharedRunData } from './run-data.js';
import type { RunData } from './run-data.js';

export interface StartRunRequest {
  kind: RunKind;
  /** A ReasonSeg folder (segmentation) or a MATH-V-style .jsonl file (vqa), inside the datasets folder. */
  dataset: string;
  /** evol | single | box | agent (segmentation); baseline | step | memory (vqa). */
  method: string;
  /** Evolve preset (segmentation). */
  preset: string;
  /** Evolve config overrides (segmentation) or memory method overrides (vqa). */
  config: Record<string, unknown>;
  ablate?: 'visual' | 'logic';
  limit?: number;
  concurrency: number;
}

export type RunEvent = { type: 'state'; run: RunRecord } | { type: 'progress'; runId: string; done: number; total: number; metric: string };

export interface RunManagerOptions {
  runsDir: string;
  /** Datasets are named relative to this folder; nothing outside it can be evaluated. */
  datasetsDir: string;
  backends: Backends | undefined;
  /** Memory method settings VQA runs start from. */
  memoryConfig: MemoryMethodConfig;
  /** Embedder of VQA memory runs (each run keeps its lessons in RUN/memory.sqlite). */
  embedder: Embedder | undefined;
  log: ErrorLogger;
  /** Takes the server's absolute paths out of error messages saved in run records (they are served). */
  redact?: (text: string) => string;
  maxConcurrentRuns?: number;
  /** Postgres shared by serve replicas: records, samples and events there (shared-runs.ts); else the runs folder. */
  shared?: SharedRuns;
}

interface Active {
  controller: AbortController;
  cancelRequested: boolean;
}

/** Back in the queue, without the outcome or error of an earlier attempt. */
function requeued(record: RunRecord): RunRecord {
  const copy: RunRecord = { ...record, state: 'queued' };
  delete copy.error;
  delete copy.outcome;
  return copy;
}

const PROGRESS_SAVE_MS = 300;

function tenantFolder(tenant: string): string {
  return `t-${createHash('sha256').update(tenant).digest('hex').slice(0, 24)}`;
}

export class RunManager {
  readonly #options: RunManagerOptions;
  readonly #queue: FairQueue;
  readonly #active = new Map<string, Active>();
  readonly #listeners = new Map<string, Set<(event: RunEvent) => void>>();
  readonly #records = new Map<string, RunRecord>();
  readonly #tasks = new Set<Promise<void>>();
  #closed = false;
  #unlisten: Promise<(() => Promise<void>) | undefined> | undefined;
  readonly #progressSaves = new Map<string, number>();
  #remoteEvents: Promise<void> = Promise.resolve();

  /** The runs' results, reports and traces, wherever they are kept. */
  readonly data: RunData;

  constructor(options: RunManagerOptions) {
    this.#options = options;
    this.data = options.shared === undefined ? folderRunData((record) => this.directory(record.tenant, record.id)) : sharedRunData(options.shared);
    this.#queue = new FairQueue(options.maxConcurrentRuns ?? 1);
  }

  directory(tenant: string, id: string): string {
    return path.join(this.#options.runsDir, tenantFolder(tenant), id);
  }

  /** Resolve a dataset name inside datasetsDir; `..`, absolute paths and anything escaping it are refused. */
  datasetPath(name: string): string {
    const root = path.resolve(this.#options.datasetsDir);
    const resolved = path.resolve(root, name);
    if (path.isAbsolute(name) || name.split(/[\\/]/u).includes('..') || !(resolved === root || resolved.startsWith(`${root}${path.sep}`))) {
      throw mmevolveError('invalid-input', `dataset "${name.slice(0, 200)}" is not a folder name inside the server's datasets folder`, 'Name a dataset folder relative to the server --datasets-dir (e.g. "synth-reasonseg").');
    }
    return resolved;
  }

  /** A dataset that exists, of the kind the run reads (a folder for segmentation, a .jsonl file for VQA). */
  async #checkDataset(request: StartRunRequest): Promise<void> {
    const found = await stat(this.datasetPath(request.dataset)).catch(() => undefined);
    const wanted = request.kind === 'segmentation' ? 'a ReasonSeg folder' : 'a MATH-V-style .jsonl file';
    if (found === undefined || (request.kind === 'segmentation' ? !found.isDirectory() : !found.isFile())) {
      throw mmevolveError('invalid-input', `dataset "${request.dataset.slice(0, 200)}" is not ${wanted} in the server's datasets folder`, 'Name an existing dataset relative to the server --datasets-dir (e.g. "synth-reasonseg").');
    }
  }

  async start(tenant: string, request: StartRunRequest): Promise<RunRecord> {
    checkJob(request, this.#options);
    await this.#checkDataset(request);
    const now = new Date().toISOString();
    const record: RunRecord = {
      id: newRunId(),
      tenant,
      kind: request.kind,
      dataset: request.dataset,
      method: request.method,
      preset: request.preset,
      config: request.config,
      concurrency: request.concurrency,
      state: 'queued',
      createdAt: now,
      updatedAt: now,
      progress: { done: 0, total: 0, metric: '' },
      attempts: 0,
      ...(request.limit === undefined ? {} : { limit: request.limit }),
      ...(request.ablate === undefined ? {} : { ablate: request.ablate }),
    };
    await mkdir(this.directory(tenant, record.id), { recursive: true });
    await this.#save(record);
    this.#enqueue(record);
    return record;
  }

  async get(tenant: string, id: string): Promise<RunRecord | undefined> {
    if (!isRunId(id)) return undefined;
    const cached = this.#records.get(id);
    // Shared runs change on other replicas: the database is the truth unless this replica executes the run.
    if (cached !== undefined && (this.#options.shared === undefined || this.#active.has(id))) return cached.tenant === tenant ? cached : undefined;
    if (this.#options.shared !== undefined) return this.#options.shared.get(tenant, id);
    const record = await readRunRecord(this.directory(tenant, id));
    return record?.tenant === tenant ? record : undefined;
  }

  async list(tenant: string): Promise<RunRecord[]> {
    if (this.#options.shared !== undefined) return (await this.#options.shared.list(tenant)).map((record) => (this.#active.has(record.id) ? (this.#records.get(record.id) ?? record) : record));
    const folder = path.join(this.#options.runsDir, tenantFolder(tenant));
    const names = await readdir(folder).catch(() => [] as string[]);
    const records = await Promise.all(names.filter(isRunId).map((id) => this.get(tenant, id)));
    return records.filter((record): record is RunRecord => record !== undefined).sort((left, right) => right.createdAt.localeCompare(left.createdAt));
  }

  async cancel(tenant: string, id: string): Promise<RunRecord | undefined> {
    const record = await this.get(tenant, id);
    if (record === undefined || isTerminal(record.state)) return record;
    const active = this.#active.get(id);
    if (active !== undefined) {
      active.cancelRequested = true;
      active.controller.abort();
      return record;
    }
    // Executing on another replica: ask it (NOTIFY); it records the cancellation.
    if (this.#options.shared !== undefined && record.state === 'running') {
      await this.#options.shared.requestCancel(record);
      return record;
    }
    return this.#save({ ...record, state: 'cancelled' });
  }

  /** Re-queue a cancelled or failed run; finished samples are kept (results.jsonl). */
  async resume(tenant: string, id: string): Promise<RunRecord | undefined> {
    const record = await this.get(tenant, id);
    if (record === undefined || !isTerminal(record.state) || record.state === 'done') return record;
    const queued = await this.#save(requeued(record));
    this.#enqueue(queued);
    return queued;
  }

  subscribe(id: string, listener: (event: RunEvent) => void): () => void {
    void this.listen();
    const listeners = this.#listeners.get(id) ?? new Set();
    listeners.add(listener);
    this.#listeners.set(id, listeners);
    return () => listeners.delete(listener);
  }

  /**
   * Shared runs: follow the other replicas' run events (state, progress, cancel requests). Idempotent;
   * recover() and the first subscribe() start it.
   */
  listen(): Promise<unknown> {
    const shared = this.#options.shared;
    if (shared === undefined || this.#closed) return Promise.resolve();
    this.#unlisten ??= shared
      .listen(
        (event) => {
          // In arrival order: a run's progress must not overtake its final state.
          this.#remoteEvents = this.#remoteEvents.then(() => this.#remoteEvent(event)).catch((error: unknown) => this.#options.log(`run ${event.id}: a shared run event failed`, error));
        },
        (error) => this.#options.log('the shared runs listener failed', error),
      )
      .catch((error: unknown) => {
        this.#options.log('cannot listen for shared run events', error);
        this.#unlisten = undefined;
        return undefined;
      });
    return this.#unlisten;
  }

  async #remoteEvent(event: SharedRunEvent): Promise<void> {
    const active = this.#active.get(event.id);
    if (event.kind === 'cancel') {
      if (active !== undefined) {
        active.cancelRequested = true;
        active.controller.abort();
      }
      return;
    }
    if (!this.#listeners.has(event.id)) return;
    const record = await this.#options.shared?.get(event.tenant, event.id);
    if (record === undefined) return;
    // A final state carries the last progress, which a throttled progress write may not have sent.
    if (event.kind === 'progress' || isTerminal(record.state)) this.#emit({ type: 'progress', runId: record.id, ...record.progress }, record.id);
    if (event.kind === 'state') this.#emit({ type: 'state', run: record }, record.id);
  }

  /** Resume every run the previous server process left queued or running. Returns their ids. */
  async recover(): Promise<string[]> {
    const shared = this.#options.shared;
    if (shared !== undefined) {
      await this.listen();
      const resumed: string[] = [];
      for (const record of await shared.unfinished()) {
        // Held by a live replica: it is running there, not interrupted.
        const lease = await shared.lease(record.id);
        if (lease === undefined) continue;
        await lease();
        this.#enqueue(await this.#save(requeued(record)));
        resumed.push(record.id);
      }
      return resumed;
    }
    const root = this.#options.runsDir;
    const tenants = await readdir(root).catch(() => [] as string[]);
    const resumed: string[] = [];
    for (const folder of tenants.filter((name) => name.startsWith('t-'))) {
      for (const id of (await readdir(path.join(root, folder)).catch(() => [] as string[])).filter(isRunId)) {
        const record = await readRunRecord(path.join(root, folder, id));
        if (record === undefined || isTerminal(record.state) || tenantFolder(record.tenant) !== folder) continue;
        this.#enqueue(await this.#save(requeued(record)));
        resumed.push(id);
      }
    }
    return resumed;
  }

  /** Stop running work without marking it cancelled: a later recover() resumes it. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const active of this.#active.values()) active.controller.abort();
    this.#queue.clear();
    await Promise.allSettled([...this.#tasks]);
    const unlisten = await this.#unlisten;
    await unlisten?.();
  }

  #emit(event: RunEvent, id: string): void {
    for (const listener of this.#listeners.get(id) ?? []) listener(event);
  }

  async #save(record: RunRecord): Promise<RunRecord> {
    const saved = { ...record, updatedAt: new Date().toISOString() };
    if (this.#options.shared !== undefined) await this.#options.shared.save(saved, 'state');
    else await writeRunRecord(this.directory(saved.tenant, saved.id), saved);
    if (isTerminal(saved.state)) this.#records.delete(saved.id);
    else this.#records.set(saved.id, saved);
    this.#emit({ type: 'state', run: saved }, saved.id);
    return saved;
  }

  #enqueue(record: RunRecord): void {
    const task = this.#queue.add(record.tenant, () => this.#execute(record.id, record.tenant)).catch((error: unknown) => this.#options.log(`run ${record.id} crashed`, error));
    this.#tasks.add(task);
    void task.finally(() => this.#tasks.delete(task));
  }

  async #execute(id: string, tenant: string): Promise<void> {
    const shared = this.#options.shared;
    // Shared runs: only the replica holding the run's lease executes it.
    const release = shared === undefined ? async () => undefined : await shared.lease(id);
    if (release === undefined) return;
    try {
      await this.#executeLeased(id, tenant);
    } finally {
      await release();
    }
  }

  async #executeLeased(id: string, tenant: string): Promise<void> {
    const queued = await this.get(tenant, id);
    if (this.#closed || queued === undefined || queued.state !== 'queued') return;
    const shared = this.#options.shared;
    const active: Active = { controller: new AbortController(), cancelRequested: false };
    this.#active.set(id, active);
    let record = await this.#save({ ...queued, state: 'running', attempts: queued.attempts + 1 });
    const directory = this.directory(tenant, id);
    // A shared run may have been started on another replica: its local folder (VQA lessons) is made here.
    if (shared !== undefined) await mkdir(directory, { recursive: true });
    let latest = record;
    const progress: ProgressReporter = {
      start: (total, done, metric) => {
        latest = { ...latest, progress: { done, total, metric } };
        this.#progress(latest);
      },
      update: (done, metric) => {
        latest = { ...latest, progress: { ...latest.progress, done, metric } };
        this.#progress(latest);
      },
      stop: () => undefined,
    };
    try {
      const result = await executeJob(record, this.datasetPath(record.dataset), directory, {
        backends: this.#options.backends,
        memoryConfig: this.#options.memoryConfig,
        embedder: this.#options.embedder,
        signal: active.controller.signal,
        progress,
        ...(shared === undefined ? {} : { openStore: shared.storeOpener(id) }),
      });
      record = { ...latest, outcome: { ran: result.ran, skipped: result.skipped, failed: result.failed, interrupted: result.interrupted, remaining: result.remaining } };
      if (result.interrupted && !active.cancelRequested) {
        // Server shutdown: leave the record 'running' on disk so the next start resumes it.
        return;
      }
      // Shared runs build their report from the database when it is asked for.
      if (shared === undefined) await writeRunReport(directory);
      await this.#save({ ...record, state: result.interrupted ? 'cancelled' : 'done' });
    } catch (error) {
      if (this.#closed && !active.cancelRequested) return;
      if (active.cancelRequested) {
        await this.#save({ ...latest, state: 'cancelled' });
        return;
      }
      const shown = isMmevolveError(error) ? error : mmevolveError('internal', 'the run failed with an internal error', 'The server log has the details; resume the run with POST /v1/runs/{id}/resume.');
      if (!isMmevolveError(error)) this.#options.log(`run ${id} failed`, error);
      const redact = this.#options.redact ?? ((text: string) => text);
      await this.#save({ ...latest, state: 'failed', error: { code: shown.code, message: redact(shown.message), hint: redact(shown.hint) } });
    } finally {
      this.#active.delete(id);
    }
  }

  #progress(record: RunRecord): void {
    this.#records.set(record.id, record);
    this.#emit({ type: 'progress', runId: record.id, ...record.progress }, record.id);
    const shared = this.#options.shared;
    if (shared === undefined) return;
    // Other replicas hear progress through the database, at most every PROGRESS_SAVE_MS (and the last step).
    const last = this.#progressSaves.get(record.id) ?? 0;
    const now = Date.now();
    if (now - last < PROGRESS_SAVE_MS && record.progress.done < record.progress.total) return;
    this.#progressSaves.set(record.id, now);
    shared.save({ ...record, updatedAt: new Date().toISOString() }, 'progress').catch((error: unknown) => this.#options.log(`run ${record.id}: saving progress failed`, error));
  }
}
