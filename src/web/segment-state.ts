/**
 * What the Segment view shows, folded from the server's progress events (src/evolve/events.ts, streamed
 * by POST /v1/segment as SSE) and the final result. Pure, so it is unit-tested without a browser. Event
 * payloads are read defensively: the stream is external input and may gain fields (e.g. mask RLEs).
 */
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
  rle?: CocoRle;
  maskPng?: string;
  overlayPng?: string;
  phrase?: string;
  trace?: Record<string, unknown>;
  raw: unknown;
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

/** A PNG as base64 or data URL, from the few shapes the API may use ({png}, {base64}, a string). */
function png(value: unknown): string | undefined {
  if (typeof value === 'string' && value.length > 0) return value;
  if (isRecord(value)) return text(value['png']) ?? text(value['base64']) ?? text(value['pngBase64']) ?? text(value['dataUrl']);
  return undefined;
}

export function readOutcome(raw: unknown): SegmentOutcome {
  const body = isRecord(raw) && isRecord(raw['result']) ? raw['result'] : raw;
  if (!isRecord(body)) return { raw };
  const mask = body['mask'];
  const rle = asRle(body['rle']) ?? asRle(mask) ?? (isRecord(mask) ? asRle(mask['rle']) ?? asRle(mask['coco']) : undefined);
  const outcome: SegmentOutcome = { raw };
  if (rle !== undefined) outcome.rle = rle;
  const maskPng = (isRecord(mask) ? png(mask['png']) : undefined) ?? png(body['maskPng']);
  if (maskPng !== undefined) outcome.maskPng = maskPng;
  const overlayPng = png(body['overlay']) ?? png(body['overlayPng']);
  if (overlayPng !== undefined) outcome.overlayPng = overlayPng;
  const phrase = text(body['phrase']);
  if (phrase !== undefined) outcome.phrase = phrase;
  if (isRecord(body['trace'])) outcome.trace = body['trace'];
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
    case 'result':
    case 'done':
    case 'complete': {
      const outcome = readOutcome(data);
      const withTrace = outcome.trace === undefined ? state : applyTrace(state, outcome.trace);
      return { ...withTrace, status: 'done', stage: '', outcome, log };
    }
    case 'error': {
      const error = isRecord(payload['error']) ? payload['error'] : payload;
      const message = `${text(error['message']) ?? 'the segmentation failed'}${text(error['hint']) === undefined ? '' : ` — ${String(error['hint'])}`}`;
      return { ...state, status: 'failed', stage: '', error: message, log };
    }
    default:
      return { ...state, log };
  }
}
