import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { Command } from 'commander';
import { describe, expect, it, vi } from 'vitest';
import { createMask } from '../../core/index.js';
import { encodeRle } from '../../vision/index.js';
import { registerScoreCommand, runScoreCommand } from './score.js';

const examples = new URL('../../../examples/', import.meta.url).pathname;
const options = {
  dataset: path.join(examples, 'reasonseg-mini'),
  predictions: path.join(examples, 'reasonseg-mini-predictions.json'),
};

describe('mmevolve score', () => {
  it('prints exactly the documented JSON keys with fractions and the missing names', async () => {
    const { stdout } = await runScoreCommand({ ...options, json: true });
    const report = JSON.parse(stdout) as Record<string, unknown>;
    expect(Object.keys(report)).toEqual(['giou', 'ciou', 'n', 'missing', 'subsets']);
    expect(report.n).toBe(4);
    expect(report.missing).toEqual(['no-giraffe']);
    const subsets = report.subsets as Record<string, Record<string, unknown>>;
    expect(Object.keys(subsets)).toEqual(['short', 'long']);
    expect(Object.keys(subsets.short ?? {})).toEqual(['giou', 'ciou', 'n']);
    for (const value of [report.giou, report.ciou, subsets.short?.giou, subsets.long?.ciou]) {
      expect(typeof value).toBe('number');
      expect(value as number).toBeGreaterThanOrEqual(0);
      expect(value as number).toBeLessThanOrEqual(1);
    }
  });

  it('prints a table of overall, short and long with percentages to 2 decimals', async () => {
    const { stdout } = await runScoreCommand(options);
    const json = JSON.parse((await runScoreCommand({ ...options, json: true })).stdout) as { giou: number; ciou: number };
    const overall = stdout.split('\n').find((line) => line.startsWith('overall'));
    expect(overall).toBeDefined();
    expect(overall).toContain(`${(json.giou * 100).toFixed(2)}%`);
    expect(overall).toContain(`${(json.ciou * 100).toFixed(2)}%`);
    expect(stdout).toMatch(/^short\s+2\s/m);
    expect(stdout).toMatch(/^long\s+2\s/m);
    expect(stdout).toContain('missing predictions (1, scored as empty masks): no-giraffe');
  });

  it('labels scores on a SynthWorld folder as simulated in the table and the JSON', async () => {
    const dataset = await mkdtemp(path.join(tmpdir(), 'mmevolve-score-sim-'));
    try {
      await sharp({ create: { width: 6, height: 4, channels: 3, background: { r: 0, g: 0, b: 0 } } }).jpeg().toFile(path.join(dataset, 'scene.jpg'));
      await writeFile(path.join(dataset, 'scene.json'), JSON.stringify({ text: ['a'], is_sentence: false, shapes: [] }));
      await writeFile(path.join(dataset, 'sim-manifest.json'), JSON.stringify({ simulated: true }));
      const predictions = path.join(dataset, 'predictions.json');
      await writeFile(predictions, JSON.stringify({ scene: encodeRle(createMask(6, 4)) }));
      const table = await runScoreCommand({ dataset, predictions });
      expect(table.stdout).toContain('SIMULATED data');
      const json = JSON.parse((await runScoreCommand({ dataset, predictions, json: true })).stdout) as Record<string, unknown>;
      expect(json).toMatchObject({ simulated: true, n: 1, missing: [] });
      expect(JSON.parse((await runScoreCommand({ ...options, json: true })).stdout)).not.toHaveProperty('simulated');
    } finally {
      await rm(dataset, { recursive: true, force: true });
    }
  });

  it('runs through commander and writes the report to stdout', async () => {
    const program = new Command('mmevolve').exitOverride();
    registerScoreCommand(program);
    const chunks: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      chunks.push(String(chunk));
      return true;
    });
    try {
      await program.parseAsync(['node', 'mmevolve', 'score', '--dataset', options.dataset, '--predictions', options.predictions, '--json']);
    } finally {
      write.mockRestore();
    }
    expect(JSON.parse(chunks.join(''))).toMatchObject({ n: 4, missing: ['no-giraffe'] });
  });
});
