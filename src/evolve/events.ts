/**
 * Progress events of a segmentation run, named noun-verb, with typed payloads (the CLI shows them as a
 * progress line, the server streams them to its live view).
 */
import type { Box } from '../core/index.js';
import type { CocoRle } from '../vision/index.js';
import type { GateReason, SegmentationMethod, StopDecision } from './trace.js';

export type SegmentationEvent =
  | { type: 'segmentation-start'; method: SegmentationMethod; query: string }
  | { type: 'planning-start' }
  | { type: 'planning-end'; population: string[] }
  | { type: 'generation-start'; generation: number; population: string[] }
  /** `rle` is the phrase's merged mask, so a live view can draw its thumbnail before the final trace. */
  | { type: 'phrase-evaluated'; generation: number; phrase: string; confidence: number; area: number; passed: boolean; reason: GateReason; rle: CocoRle }
  /** Champion and challenger name phrases of the same generation's phrase-evaluated events (their masks). */
  | { type: 'fight-end'; generation: number; champion: string; challenger: string; winner: 'champion' | 'challenger' | 'tie'; verdict: 'A' | 'B' | 'tie'; shownA: string; shownB: string; reason: string }
  | { type: 'generation-end'; generation: number; fitness: { phrase: string; fitness: number }[]; stop: StopDecision }
  | { type: 'mutation-end'; generation: number; next: string[] }
  | { type: 'arbitration-start' }
  | { type: 'arbitration-end'; decision: 'text' | 'box' | 'empty'; box?: Box }
  | { type: 'agent-turn'; turn: number; tool: string; phrase?: string }
  | { type: 'segmentation-end'; method: SegmentationMethod; area: number; wallMs: number };

export type SegmentationEventListener = (event: SegmentationEvent) => void;
