/**
 * `mmevolve solve --image I --question "..." [--options A,B,...] [--answer GOLD] [--tenant T] [--db PATH]
 * [--config FILE | --base-url URL --model ID --embedder-url URL] [--no-cache]`: one visual question through the dual-stream error memory method. Prints the answer,
 * the lessons used and the reasoning; with --answer it verifies the answer and, when it was wrong, writes
 * lessons into the tenant's memory. The config file's optional `memory` section sets the method's knobs
 * (src/memory/method/config.ts).
 */
import { resolve } from 'node:path';
import { Option } from 'commander';
import type { Command } from 'commander';
import { missingEmbedder, noEmbedderError } from '../../app/index.js';
import { formatCallCosts } from '../../backends/index.js';
import { mmevolveError } from '../../core/index.js';
import { DEFAULT_MEMORY_DB_PATH, solveWithMemory } from '../../memory/index.js';
import type { MemoryProblem, SolveMode, SolveResult } from '../../memory/index.js';
import { readImage } from '../../vision/index.js';
import { addWorkspaceOptions, openCommandWorkspace } from './workspace-options.js';
import type { WorkspaceCommandOptions } from './workspace-options.js';

export interface SolveCommandOptions extends WorkspaceCommandOptions {
  image: string;
  question: string;
  options?: string;
  answer?: string;
  tenant: string;
  /** Default: the config's store.path (.mmevolve/memory.sqlite). */
  db?: string | undefined;
  mode: SolveMode;
  ablate?: 'visual' | 'logic';
  learn: boolean;
  /** memory.labelFree for this solve: without --answer, the model checks its own answer. */
  labelFree?: boolean;
  json?: boolean;
}

export interface SolveCommandIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  signal?: AbortSignal;
}

/** "A,B,C" → options; a JSON array (`["1,5", "2"]`) for option texts that contain commas. */
export function parseOptionsArgument(value: string | undefined): string[] {
  if (value === undefined || value.trim() === '') return [];
  const trimmed = value.trim();
  if (trimmed.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch (cause) {
      throw mmevolveError('invalid-input', '--options starts with "[" but is not a JSON array', 'pass --options A,B,C or a JSON array of strings', cause);
    }
    if (!Array.isArray(parsed) || !parsed.every((item) => typeof item === 'string')) {
      throw mmevolveError('invalid-input', '--options JSON must be an array of strings', 'e.g. --options \'["1 and 5", "2, 3 and 5"]\'');
    }
    return parsed;
  }
  return trimmed.split(',').map((option) => option.trim());
}

