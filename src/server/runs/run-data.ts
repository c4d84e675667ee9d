/**
 * What the /v1/runs routes read of a run (its result lines, report, traces, report files), from where the
 * run lives: its folder on this server, or Postgres when serve replicas share runs (shared-runs.ts).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Warning } from '../../core/index.js';
import { buildRunReport, readResultLines, segmentationLineSchema, TRACE_FOLDER, vqaLineSchema } from '../../eval/index.js';
import type { RunReport } from '../../eval/index.js';
import type { RunRecord } from './run-record.js';
import type { SharedRuns } from './shared-runs.js';

export interface RunData {
  results(record: RunRecord): Promise<{ results: unknown[]; warnings: Warning[] }>;
  /** Rejects with not-found while the run has no results. */
  report(record: RunRecord): Promise<{ report: RunReport; files: Map<string, string> }>;
  /** The trace JSON text of one sample, if recorded. */
  trace(record: RunRecord, sample: string): Promise<string | undefined>;
  /** A report file (report.md, report.json, a plot), if the run has one. */
  file(record: RunRecord, name: string): Promise<string | undefined>;
}

async function readOptional(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

export function folderRunData(directoryOf: (record: RunRecord) => string): RunData {
  return {
    async results(record) {
      const directory = directoryOf(record);
      const read = record.kind === 'vqa' ? await readResultLines(directory, vqaLineSchema) : await readResultLines(directory, segmentationLineSchema);
      return { results: read.lines, warnings: read.warnings };
    },
    report: (record) => buildRunReport(directoryOf(record)),
    trace: (record, sample) => readOptional(path.join(directoryOf(record), TRACE_FOLDER, `${sample}.json`)),
    file: (record, name) => readOptional(path.join(directoryOf(record), name)),
  };
}

export function sharedRunData(shared: SharedRuns): RunData {
  return {
    results: async (record) => ({ results: await shared.results(record), warnings: [] }),
    report: (record) => shared.report(record),
    trace: (record, sample) => shared.trace(record, sample),
    // Built from the database on each request: any replica serves the same files.
    async file(record, name) {
      if (record.state !== 'done' && record.state !== 'cancelled') return undefined;
      const built = await shared.report(record).catch(() => undefined);
      return built?.files.get(name);
    },
  };
}
