/**
 * The typed state and trace of one segmentation run: every phrase, mask (COCO RLE), gate decision,
 * fight and verdict, fitness per generation and the final arbitration. Traces are plain JSON so that
 * `trace.json`, reports and preference-pair export read them without the engine.
 */
import type { Box, CallRecord, Mask, Warning } from '../core/index.js';
import type { CocoRle } from '../vision/index.js';

export type SegmentationMethod = 'evol' | 'single' | 'box' | 'agent' | 'concept-only';

/** Where an individual came from. */
/** Where an individual came from; 'query' is the raw query sent as the prompt (concept-only). */
export type PhraseOrigin = 'plan' | 'refine' | 'variant' | 'carried' | 'mutation-refine' | 'mutation-variant' | 'fallback' | 'query';

/**
 * Gate outcome: `confident` (score above passAbove), `unconfident` (below failBelow), `empty` (no instance
 * left after the size filter), `verified-yes` / `verified-no` (the MLLM was asked), `confirmed` (published:
 * score above confirmedAbove, passed whatever the MLLM said), `unparsable` (the verifier's answer could not
 * be read: documented fallback = fail).
 */
export type GateReason = 'confident' | 'unconfident' | 'empty' | 'verified-yes' | 'verified-no' | 'confirmed' | 'unparsable';

export interface GateDecision {
  passed: boolean;
  reason: GateReason;
  /** True when the decision came from the per-mask cache (no new verify call). */
  cached: boolean;
  /** `confirmed` only: what the MLLM answered (it was asked, and overruled when it said no). */
  mllmSaid?: 'yes' | 'no';
}

/** What the segmenter made of one phrase (cached per phrase). */
export interface PhraseEvaluation {
  phrase: string;
  mask: Mask;
  rle: CocoRle;
  area: number;
  /** Highest instance score among the kept instances (0 when none). */
  confidence: number;
  instances: number;
  /** Confidence above gate.confirmedAbove. */
  confirmed: boolean;
  gate: GateDecision;
}

export interface Individual {
  phrase: string;
  origin: PhraseOrigin;
  /** Generation the individual was created in (1-based). */
  born: number;
  /** Arena score carried across generations; fitness = baseFitness + score. */
  score: number;
}

/** A phrase evaluation as the trace keeps it: without the decoded mask (its RLE is kept), with when and how it arose. */
export interface PhraseRecord extends Omit<PhraseEvaluation, 'mask'> {
  generation: number;
  origin: PhraseOrigin;
}

export interface FightRecord {
  generation: number;
  champion: string;
  challenger: string;
  /** Which phrase was shown as overlay A and which as B. */
  shownA: string;
  shownB: string;
  /** IoU of the two masks (most different fights first). */
  iou: number;
  winner: 'champion' | 'challenger' | 'tie';
  verdict: 'A' | 'B' | 'tie';
  reason: string;
  /** Documented fallback: an unreadable verdict counts as a tie. */
  unparsable: boolean;
}

export interface GenerationRecord {
  index: number;
  population: { phrase: string; origin: PhraseOrigin; valid: boolean; fitness: number; confirmed: boolean }[];
  champion?: string;
  fights: FightRecord[];
  /** Challengers not fought because their mask matches the champion's (IoU above arena.skipIou). */
  skipped: { phrase: string; iou: number }[];
  stop: StopDecision;
  mutation?: MutationRecord;
}

export interface StopDecision {
  stop: boolean;
  reason: 'converged' | 'max-generations' | 'continue';
  validCount: number;
  spread: number | null;
  topMeanIou: number | null;
}

export interface MutationRecord {
  parents: string[];
  refined?: string;
  variants: string[];
  next: string[];
  /** The best individual did not exist (nothing passed the gate): mutated from the last planned phrase. */
  fromFallback: boolean;
  /** Reproduction after the last generation (published behaviour; its children never compete). */
  wasted: boolean;
}

export interface PlanningRecord {
  queryText: string;
  planned: string[];
  refinements: { phrase: string; verdict: 'keep' | 'refine'; result: string }[];
  variants: string[];
  population: string[];
  lastPlannedPhrase?: string;
  /** The planner named nothing and "object" was evolved instead (published). */
  nothingPlanned?: true;
}

