/** Evolutionary reasoning segmentation (EVOL-SAM3), its baselines, and the explain view of a trace. */
export { DATASET_KINDS, DEFAULT_EVOLVE_PRESET, EVOLVE_PRESET_NAMES, evolveConfigSchema, isEvolvePresetName, resolveEvolveConfig } from './config.js';
export type { DatasetKind, EvolveConfig, EvolveConfigInput, EvolvePresetName } from './config.js';
export { evolveSegment, evolveVariantName } from './evolve-segment.js';
export type { EvolveOptions, SegmentationOptions } from './evolve-segment.js';
export { SEGMENTATION_METHODS, isSegmentationMethod, methodNeedsMllm, runSegmentation } from './run-segmentation.js';
export { singleSegment, boxSegment } from './baselines/linear.js';
export { agentSegment } from './baselines/agent.js';
export { publishedStrategies, championChallengerSelection, convergenceStopping, positionJudging, semanticMutation } from './strategies.js';
export type { JudgingStrategy, Member, MutationStrategy, SelectionStrategy, StoppingStrategy, Strategies } from './strategies.js';
export type { SegmentationBackends } from './run-context.js';
export type { SegmentationEvent, SegmentationEventListener, SegmentationEventType } from './events.js';
export type {
  AgentTurnRecord,
  ArbitrationRecord,
  FightRecord,
  GateDecision,
  GateReason,
  GenerationRecord,
  MutationRecord,
  PhraseOrigin,
  PhraseRecord,
  PlanningRecord,
  SegmentationCounters,
  SegmentationMethod,
  SegmentationResult,
  SegmentationTrace,
  StopDecision,
} from './trace.js';
export { formatTraceTree } from './explain.js';
export { progressText } from './progress-text.js';
