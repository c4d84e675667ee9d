import path from 'node:path';
import { Command } from 'commander';
import { describe, expect, it, vi } from 'vitest';
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
