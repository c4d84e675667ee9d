/**
 * The server's record of one evaluation run, kept beside the run folder's own files (run.json,
 * results.jsonl, traces/, report.*) as server-run.json and rewritten atomically on every change, so a
 * restarted server knows which runs to resume.
 */
import { randomBytes } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runRecordSchema } from '../api-schemas.js';
import type { RUN_STATES, RunRecordResponse } from '../api-schemas.js';

export const RUN_RECORD_FILE = 'server-run.json';
export type RunState = (typeof RUN_STATES)[number];
const RUN_ID_PATTERN = /^run_[0-9a-f]{16}$/u;

// The record's schema is the one the API answers with and the web UI parses (api-schemas.ts).
export type RunRecord = RunRecordResponse;
export type RunKind = RunRecord['kind'];

export function newRunId(): string {
  return `run_${randomBytes(8).toString('hex')}`;
}

/** Ids come from clients: anything but the exact form is simply unknown (no path is ever built from it). */
export function isRunId(value: string): boolean {
  return RUN_ID_PATTERN.test(value);
}

export function isTerminal(state: RunState): boolean {
  return state === 'done' || state === 'failed' || state === 'cancelled';
}

export async function readRunRecord(directory: string): Promise<RunRecord | undefined> {
  let text: string;
  try {
    text = await readFile(path.join(directory, RUN_RECORD_FILE), 'utf8');
  } catch {
    return undefined;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = runRecordSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

/** Write to a temporary file and rename: a crash leaves the old record or the new one, never half. */
export async function writeRunRecord(directory: string, record: RunRecord): Promise<void> {
  const target = path.join(directory, RUN_RECORD_FILE);
  const temporary = `${target}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(record, null, 2)}\n`);
  await rename(temporary, target);
}
