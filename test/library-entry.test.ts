import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runLibraryExample } from '../examples/library.js';
import * as entry from '../src/index.js';
import { buildReasonSegSample } from '../src/sim/index.js';
import { maskIou } from '../src/vision/index.js';

const ROOT = resolve(import.meta.dirname, '..');

describe('the library entry', () => {
  it('is what package.json exports as "mmevolve" (built from src/index.ts), and offers the two methods with their backends', () => {
    const manifest = JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8')) as { exports?: Record<string, { default?: string }> };
    expect(manifest.exports?.['.']?.default, 'package.json "exports"["."], the build of src/index.ts').toBe('./lib/index.js');
    for (const name of ['evolveSegment', 'runSegmentation', 'solveWithMemory', 'openMemoryStore', 'openWorkspace', 'loadAppConfig', 'parseAppConfig', 'readImage']) {
      expect(typeof (entry as Record<string, unknown>)[name], `export ${name}`).toBe('function');
    }
  });

  it('runs the README library example end to end on the simulated servers, saying SIMULATED', async () => {
    const lines: string[] = [];
    const result = await runLibraryExample({ say: (line) => lines.push(line) });
    expect(result.simulated).toBe(true);
    expect(lines[0], 'the first line says the backends are simulated').toContain('SIMULATED');
    const sample = buildReasonSegSample(7, 0);
    const target = sample.query.targetIndex === null ? undefined : sample.rendered.instanceMasks[sample.query.targetIndex];
    if (target === undefined) throw new Error('sample 0 of seed 7 should have a target');
    expect(maskIou(result.segmentation.mask, target), 'oracle-preset evolution finds the queried object').toBeGreaterThan(0.9);
    expect(result.solved.verdict?.correct, `oracle-preset answer ${result.solved.answer} verified against the gold answer`).toBe(true);
  }, 60_000);
});
