/** Optional files of a run or dataset folder (run.json, results.jsonl, hidden-tags.jsonl). */
import { readFile } from 'node:fs/promises';
import { mmevolveError } from '../core/index.js';

/** The file's text, or undefined when it does not exist; any other read failure is a 'not-found' error with `hint`. */
export async function readTextIfExists(file: string, hint: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw mmevolveError('not-found', `cannot read ${file}`, hint, error);
  }
}
