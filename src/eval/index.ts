export { imageIou, segmentationCounts, summarize } from './metrics.js';
export type { ScoreSummary, ScoredSample, SegmentationCounts, SubsetScore } from './metrics.js';
export { loadGroundTruth, loadReasonSegDataset, rasterizeGroundTruth } from './reasonseg.js';
export type { ReasonSegSample, ReasonSegShape } from './reasonseg.js';
export { openPredictions, predictionsFromMemory } from './predictions.js';
export type { PredictionSet } from './predictions.js';
export { scoreDataset, scoreReasonSeg, scoreReportJson } from './score.js';
export type { ScoreReport } from './score.js';