function formatResult(result: SolveResult, models: { mllm: string; embedder: string | undefined }): string {
  const lines = [`answer: ${result.finalAnswer ?? result.answer}   (MATH-V extraction: ${result.answer === '' ? '(none)' : result.answer})`];
  if (result.verdict !== undefined) {
    const { verdict } = result;
    lines.push(`verdict: ${verdict.correct ? 'correct' : 'wrong'} (rule ${verdict.rule}${verdict.mathvCorrect === verdict.correct ? '' : `; MATH-V's own rules say ${verdict.mathvCorrect ? 'correct' : 'wrong'}`})`);
  }
  if (result.selfCheck !== undefined) {
    lines.push(`self-check (label-free): ${result.selfCheck.verdict === 'correct' ? 'agrees' : 'finds it wrong'} (it reached ${result.selfCheck.answer}; rule ${result.selfCheck.rule})`);
  }
  if (result.learnedFrom !== undefined && result.lessonsWritten.length + result.lessonsMerged.length > 0) lines.push(`lessons below written from: ${result.learnedFrom}`);
  lines.push(`method: ${result.mode}${result.ablate === undefined ? '' : ` without ${result.ablate} lessons`}; models: ${models.mllm}${models.embedder === undefined ? '' : ` / ${models.embedder}`}`);
  if (result.analysis !== undefined) lines.push(`analysis: ${result.analysis.subject}; concepts: ${result.analysis.concepts.join(', ') || '(none)'}`);
  if (result.mode === 'memory') {
    lines.push(`lessons used (${result.lessonsUsed.length}):`);
    for (const lesson of result.lessonsUsed) {
      const image = lesson.imageScore === undefined ? '' : `, image ${lesson.imageScore.toFixed(2)}`;
      lines.push(`  [${lesson.stream}] ${lesson.id} v${lesson.version} (score ${lesson.score.toFixed(2)}${image}): ${lesson.text}`);
    }
  }
  for (const lesson of result.lessonsWritten) lines.push(`lesson written [${lesson.stream}] ${lesson.id}: ${lesson.text}`);
  for (const lesson of result.lessonsMerged) lines.push(`lesson merged [${lesson.stream}] ${lesson.id} v${lesson.fromVersion} → v${lesson.version}: ${lesson.text}`);
  for (const lesson of result.duplicates) lines.push(`lesson already known [${lesson.stream}] ${lesson.id}: ${lesson.text}`);
  for (const rejected of result.mergesRejected) {
    const why = rejected.reason === 'too-long' ? 'too long' : `lost ${[...rejected.missingNumbers, ...rejected.missingEntities].join(', ')}`;
    lines.push(`merge into ${rejected.targetId} rejected (${why}); stored as ${rejected.insertedId}`);
  }
  lines.push(`model ${formatCallCosts(result.calls)}; ${result.embeddings.texts} text + ${result.embeddings.images} image embeddings`, '', 'reasoning:', result.response.trim(), '');
  return lines.join('\n');
}

export async function runSolveCommand(options: SolveCommandOptions, io: SolveCommandIo): Promise<SolveResult> {
  const workspace = await openCommandWorkspace(options, { storePath: options.db });
  try {
    const methodConfig = options.labelFree === true ? { ...workspace.memory(), labelFree: true } : workspace.memory();
    const mllm = workspace.requireMllm();
    const { judge, embedder } = workspace.backends;
    if (options.mode === 'memory' && embedder === undefined) throw noEmbedderError();
    const image = await readImage(options.image);
    const problem: MemoryProblem = { id: `cli:${options.image}`, question: options.question, options: parseOptionsArgument(options.options), image, imageRef: resolve(options.image) };
    if (options.answer !== undefined) problem.answer = options.answer;
    const store = options.mode === 'memory' ? await workspace.store() : undefined;
    const result = await solveWithMemory(problem, {
      mllm,
      embedder: embedder ?? missingEmbedder(),
      mode: options.mode,
      config: methodConfig,
      learn: options.learn,
      ...(store === undefined ? {} : { memory: store.forTenant(options.tenant) }),
      ...(judge === undefined ? {} : { judge }),
      ...(options.ablate === undefined ? {} : { ablate: options.ablate }),
      ...(io.signal === undefined ? {} : { signal: io.signal }),
    });
    const { image: _image, ...shown } = problem;
    io.stdout(options.json === true ? `${JSON.stringify({ problem: shown, ...result }, null, 2)}\n` : formatResult(result, { mllm: mllm.model, embedder: embedder?.model }));
    for (const warning of result.warnings) io.stderr(`warning [${warning.code}]: ${warning.message}\n`);
    return result;
  } finally {
    await workspace.close();
  }
}

export function registerSolveCommand(program: Command): void {
  const command = program
    .command('solve')
    .description('Answer a visual math question with the dual-stream error memory (lessons from earlier mistakes); learns when --answer shows it was wrong')
    .requiredOption('--image <file>', 'the problem figure (JPEG, PNG or WebP)')
    .requiredOption('--question <text>', 'the question')
    .option('--options <list>', 'multiple-choice option texts, "A,B,C" or a JSON array (the answer is then a letter)')
    .option('--answer <gold>', 'the correct answer (a letter for multiple choice): verify, and write lessons when wrong')
    .option('--tenant <id>', 'whose memory to use', 'default')
    .option('--db <path>', `memory database of the workspace (default: the config's store.path, else ${DEFAULT_MEMORY_DB_PATH})`)
    .addOption(new Option('--mode <mode>', 'memory (the method), step (step by step, no memory) or baseline (direct answer)').choices(['memory', 'step', 'baseline']).default('memory'))
    .addOption(new Option('--ablate <stream>', 'leave one lesson stream out (retrieval and writing)').choices(['visual', 'logic']))
    .option('--no-learn', 'never write lessons, even when the answer was wrong')
    .option('--label-free', 'without --answer, the model checks its own answer and lessons are written when its check finds it wrong (memory.labelFree)')
    .option('--json', 'print the full result as JSON');
  addWorkspaceOptions(command).action(async (options: SolveCommandOptions) => {
      const controller = new AbortController();
      const abort = (): void => controller.abort(mmevolveError('cancelled', 'solve cancelled (Ctrl-C)', 'Run the command again.'));
      process.once('SIGINT', abort);
      try {
        await runSolveCommand(options, { stdout: (text) => process.stdout.write(text), stderr: (text) => process.stderr.write(text), signal: controller.signal });
      } finally {
        process.off('SIGINT', abort);
      }
    });
}
