/**
 * The library entry (`import … from 'mmevolve'`): what an application needs to run the two methods on its
 * own backends. Every module keeps its fuller API in its own index.ts; this file only picks from them.
 * The package ships TypeScript sources: run with tsx (as the CLI does) or a TypeScript-aware bundler.
 */
export { isMmevolveError, mmevolveError } from './core/index.js';
export type { Box, Embedder, Mask, MllmClient, MmevolveError, RgbImage, Segmenter } from './core/index.js';
export { decodeImage, encodeImage, readImage, encodeRle, decodeRle, renderOverlay } from './vision/index.js';
export type { CocoRle } from './vision/index.js';
export { loadAppConfig, loadWorkspaceConfig, openWorkspace, parseAppConfig } from './app/index.js';
export type { AppConfig, ModelFlags, Workspace } from './app/index.js';
export { DEFAULT_EVOLVE_PRESET } from './evolve/index.js';
export type { Backends } from './backends/index.js';
export { evolveSegment, resolveEvolveConfig, runSegmentation } from './evolve/index.js';
export type { EvolveConfigInput, SegmentationEvent, SegmentationMethod, SegmentationResult } from './evolve/index.js';
export { openMemoryStore, solveWithMemory, verifyAnswer } from './memory/index.js';
export type { MemoryProblem, SolveOptions, SolveResult } from './memory/index.js';
export { startSimStack } from './sim/index.js';
export type { SimStack } from './sim/index.js';
