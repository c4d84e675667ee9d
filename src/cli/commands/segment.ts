/**
 * `mmevolve segment --image X --query "..." [--method evol|single|box|agent] [--preset published|improved]
 * [--dataset-kind reasonseg|refcoco] [--config FILE] --out DIR [--explain]`: segment one image with the configured backends and write
 * mask.png, overlay.png, mask.rle.json and trace.json. Progress (stage, generation) goes to stderr;
 * `--explain` prints the evolution as a tree. The config file's optional `evolve` section overrides the
 * preset's settings (see src/evolve/config.ts).
 */
import { setMaxListeners } from 'node:events';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Option } from 'commander';
import type { Command } from 'commander';
import { createBackends, loadConfig } from '../../backends/index.js';
import { mmevolveError } from '../../core/index.js';
import { DATASET_KINDS, EVOLVE_PRESET_NAMES, SEGMENTATION_METHODS, formatTraceTree, methodNeedsMllm, progressText, resolveEvolveConfig, runSegmentation } from '../../evolve/index.js';
import type { DatasetKind, EvolvePresetName, SegmentationEvent, SegmentationMethod, SegmentationResult } from '../../evolve/index.js';
import { encodeMaskPng, maskArea, readImage, renderOverlay, writeImage } from '../../vision/index.js';

export interface SegmentCommandOptions {
  image: string;
  query: string;
  method: SegmentationMethod;
  preset: EvolvePresetName;
  config?: string;
  out: string;
  explain?: boolean;
  sentence?: boolean;
  datasetKind?: DatasetKind;
}

export interface SegmentCommandIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Whether stderr is a terminal (progress rewrites one line) or a log (one line per event). */
  interactive: boolean;
  signal?: AbortSignal;
}

function evolveSection(config: Record<string, unknown>): { preset?: EvolvePresetName; overrides: Record<string, unknown> } {
  const section = config['evolve'];
  if (section === undefined) return { overrides: {} };
  if (typeof section !== 'object' || section === null || Array.isArray(section)) {
    throw mmevolveError('config-invalid', 'evolve: must be an object of evolve settings', 'See src/evolve/config.ts for the fields, e.g. {"evolve": {"populationSize": 4}}.');
  }
  const { preset, ...overrides } = section as Record<string, unknown>;
  if (preset === undefined) return { overrides };
  if (typeof preset !== 'string' || !(EVOLVE_PRESET_NAMES as readonly string[]).includes(preset)) {
    throw mmevolveError('config-invalid', `evolve.preset: expected ${EVOLVE_PRESET_NAMES.join(' or ')}`, 'Use "published" or "improved".');
  }
  return { preset: preset as EvolvePresetName, overrides };
}

function progressWriter(io: SegmentCommandIo): { onEvent: (event: SegmentationEvent) => void; done: () => void } {
  let width = 0;
  return {
    onEvent: (event) => {
      const text = progressText(event);
      if (text === undefined) return;
      if (!io.interactive) {
        io.stderr(`${text}\n`);
        return;
      }
      const line = text.length > 100 ? `${text.slice(0, 99)}…` : text;
      io.stderr(`\r${line.padEnd(width)}`);
      width = line.length;
    },
    done: () => {
      if (io.interactive && width > 0) io.stderr('\n');
    },
  };
}

export async function writeSegmentationOutputs(directory: string, image: Parameters<typeof renderOverlay>[0], result: SegmentationResult, extra: Record<string, unknown>): Promise<void> {
  await mkdir(directory, { recursive: true });
  await writeFile(join(directory, 'mask.png'), await encodeMaskPng(result.mask));
  await writeImage(join(directory, 'overlay.png'), renderOverlay(image, result.mask));
  await writeFile(join(directory, 'mask.rle.json'), `${JSON.stringify({ size: result.rle.size, counts: result.rle.counts })}\n`);
  const trace = { ...extra, method: result.method, area: maskArea(result.mask), box: result.box, phrase: result.phrase, counters: result.counters, warnings: result.warnings, trace: result.trace, calls: result.calls };
  await writeFile(join(directory, 'trace.json'), `${JSON.stringify(trace, null, 1)}\n`);
}

