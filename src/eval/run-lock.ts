/** The lock file of a run folder (RUN/run.lock): one process per run at a time. */
import { open, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { mmevolveError } from '../core/index.js';

export const LOCK_FILE = 'run.lock';

/**
 * One process per run folder: two processes appending to the same results.jsonl would run samples twice.
 * The lock names its pid; a lock left by a process that no longer exists (killed) is taken over.
 */
export async function acquireLock(directory: string): Promise<() => Promise<void>> {
  const file = path.join(directory, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      const handle = await open(file, 'wx');
      await handle.write(`${process.pid}\n`);
      await handle.close();
      return () => rm(file, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw mmevolveError('invalid-input', `cannot create ${file}`, 'Check that the run folder is writable.', error);
      const owner = Number.parseInt(await readFile(file, 'utf8').catch(() => ''), 10);
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && processExists(owner)) {
        throw mmevolveError('conflict', `${directory} is being run by another mmevolve process (pid ${owner})`, `Wait for it to finish, or stop it; delete ${file} only if no such process is running.`);
      }
      if (owner === process.pid) {
        throw mmevolveError('conflict', `${directory} is already open in this process`, 'Close the other run of this folder first.');
      }
      await rm(file, { force: true });
    }
  }
  throw mmevolveError('conflict', `cannot lock ${file}`, 'Another process keeps recreating it; stop it and retry.');
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