export interface ArbitrationRecord {
  output: 'hybrid' | 'text_only' | 'box_only';
  textPhrase?: string;
  textRle?: CocoRle;
  /** The text stream had no gate-passed individual: the last planned phrase's mask was used. */
  textFallback: boolean;
  box?: Box;
  boxRle?: CocoRle;
  boxScore?: number;
  verdicts: { shownA: 'text' | 'box'; verdict: 'A' | 'B' | 'tie'; winner: 'text' | 'box' | 'tie'; reason: string; unparsable: boolean }[];
  decision: 'text' | 'box' | 'empty';
  reason: 'consistent' | 'fallback-inconsistent' | 'only-text' | 'only-box' | 'neither' | 'output-mode';
}

export interface AgentTurnRecord {
  turn: number;
  tool: string;
  phrase?: string;
  masks?: number;
  accepted?: number[];
  selected?: number[];
  note?: string;
}

export interface SegmentationTrace {
  method: SegmentationMethod;
  query: string;
  isSentence: boolean;
  /** "evol-published", "evol-improved" or "custom" (evol); the baseline name otherwise. */
  variant: string;
  planning?: PlanningRecord;
  phrases: PhraseRecord[];
  generations: GenerationRecord[];
  arbitration?: ArbitrationRecord;
  agentTurns?: AgentTurnRecord[];
  /** The run stopped early: the planner saw no target (fail-fast) or a per-sample budget ran out. */
  stoppedEarly?: { reason: 'planner-no-target' | 'budget-calls' | 'budget-tokens'; message: string };
  /** Calls, tokens and latency per stage. */
  stages: Record<string, { calls: number; promptTokens: number; completionTokens: number; latencyMs: number; failures: number }>;
  /** Adaptive resolution (config `resolution`, when not `full`): the resolution each MLLM call went out at, and why. */
  resolution?: { mode: string; rule: string; calls: ResolutionCallRecord[] };
}

/** One MLLM call's image resolution under the resolution policy (resolution-router.ts). */
export interface ResolutionCallRecord {
  stage: string;
  task: string;
  resolution: 'full' | 'quarter';
  reason: string;
  /** Visual tokens of the call's images as sent, and as they would have been at full resolution (profile estimates). */
  imageTokens: number;
  fullImageTokens: number;
}

export interface SegmentationCounters {
  mllmCalls: number;
  judgeCalls: number;
  /** Segmenter requests. */
  segmenterCalls: number;
  /**
   * Image encodes on the segmenter server, counted as SAM 3's concept_segment does them: one per request
   * (with encodeOnce a generation's phrases share one request; without it, one per prompt).
   */
  segmenterImageEncodes: number;
  /** Prompts sent to the segmenter (several may share a request). */
  segmenterPrompts: number;
  promptTokens: number;
  completionTokens: number;
  generations: number;
  fights: number;
  verifications: number;
  /** Phrase evaluations answered from the per-phrase cache, and gate decisions from the per-mask cache. */
  phraseCacheHits: number;
  gateCacheHits: number;
  wallMs: number;
  /** Time with at least one backend call in flight. */
  backendWaitMs: number;
  /** Images sent to the MLLM at full and at quarter resolution (config `resolution`). */
  imagesFull: number;
  imagesQuarter: number;
  /** Visual tokens of those images as sent (the judge rule's check calls included) and as all-full would have sent them (profile estimates; 0 for profiles with no token count). */
  imageTokensSent: number;
  imageTokensAllFull: number;
  /** Calls of the judge rule asking whether a call needs full resolution. */
  resolutionChecks: number;
}

export interface SegmentationResult {
  method: SegmentationMethod;
  mask: Mask;
  rle: CocoRle;
  box?: Box;
  /** The phrase behind the final mask, when it came from a text prompt. */
  phrase?: string;
  trace: SegmentationTrace;
  calls: CallRecord[];
  counters: SegmentationCounters;
  warnings: Warning[];
  /** The method concluded on purpose that nothing in the image matches (the mask is then empty). */
  noTarget: boolean;
  /** A per-sample budget stopped the run early (the mask is the best one found before the cap). */
  budgetHit?: BudgetCap;
}

/** Which per-sample cap stopped a run: backend calls or tokens (SampleBudget). */
export type BudgetCap = 'calls' | 'tokens';
