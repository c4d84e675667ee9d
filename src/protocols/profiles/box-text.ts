import type { Box } from '../../core/index.js';
import type { BoxSyntax } from './model-profile.js';

/**
 * Boxes as a family writes them in text, and back. The syntaxes come from each family's own code or docs
 * (cited on the profiles); parsing is tolerant of the variations those sources show (spaces, one or two
 * bracket levels, several boxes in one tag) because real outputs vary.
 */
export interface LabelledBox {
  box: Box;
  label: string;
}

const NUMBER = /-?\d+(?:\.\d+)?/g;

function numbersIn(text: string): number[] {
  return (text.match(NUMBER) ?? []).map(Number);
}

function groupsOfFour(numbers: readonly number[], label: string): LabelledBox[] {
  const boxes: LabelledBox[] = [];
  for (let index = 0; index + 4 <= numbers.length; index += 4) {
    const [x1, y1, x2, y2] = numbers.slice(index, index + 4) as [number, number, number, number];
    boxes.push({ box: [x1, y1, x2, y2], label });
  }
  return boxes;
}

const join = (box: Box, separator: string): string => box.map((value) => String(value)).join(separator);

/** Our boxes in a family's text form, as the model would write them for these labels. */
export function formatBoxText(syntax: BoxSyntax, boxes: readonly LabelledBox[]): string {
  switch (syntax) {
    case 'json-bbox_2d':
      return JSON.stringify(boxes.map(({ box, label }) => ({ bbox_2d: [...box], label })));
    case 'json-box':
      return JSON.stringify(boxes.map(({ box, label }) => ({ box: [...box], label })));
    case 'internvl-box':
      return boxes.map(({ box, label }) => `<ref>${label}</ref><box>[[${join(box, ', ')}]]</box>`).join('\n');
    case 'glm-begin-of-box':
      // GLM-V README: the answer's boxes inside <|begin_of_box|>…<|end_of_box|>, as [[x1,y1,x2,y2], …].
      return `<|begin_of_box|>[${boxes.map(({ box }) => `[${join(box, ',')}]`).join(',')}]<|end_of_box|>`;
    case 'seed-bbox':
      return boxes.map(({ box }) => `<bbox>${join(box, ' ')}</bbox>`).join('\n');
  }
}

/** InternVL and NEO: `<ref>label</ref><box>[[x1, y1, x2, y2]]</box>`, the <ref> part optional. */
export function parseInternVlBoxText(text: string): LabelledBox[] {
  const pattern = /(?:<ref>([\s\S]*?)<\/ref>\s*)?<box>\s*(\[[\s\S]*?\]\]?)\s*<\/box>/g;
  return [...text.matchAll(pattern)].flatMap((match) => groupsOfFour(numbersIn(match[2] ?? ''), (match[1] ?? '').trim()));
}

/** GLM-4.5V: every <|begin_of_box|>…<|end_of_box|> span, any bracket style, four numbers per box. */
export function parseGlmBoxText(text: string): LabelledBox[] {
  const pattern = /<\|begin_of_box\|>([\s\S]*?)<\|end_of_box\|>/g;
  return [...text.matchAll(pattern)].flatMap((match) => groupsOfFour(numbersIn(match[1] ?? ''), ''));
}

/** Seed1.5-VL: `<bbox>x1 y1 x2 y2</bbox>` with space-separated coordinates. */
export function parseSeedBoxText(text: string): LabelledBox[] {
  const pattern = /<bbox>([\s\S]*?)<\/bbox>/g;
  return [...text.matchAll(pattern)].flatMap((match) => groupsOfFour(numbersIn(match[1] ?? ''), ''));
}

function parseJsonBoxes(text: string, key: 'bbox_2d' | 'box'): LabelledBox[] {
  const start = text.indexOf('[');
  const end = text.lastIndexOf(']');
  if (start < 0 || end <= start) return [];
  let value: unknown;
  try {
    value = JSON.parse(text.slice(start, end + 1));
  } catch {
    return [];
  }
  const items: unknown[] = Array.isArray(value) ? value : [];
  const boxes: LabelledBox[] = [];
  for (const item of items) {
    if (typeof item !== 'object' || item === null) continue;
    const coordinates = (item as Record<string, unknown>)[key];
    const label = (item as Record<string, unknown>)['label'];
    if (Array.isArray(coordinates) && coordinates.length === 4 && coordinates.every((entry) => typeof entry === 'number')) {
      boxes.push({ box: coordinates as unknown as Box, label: typeof label === 'string' ? label : '' });
    }
  }
  return boxes;
}

/** A family's text form → boxes (in the family's coordinates; the profile converts them). */
export function parseBoxText(syntax: BoxSyntax, text: string): LabelledBox[] {
  switch (syntax) {
    case 'json-bbox_2d':
      return parseJsonBoxes(text, 'bbox_2d');
    case 'json-box':
      return parseJsonBoxes(text, 'box');
    case 'internvl-box':
      return parseInternVlBoxText(text);
    case 'glm-begin-of-box':
      return parseGlmBoxText(text);
    case 'seed-bbox':
      return parseSeedBoxText(text);
  }
}

/** Boxes written in any tagged syntax (InternVL/NEO, GLM, Seed), for parsers that do not know the family. */
export function parseTaggedBoxText(text: string): LabelledBox[] {
  const internvl = parseInternVlBoxText(text);
  if (internvl.length > 0) return internvl;
  const glm = parseGlmBoxText(text);
  if (glm.length > 0) return glm;
  return parseSeedBoxText(text);
}
