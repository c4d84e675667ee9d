/**
 * What the Segment view shows, folded from the server's progress events (src/evolve/events.ts, streamed
 * by POST /v1/segment as SSE) and the final result. Pure, so it is unit-tested without a browser. The
 * result and error events are parsed with the server's own response schemas (src/server/api-schemas.ts);
 * progress payloads are read defensively, since the events may gain fields (e.g. mask RLEs).
 */
import { errorBodySchema, segmentResponseSchema } from '../server/api-schemas.js';
import type { SegmentResponse } from '../server/api-schemas.js';
import { isRecord } from './api.js';
import type { CocoRle } from './rle.js';

export interface PhraseCard {
  phrase: string;
  generation: number;
  confidence?: number;
  area?: number;
  passed?: boolean;
  reason?: string;
  rle?: CocoRle;
}

export interface FightCard {
  generation: number;
  champion: string;
  challenger: string;
  winner: string;
  verdict?: string;
  reason?: string;
}

export interface GenerationCard {
  generation: number;
  fitness: { phrase: string; fitness: number }[];
  stop?: string;
}

export interface SegmentOutcome {
  rle: CocoRle;
  /** base64 PNGs, as POST /v1/segment sends them. */
  maskPng: string;
  overlayPng: string;
  phrase?: string;
  trace: Record<string, unknown>;
  response: SegmentResponse;
}

export interface SegmentState {
  status: 'idle' | 'running' | 'done' | 'failed';
  stage: string;
  population: string[];
  phrases: PhraseCard[];
  fights: FightCard[];
  generations: GenerationCard[];
  arbitration?: { decision: string; reason?: string };
  outcome?: SegmentOutcome;
  error?: string;
  log: string[];
}

export function initialSegmentState(): SegmentState {
  return { status: 'idle', stage: '', population: [], phrases: [], fights: [], generations: [], log: [] };
}

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const number = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);
const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : []);

export function asRle(value: unknown): CocoRle | undefined {
  if (!isRecord(value) || !Array.isArray(value['size']) || value['size'].length !== 2) return undefined;
  const [height, width] = value['size'];
  const counts = value['counts'];
  if (typeof height !== 'number' || typeof width !== 'number') return undefined;
  if (typeof counts === 'string') return { size: [height, width], counts };
  if (Array.isArray(counts) && counts.every((count) => typeof count === 'number')) return { size: [height, width], counts };
  return undefined;
}

/** POST /v1/segment's answer (or its `result` event), parsed with the server's schema; throws when it does not fit. */
export function readOutcome(raw: unknown): SegmentOutcome {
  const response = segmentResponseSchema.parse(raw);
  const outcome: SegmentOutcome = { rle: response.mask.rle, maskPng: response.mask.png, overlayPng: response.overlay.png, trace: response.trace as unknown as Record<string, unknown>, response };
  if (response.phrase !== undefined) outcome.phrase = response.phrase;
  return outcome;
}

function upsertPhrase(state: SegmentState, card: PhraseCard): PhraseCard[] {
  const index = state.phrases.findIndex((existing) => existing.phrase === card.phrase && existing.generation === card.generation);
  if (index === -1) return [...state.phrases, card];
  return state.phrases.map((existing, position) => (position === index ? { ...existing, ...card } : existing));
}

/** Fills mask thumbnails, fight verdicts and reasons from the final trace (src/evolve/trace.ts). */
function applyTrace(state: SegmentState, trace: Record<string, unknown>): SegmentState {
  let phrases = state.phrases;
  const traced = Array.isArray(trace['phrases']) ? trace['phrases'] : [];
  for (const record of traced) {
    if (!isRecord(record)) continue;
    const phrase = text(record['phrase']);
    if (phrase === undefined) continue;
    const gate = isRecord(record['gate']) ? record['gate'] : {};
    const card: PhraseCard = { phrase, generation: number(record['generation']) ?? 1 };
    const rle = asRle(record['rle']);
    if (rle !== undefined) card.rle = rle;
    const confidence = number(record['confidence']);
    if (confidence !== undefined) card.confidence = confidence;
    const area = number(record['area']);
    if (area !== undefined) card.area = area;
    if (typeof gate['passed'] === 'boolean') card.passed = gate['passed'];
    const reason = text(gate['reason']);
    if (reason !== undefined) card.reason = reason;
    phrases = upsertPhrase({ ...state, phrases }, card);
  }
  const fights: FightCard[] = [];
  for (const generation of Array.isArray(trace['generations']) ? trace['generations'] : []) {
    if (!isRecord(generation) || !Array.isArray(generation['fights'])) continue;
    for (const fight of generation['fights']) {
      if (!isRecord(fight)) continue;
      const card: FightCard = { generation: number(fight['generation']) ?? 0, champion: text(fight['champion']) ?? '', challenger: text(fight['challenger']) ?? '', winner: text(fight['winner']) ?? 'tie' };
      const verdict = text(fight['verdict']);
      if (verdict !== undefined) card.verdict = verdict;
      const reason = text(fight['reason']);
      if (reason !== undefined) card.reason = reason;
      fights.push(card);
    }
  }
  const next: SegmentState = { ...state, phrases, fights: fights.length > 0 ? fights : state.fights };
  const arbitration = isRecord(trace['arbitration']) ? trace['arbitration'] : undefined;
  if (arbitration !== undefined) next.arbitration = { decision: text(arbitration['decision']) ?? '?', ...(text(arbitration['reason']) === undefined ? {} : { reason: String(arbitration['reason']) }) };
  return next;
}

