/**
 * The library entry (`import … from 'mmevolve'`): what an application needs to run the two methods on its
 * own backends — the product only. The simulator (SynthWorld and its simulated servers) is the separate
 * entry `mmevolve/sim` (src/sim/index.ts). Every module keeps its fuller API in its own index.ts; this file
 * only picks from them. Built to JavaScript in lib/ (`npm run build`, run by `npm ci` through `prepare`).
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
