/**
 * Tolerant parsing of what real MLLMs emit, then strict zod validation. Parsing is an expected failure,
 * so it returns Result values; the client decides to repair (one extra turn) or give up.
 *
 * Handled: markdown fences, prose around JSON, trailing commas and other near-JSON (jsonrepair), Qwen's
 * bare `[{"bbox_2d": [...], "label": ...}]` lists, InternVL's `<ref>label</ref><box>[[x1, y1, x2, y2]]</box>`
 * (REFERENCE.md "Box conventions"), GLM-4.5V's `<|begin_of_box|>…<|end_of_box|>`, Seed1.5-VL's `<bbox>…</bbox>`, Qwen3 `<think>…</think>` preambles, and bare verdict letters "A"/"B" or
 * yes/no answers.
 */
import { jsonrepair } from 'jsonrepair';
import type { z } from 'zod';
import { MmevolveError, err, ok } from '../core/index.js';
import type { Result } from '../core/index.js';
import { parseTaggedBoxText } from '../protocols/index.js';

const MAX_RAW_IN_MESSAGE = 400;

function stripThinking(text: string): string {
  return text.replace(/<think>[\s\S]*?<\/think>/gi, '').trim();
}

function fencedBlocks(text: string): string[] {
  return [...text.matchAll(/```[a-zA-Z0-9_-]*\s*\n?([\s\S]*?)```/g)].map((match) => (match[1] ?? '').trim());
}

/** The first balanced {...} or [...] substring (string-literal aware), if any. */
export function firstBalancedJson(text: string): string | undefined {
  for (let start = 0; start < text.length; start += 1) {
    const opening = text[start];
    if (opening !== '{' && opening !== '[') continue;
    const stack: string[] = [];
    let inString = false;
    let escaped = false;
    for (let index = start; index < text.length; index += 1) {
      const character = text[index];
      if (inString) {
        if (escaped) escaped = false;
        else if (character === '\\') escaped = true;
        else if (character === '"') inString = false;
        continue;
      }
      if (character === '"') inString = true;
      else if (character === '{' || character === '[') stack.push(character === '{' ? '}' : ']');
      else if (character === '}' || character === ']') {
        if (stack.pop() !== character) break;
        if (stack.length === 0) return text.slice(start, index + 1);
      }
    }
  }
  return undefined;
}

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    try {
      return JSON.parse(jsonrepair(text)) as unknown;
    } catch {
      return undefined;
    }
  }
}

/**
 * Boxes in a tagged syntax → [{bbox_2d, label}]: InternVL / NEO `<ref>cat</ref><box>[[10, 20, 30, 40]]</box>`,
 * GLM-4.5V `<|begin_of_box|>[[10,20,30,40]]<|end_of_box|>`, Seed1.5-VL `<bbox>10 20 30 40</bbox>`
 * (src/protocols/profiles/box-text.ts). Coordinates stay in the model's frame; the profile converts them.
 */
export function taggedBoxes(text: string): { bbox_2d: [number, number, number, number]; label: string }[] {
  return parseTaggedBoxText(text).map(({ box, label }) => ({ bbox_2d: [box[0], box[1], box[2], box[3]], label }));
}

/** InternVL boxes (kept for callers that name the syntax); any tagged syntax is read. */
export const internVlBoxes = taggedBoxes;

/** Shapes a schema might want for a value a model produced in a nearby shape. */
function variants(value: unknown): unknown[] {
  const shapes: unknown[] = [value];
  if (Array.isArray(value)) {
    shapes.push({ boxes: value }, { phrases: value });
    const first: unknown = value[0];
    if (value.length >= 1 && typeof first === 'object' && first !== null && 'bbox_2d' in first) {
      shapes.push({ bbox_2d: (first as { bbox_2d: unknown }).bbox_2d });
    }
  } else if (typeof value === 'object' && value !== null && 'bbox_2d' in value) {
    shapes.push({ boxes: [value] });
  }
  return shapes;
}

/** Answers given as a bare letter or word: "A", "(B).", "Answer: A", "yes", "Tie". */
function bareVerdicts(text: string): unknown[] {
  const cleaned = text
    .replace(/^(?:final\s+)?(?:answer|verdict|winner)\s*[:：-]\s*/i, '')
    .replace(/[*_`"'.!]/g, '')
    .trim();
  const letter = /^\(?([AB])\)?$/i.exec(cleaned)?.[1];
  if (letter !== undefined) {
    const winner = letter.toUpperCase();
    return [{ winner, reason: '' }, { answer: winner }, { verdict: winner }];
  }
  const word = cleaned.toLowerCase();
  if (word === 'tie') return [{ winner: 'tie', reason: '' }];
  if (word === 'yes' || word === 'no') return [{ answer: word }, { equivalent: word === 'yes' }];
  if (word === 'true' || word === 'false') return [{ equivalent: word === 'true' }];
  return [];
}

function candidates(raw: string): unknown[] {
  const text = stripThinking(raw);
  const found: unknown[] = [];
  const sources = [...fencedBlocks(text), text];
  const balanced = firstBalancedJson(text);
  if (balanced !== undefined) sources.push(balanced);
  for (const source of sources) {
    const parsed = tryJson(source);
    if (parsed !== undefined && typeof parsed === 'object' && parsed !== null) found.push(...variants(parsed));
  }
  const boxes = taggedBoxes(text);
  if (boxes.length > 0) found.push(...variants(boxes));
  found.push(...bareVerdicts(text));
  return found;
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('; ');
}

export function invalidModelOutputError(raw: string, problem: string, taskName: string | undefined): MmevolveError {
  const shown = raw.length > MAX_RAW_IN_MESSAGE ? `${raw.slice(0, MAX_RAW_IN_MESSAGE)}…` : raw;
  return new MmevolveError({
    code: 'invalid-model-output',
    message: `model output for ${taskName ?? 'the request'} is not valid: ${problem}. Raw output: ${JSON.stringify(shown)}`,
    hint: 'Use a backend that supports response_format json_schema (supportsJsonSchema), lower the temperature, or check the model profile.',
    details: { raw, problem, task: taskName },
  });
}

/**
 * Parse `raw` into a value the schema accepts. The first candidate that validates wins; otherwise the error
 * carries the raw text and the validation problem of the most JSON-like candidate (shown to the model when
 * repairing).
 */
export function parseModelOutput<T>(raw: string, schema: z.ZodType<T>, taskName?: string): Result<T> {
  let firstProblem: string | undefined;
  for (const candidate of candidates(raw)) {
    const result = schema.safeParse(candidate);
    if (result.success) return ok(result.data);
    firstProblem ??= describeIssues(result.error);
  }
  return err(invalidModelOutputError(raw, firstProblem ?? 'no JSON value found in the output', taskName));
}
