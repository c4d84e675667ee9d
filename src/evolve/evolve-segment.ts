/**
 * EVOL-SAM3: evolutionary reasoning segmentation over a typed state. Meta-planning seeds a population of
 * referring phrases; each generation evaluates them (segmenter + semantic gate), runs the visual arena,
 * checks the stopping rule and mutates; the evolved text mask then meets a box-prompted mask in the
 * final arbitration. Every phrase, mask, gate decision, fight, fitness and verdict goes into the trace.
 */
import { createMask } from '../core/index.js';
import type { RgbImage } from '../core/index.js';
import { arbitrate } from './arbitration.js';
import type { TextCandidate } from './arbitration.js';
import { runArena } from './arena.js';
import { runBoxStream } from './box-stream.js';
import type { BoxStream } from './box-stream.js';
import { DEFAULT_EVOLVE_PRESET, resolveEvolveConfig } from './config.js';
import type { DatasetKind, EvolveConfig } from './config.js';
import { evaluatePhrase, prefetchPhrases } from './evaluation.js';
import type { SegmentationEventListener } from './events.js';
import { metaPlan } from './planning.js';
import { emptyTrace, finishResult, looksLikeSentence } from './result.js';
import { budgetCapOf } from './run-accounting.js';
import type { SampleBudget } from './run-accounting.js';
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
  /** Per-sample caps and the no-target fail-fast (eval --max-calls-per-sample, …). */
  budget?: SampleBudget;
}

export interface EvolveOptions extends SegmentationOptions {
  strategies?: Strategies;
}

export function createRunContext(image: RgbImage, query: string, options: SegmentationOptions): RunContext {
  const config = options.config ?? resolveEvolveConfig(DEFAULT_EVOLVE_PRESET);
  const context = new RunContext(image, query, config, options.backends, options.isSentence ?? looksLikeSentence(query), options.onEvent, options.signal, options.queryVariants ?? [], options.datasetKind ?? 'reasonseg');
  if (options.budget !== undefined) context.budget = options.budget;
  return context;
}

/** "evol-published" / "evol-improved" when the fixes match a preset, else "evol-custom". */
export function evolveVariantName(config: EvolveConfig): string {
  const values = Object.values(config.fixes);
  if (values.every((value) => !value)) return 'evol-published';
  if (values.every((value) => value)) return 'evol-improved';
  return 'evol-custom';
}

async function evaluateMembers(context: RunContext, population: readonly Individual[], generation: number, phrases: SegmentationResult['trace']['phrases']): Promise<Member[]> {
  prefetchPhrases(context, population.map((individual) => individual.phrase));
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

  const failFast = options.budget?.failFastNoTarget === true;
  // The box stream depends on nothing the evolution produces: with concurrentStages it runs alongside
  // (after planning under fail-fast, so that a "no target" plan costs no box call).
  let boxStream: Promise<BoxStream> | undefined;
  // Started with planning, its box rides in the first generation's segmenter request (box-ride.ts); started
  // after planning (fail-fast), the first generation would wait for predict_box, so the box goes alone.
  const startBoxStream = (rideAlong: boolean): void => {
    if (!config.fixes.concurrentStages || config.final.output === 'text_only') return;
    boxStream = runBoxStream(context, { rideAlong });
    // Awaited in arbitration; a failure there still rejects the run, this only avoids an unhandled rejection.
    boxStream.catch(() => undefined);
  };
  let ranked: Member[] = [];
  try {
    if (!failFast) startBoxStream(true);
    return await evolveStages(context, strategies, trace, failFast, () => startBoxStream(false), () => boxStream, (members) => { ranked = members; });
  } catch (error) {
    const cap = budgetCapOf(error);
    if (cap === undefined) throw error;
    // A budget ran out: answer with the best mask found so far, without further calls.
    const message = error instanceof Error ? error.message : String(error);
    context.warn('budget-exceeded', message);
    trace.stoppedEarly = { reason: cap === 'calls' ? 'budget-calls' : 'budget-tokens', message };
    const best = ranked[0];
    return finishResult(context, trace, {
      mask: best?.evaluation.mask ?? createMask(image.width, image.height),
      ...(best === undefined ? {} : { phrase: best.evaluation.phrase }),
      budgetHit: cap,
    });
  } finally {
    context.releaseBoxRide();
  }
}

async function evolveStages(
  context: RunContext,
  strategies: Strategies,
  trace: SegmentationResult['trace'],
  failFast: boolean,
  startBoxStream: () => void,
  boxStream: () => Promise<BoxStream> | undefined,
  onRanked: (members: Member[]) => void,
): Promise<SegmentationResult> {
  const { config, image } = context;
  context.emit({ type: 'planning-start' });
  const plan = await metaPlan(context);
  trace.planning = plan.record;
  context.emit({ type: 'planning-end', population: plan.record.population });
  const fallbackPhrase = plan.record.lastPlannedPhrase;
  const plannerSawNothing = plan.record.planned.length === 0;
  if (plannerSawNothing && failFast) {
    trace.stoppedEarly = { reason: 'planner-no-target', message: 'the planner proposed no phrase: no visible object fits the query' };
    return finishResult(context, trace, { mask: createMask(image.width, image.height), noTarget: true });
  }
  if (failFast) startBoxStream();

  let population = plan.population;
  let ranked: Member[] = [];
  for (let generation = 1; generation <= config.stopping.maxGenerations && population.length > 0; generation += 1) {
    context.signal?.throwIfAborted();
    context.emit({ type: 'generation-start', generation, population: population.map((member) => member.phrase) });
    const members = await evaluateMembers(context, population, generation, trace.phrases);
    const valid = members.filter((member) => member.evaluation.gate.passed);
    const arena = await runArena(context, strategies, valid, generation);
    ranked = strategies.selection.rank(valid);
    onRanked(ranked);
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

  context.releaseBoxRide();
  let text: TextCandidate | undefined;
  const best = ranked[0];
  if (best !== undefined) text = { evaluation: best.evaluation, fallback: false };
  else if (fallbackPhrase !== undefined && config.final.output !== 'box_only') {
    // Nothing passed the gate: the last planned phrase's mask stands for the text stream (published rule).
    text = { evaluation: await evaluatePhrase(context, fallbackPhrase), fallback: true };
  }
  context.emit({ type: 'arbitration-start' });
  const outcome = await arbitrate(context, text, boxStream());
  trace.arbitration = outcome.record;
  context.emit({ type: 'arbitration-end', decision: outcome.record.decision, ...(outcome.box === undefined ? {} : { box: outcome.box }) });
  // "No target" is the method's answer when the planner saw nothing and the box stream found nothing either.
  return finishResult(context, trace, { ...outcome, noTarget: plannerSawNothing && outcome.record.decision === 'empty' });
}
