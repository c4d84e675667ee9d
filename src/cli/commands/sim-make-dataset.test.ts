import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { registerSimCommand } from './sim.js';

let root = '';
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'sim-cli-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function run(args: string[]): Promise<{ stdout: string; stderr: string }> {
  const program = new Command('mmevolve').exitOverride();
  registerSimCommand(program);
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
  const error = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
  try {
    await program.parseAsync(['node', 'mmevolve', ...args]);
  } finally {
    out.mockRestore();
    error.mockRestore();
  }
  return { stdout, stderr };
}

describe('mmevolve sim make-dataset', () => {
  it('writes a ReasonSeg folder, reports progress on stderr and calls the data simulated', async () => {
    const out = join(root, 'reasonseg');
    const { stdout, stderr } = await run(['sim', 'make-dataset', '--task', 'reasonseg', '--n', '3', '--seed', '7', '--out', out]);
    expect((await readdir(out)).sort()).toEqual([
      'sim-manifest.json',
      'sim-queries.jsonl',
      'synth-000000.jpg',
      'synth-000000.json',
      'synth-000001.jpg',
      'synth-000001.json',
      'synth-000002.jpg',
      'synth-000002.json',
    ]);
    expect(stdout).toContain('simulated SynthWorld reasonseg');
    expect(stderr).toContain('3/3');
    expect(JSON.parse((await readFile(join(out, 'sim-manifest.json'))).toString())).toMatchObject({ simulated: true, seed: 7, n: 3 });
  }, 60_000);

  it('writes the MATH-V layout for --task vqa', async () => {
    const out = join(root, 'vqa');
    await run(['sim', 'make-dataset', '--task', 'vqa', '--n', '2', '--out', out]);
    expect((await readdir(out)).sort()).toEqual(['hidden-tags.jsonl', 'images', 'problems.jsonl', 'sim-manifest.json']);
  }, 60_000);

  it('rejects a malformed --n with an invalid-input error', async () => {
    await expect(run(['sim', 'make-dataset', '--task', 'vqa', '--n', 'many', '--out', join(root, 'x')])).rejects.toMatchObject({
      code: 'invalid-input',
    });
  });
});
