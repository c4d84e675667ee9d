export { imageIou, segmentationCounts, summarize } from './metrics.js';
export type { ScoreSummary, ScoredSample, SegmentationCounts, SubsetScore } from './metrics.js';
