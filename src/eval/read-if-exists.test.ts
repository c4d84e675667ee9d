import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTextIfExists } from './read-if-exists.js';

let directory: string;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'mmevolve-read-if-exists-'));
});

afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('readTextIfExists', () => {
  it('returns the text of an existing file and undefined for a missing one', async () => {
    await writeFile(join(directory, 'present.txt'), 'hello\n');
    expect(await readTextIfExists(join(directory, 'present.txt'), 'hint')).toBe('hello\n');
    expect(await readTextIfExists(join(directory, 'absent.txt'), 'hint')).toBeUndefined();
  });

  it('reports any other read failure as not-found with the given hint', async () => {
    // Reading a directory as a file fails with EISDIR, not ENOENT.
    await expect(readTextIfExists(directory, 'Check the folder.')).rejects.toMatchObject({ code: 'not-found', hint: 'Check the folder.' });
  });
});