export async function runSegmentCommand(options: SegmentCommandOptions, io: SegmentCommandIo): Promise<SegmentationResult> {
  const { config, path } = await loadConfig(options.config);
  const section = evolveSection(config as Record<string, unknown>);
  const preset = options.preset;
  const evolveConfig = resolveEvolveConfig(preset, section.overrides, `${path}: evolve`);
  const backends = createBackends(config, { directory: resolve(path, '..') });
  try {
    const { mllm, judge, segmenter } = backends;
    if (segmenter === undefined || (mllm === undefined && methodNeedsMllm(options.method))) {
      throw mmevolveError('config-invalid', `${path} needs backends.mllm and backends.segmenter for segmentation`, 'Add both (README "## Configuration"); `mmevolve sim serve-mllm` / `serve-segmenter` start SIMULATED ones. --method concept-only needs only the segmenter.');
    }
    const image = await readImage(options.image);
    const progress = progressWriter(io);
    let result: SegmentationResult;
    try {
      result = await runSegmentation(options.method, image, options.query, {
        backends: { ...(mllm === undefined ? {} : { mllm }), segmenter, ...(judge === undefined ? {} : { judge }) },
        config: evolveConfig,
        ...(options.sentence === undefined ? {} : { isSentence: options.sentence }),
        ...(options.datasetKind === undefined ? {} : { datasetKind: options.datasetKind }),
        ...(io.signal === undefined ? {} : { signal: io.signal }),
        onEvent: progress.onEvent,
      });
    } finally {
      progress.done();
    }
    // concept-only runs without an MLLM: its model is then recorded as null ("none" in the summary line).
    const models = { mllm: mllm?.model ?? null, judge: (judge ?? mllm)?.model ?? null, segmenter: segmenter.model };
    await writeSegmentationOutputs(options.out, image, result, { query: options.query, image: options.image, preset, models });
    const area = maskArea(result.mask);
    io.stdout(
      [
        `${result.trace.variant}: ${area} px${result.phrase === undefined ? '' : ` from ${JSON.stringify(result.phrase)}`} (models: ${models.mllm ?? 'none'} / ${models.segmenter})`,
        `wrote ${['mask.png', 'overlay.png', 'mask.rle.json', 'trace.json'].map((name) => join(options.out, name)).join(', ')}`,
        '',
      ].join('\n'),
    );
    if (options.explain === true) io.stdout(formatTraceTree(result));
    for (const warning of result.warnings) io.stderr(`warning [${warning.code}]: ${warning.message}\n`);
    return result;
  } finally {
    backends.close();
  }
}

export function registerSegmentCommand(program: Command): void {
  program
    .command('segment')
    .description('Segment the target of a (reasoning) query in one image: evolutionary prompting (evol) or a baseline')
    .requiredOption('--image <file>', 'image file (JPEG, PNG or WebP)')
    .requiredOption('--query <text>', 'what to segment, e.g. "the thing you would use to keep the rain off"')
    .addOption(new Option('--method <method>', 'segmentation method').choices([...SEGMENTATION_METHODS]).default('evol'))
    .addOption(new Option('--preset <preset>', 'evol settings: published (the authors\' code) or improved (our fixes on)').choices([...EVOLVE_PRESET_NAMES]).default('improved'))
    .option('--config <file>', 'config file with backends and an optional "evolve" section (default: mmevolve.config.* in the current directory)')
    .requiredOption('--out <dir>', 'output directory for mask.png, overlay.png, mask.rle.json, trace.json')
    .option('--explain', 'print the evolution (phrases, gate, fights, fitness, arbitration, cost) as a tree')
    .option('--sentence', 'treat the query as a reasoning sentence (default: guessed from its length)')
    .option('--no-sentence', 'treat the query as a short referring phrase')
    .addOption(new Option('--dataset-kind <kind>', 'reasonseg (reasoning query) or refcoco (referring expression): an inconsistent final verdict falls back to text or box').choices([...DATASET_KINDS]))
    .action(async (options: SegmentCommandOptions) => {
      const controller = new AbortController();
      // Every concurrent backend call listens on the one Ctrl-C signal.
      setMaxListeners(1000, controller.signal);
      const abort = (): void => controller.abort(mmevolveError('cancelled', 'segmentation cancelled (Ctrl-C)', 'Run the command again.'));
      process.once('SIGINT', abort);
      try {
        await runSegmentCommand(options, {
          stdout: (text) => process.stdout.write(text),
          stderr: (text) => process.stderr.write(text),
          interactive: process.stderr.isTTY === true,
          signal: controller.signal,
        });
      } finally {
        process.off('SIGINT', abort);
      }
    });
}