/** Folds one server-sent event (its name and parsed data) into the state. */
export function applyEvent(state: SegmentState, name: string, data: unknown): SegmentState {
  const payload = isRecord(data) ? data : {};
  const type = text(payload['type']) ?? name;
  const log = [...state.log, type];
  const generation = number(payload['generation']) ?? 0;
  switch (type) {
    case 'segmentation-start':
      return { ...state, status: 'running', stage: `started (${text(payload['method']) ?? '?'})`, log };
    case 'planning-start':
      return { ...state, stage: 'planning', log };
    case 'planning-end':
      return { ...state, stage: 'planned', population: strings(payload['population']), log };
    case 'generation-start':
      return { ...state, stage: `generation ${generation}`, population: strings(payload['population']), log };
    case 'phrase-evaluated': {
      const card: PhraseCard = { phrase: text(payload['phrase']) ?? '', generation };
      const confidence = number(payload['confidence']);
      if (confidence !== undefined) card.confidence = confidence;
      const area = number(payload['area']);
      if (area !== undefined) card.area = area;
      if (typeof payload['passed'] === 'boolean') card.passed = payload['passed'];
      const reason = text(payload['reason']);
      if (reason !== undefined) card.reason = reason;
      const rle = asRle(payload['rle']) ?? asRle(payload['mask']);
      if (rle !== undefined) card.rle = rle;
      return { ...state, phrases: upsertPhrase(state, card), log };
    }
    case 'fight-end': {
      const card: FightCard = { generation, champion: text(payload['champion']) ?? '', challenger: text(payload['challenger']) ?? '', winner: text(payload['winner']) ?? 'tie' };
      const verdict = text(payload['verdict']);
      if (verdict !== undefined) card.verdict = verdict;
      const reason = text(payload['reason']);
      if (reason !== undefined) card.reason = reason;
      return { ...state, stage: `generation ${generation}: fights`, fights: [...state.fights, card], log };
    }
    case 'generation-end': {
      const fitness = (Array.isArray(payload['fitness']) ? payload['fitness'] : []).filter(isRecord).map((entry) => ({ phrase: text(entry['phrase']) ?? '', fitness: number(entry['fitness']) ?? 0 }));
      const stop = isRecord(payload['stop']) ? text(payload['stop']['reason']) : undefined;
      return { ...state, generations: [...state.generations, { generation, fitness, ...(stop === undefined ? {} : { stop }) }], log };
    }
    case 'mutation-end':
      return { ...state, stage: `generation ${generation}: mutated`, log };
    case 'arbitration-start':
      return { ...state, stage: 'final arbitration', log };
    case 'arbitration-end':
      return { ...state, stage: 'arbitrated', arbitration: { decision: text(payload['decision']) ?? '?' }, log };
    case 'agent-turn':
      return { ...state, stage: `agent turn ${number(payload['turn']) ?? '?'}: ${text(payload['tool']) ?? ''}`, log };
    case 'segmentation-end':
      return { ...state, stage: 'segmented', log };
    case 'result': {
      const parsed = segmentResponseSchema.safeParse(data);
      if (!parsed.success) return { ...state, status: 'failed', stage: '', error: `the server's result does not fit its schema: ${parsed.error.issues[0]?.path.join('.') ?? ''} ${parsed.error.issues[0]?.message ?? ''}`, log };
      const outcome = readOutcome(parsed.data);
      return { ...applyTrace(state, outcome.trace), status: 'done', stage: '', outcome, log };
    }
    case 'error': {
      const parsed = errorBodySchema.safeParse(data);
      const message = parsed.success ? `${parsed.data.error.message}${parsed.data.error.hint === '' ? '' : ` — ${parsed.data.error.hint}`}` : 'the segmentation failed (the server sent an unreadable error)';
      return { ...state, status: 'failed', stage: '', error: message, log };
    }
    default:
      return { ...state, log };
  }
}
