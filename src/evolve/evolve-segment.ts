/**
 * EVOL-SAM3: evolutionary reasoning segmentation over a typed state. Meta-planning seeds a population of
 * referring phrases; each generation evaluates them (segmenter + semantic gate), runs the visual arena,
 * checks the stopping rule and mutates; the evolved text mask then meets a box-prompted mask in the
 * final arbitration. Every phrase, mask, gate decision, fight, fitness and verdict goes into the trace.
 */
import type { RgbImage } from '../core/index.js';
import { arbitrate } from './arbitration.js';
import type { TextCandidate } from './arbitration.js';
import { runArena } from './arena.js';
import { runBoxStream } from './box-stream.js';
import type { BoxStream } from './box-stream.js';
import { DEFAULT_EVOLVE_PRESET, resolveEvolveConfig } from './config.js';
import type { DatasetKind, EvolveConfig } from './config.js';
import { evaluatePhrase } from './evaluation.js';
import type { SegmentationEventListener } from './events.js';
import { metaPlan } from './planning.js';
import { emptyTrace, finishResult, looksLikeSentence } from './result.js';
import { RunContext } from './run-context.js';
import type { SegmentationBackends } from './run-context.js';
import { fitness, publishedStrategies } from './strategies.js';
import type { Member, Strategies } from './strategies.js';
import type { GenerationRecord, Individual, SegmentationResult } from './trace.js';

export interface SegmentationOptions {
  backends: SegmentationBackends;
  /** Resolved config (resolveEvolveConfig); the published preset when absent. */
  config?: EvolveConfig;
  /** Reasoning sentence (true) or short referring phrase (false); guessed from the query when absent. */
  isSentence?: boolean;
  /** Other phrasings of the query (ReasonSeg `text[1:]`); the published code sends them all. */
  queryVariants?: readonly string[];
  /**
   * ReasonSeg-style reasoning query or RefCOCO-style referring expression (default reasonseg, as the
   * published code): an inconsistent final verdict falls back to text for reasonseg, to box for refcoco.
   */
  datasetKind?: DatasetKind;
  signal?: AbortSignal;
  onEvent?: SegmentationEventListener;
}

export interface EvolveOptions extends SegmentationOptions {
  strategies?: Strategies;
}

export function createRunContext(image: RgbImage, query: string, options: SegmentationOptions): RunContext {
  const config = options.config ?? resolveEvolveConfig(DEFAULT_EVOLVE_PRESET);
  return new RunContext(image, query, config, options.backends, options.isSentence ?? looksLikeSentence(query), options.onEvent, options.signal, options.queryVariants ?? [], options.datasetKind ?? 'reasonseg');
}

/** "evol-published" / "evol-improved" when the fixes match a preset, else "evol-custom". */
export function evolveVariantName(config: EvolveConfig): string {
  const values = Object.values(config.fixes);
  if (values.every((value) => !value)) return 'evol-published';
  if (values.every((value) => value)) return 'evol-improved';
  return 'evol-custom';
}

async function evaluateMembers(context: RunContext, population: readonly Individual[], generation: number, phrases: SegmentationResult['trace']['phrases']): Promise<Member[]> {
  const evaluations = await context.map(population, (individual) => evaluatePhrase(context, individual.phrase));
  return population.map((individual, index) => {
    const evaluation = evaluations[index];
    if (evaluation === undefined) throw new Error('evaluation missing for a population member');
    const { rle, area, confidence, instances, confirmed, gate } = evaluation;
    phrases.push({ generation, phrase: individual.phrase, origin: individual.origin, rle, area, confidence, instances, confirmed, gate });
    context.emit({ type: 'phrase-evaluated', generation, phrase: individual.phrase, confidence, area, passed: gate.passed, reason: gate.reason, rle });
    return { individual, evaluation };
  });
}

export async function evolveSegment(image: RgbImage, query: string, options: EvolveOptions): Promise<SegmentationResult> {
  const context = createRunContext(image, query, options);
  const { config } = context;
  const strategies = options.strategies ?? publishedStrategies(config);
  const trace = emptyTrace('evol', context, evolveVariantName(config));
  context.emit({ type: 'segmentation-start', method: 'evol', query });

  // The box stream depends on nothing the evolution produces: with concurrentStages it runs alongside.
  let boxStream: Promise<BoxStream> | undefined;
  if (config.fixes.concurrentStages && config.final.output !== 'text_only') {
    boxStream = runBoxStream(context);
    // Awaited in arbitration; a failure there still rejects the run, this only avoids an unhandled rejection.
    boxStream.catch(() => undefined);
  }

  context.emit({ type: 'planning-start' });
  const plan = await metaPlan(context);
  trace.planning = plan.record;
  context.emit({ type: 'planning-end', population: plan.record.population });
  const fallbackPhrase = plan.record.lastPlannedPhrase;

  let population = plan.population;
  let ranked: Member[] = [];
  for (let generation = 1; generation <= config.stopping.maxGenerations && population.length > 0; generation += 1) {
    context.signal?.throwIfAborted();
    context.emit({ type: 'generation-start', generation, population: population.map((member) => member.phrase) });
    const members = await evaluateMembers(context, population, generation, trace.phrases);
    const valid = members.filter((member) => member.evaluation.gate.passed);
    const arena = await runArena(context, strategies, valid, generation);
    ranked = strategies.selection.rank(valid);
    const stop = strategies.stopping.decide(valid, generation);
    context.counters.generations = generation;
    const record: GenerationRecord = {
      index: generation,
      population: members.map((member) => ({
        phrase: member.individual.phrase,
        origin: member.individual.origin,
        valid: member.evaluation.gate.passed,
        fitness: fitness(config, member.individual),
        confirmed: member.evaluation.confirmed,
      })),
      ...(arena.champion === undefined ? {} : { champion: arena.champion.individual.phrase }),
      fights: arena.fights,
      skipped: arena.skipped,
      stop,
    };
    trace.generations.push(record);
    // Published code reproduces after the last generation too; its children never compete (fix: skip).
    const reproduce = !stop.stop || (stop.reason === 'max-generations' && !config.fixes.skipLastReproduction);
    if (reproduce) {
      const mutation = await strategies.mutation.next(context, ranked, fallbackPhrase, generation, stop.stop);
      record.mutation = mutation.record;
      population = mutation.population;
      context.emit({ type: 'mutation-end', generation, next: mutation.record.next });
    }
    context.emit({ type: 'generation-end', generation, fitness: record.population.map(({ phrase, fitness: value }) => ({ phrase, fitness: value })), stop });
    if (stop.stop) break;
  }

  let text: TextCandidate | undefined;
  const best = ranked[0];
  if (best !== undefined) text = { evaluation: best.evaluation, fallback: false };
  else if (fallbackPhrase !== undefined && config.final.output !== 'box_only') {
    // Nothing passed the gate: the last planned phrase's mask stands for the text stream (published rule).
    text = { evaluation: await evaluatePhrase(context, fallbackPhrase), fallback: true };
  }
  context.emit({ type: 'arbitration-start' });
  const outcome = await arbitrate(context, text, boxStream);
  trace.arbitration = outcome.record;
  context.emit({ type: 'arbitration-end', decision: outcome.record.decision, ...(outcome.box === undefined ? {} : { box: outcome.box }) });
  return finishResult(context, trace, outcome);
}
