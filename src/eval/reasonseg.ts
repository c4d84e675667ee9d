import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { LabelMap, Size, Warning } from '../core/index.js';
import { IGNORE_LABEL, createMask, isMmevolveError, mmevolveError } from '../core/index.js';
import { fillPolygon, readImageSize } from '../vision/index.js';
import type { PolygonOptions } from '../vision/index.js';
import { numpyArgsort } from './numpy-argsort.js';

/**
 * ReasonSeg in LISA's layout: `name.jpg` (or .jpeg/.png) beside `name.json` with LabelMe-style shapes plus
 * `text` (list of queries, the first is used) and `is_sentence` (long vs short subset). Ground truth is
 * rasterised exactly like LISA's `get_mask_from_json` (see /work/shared/REFERENCE.md) under the OpenCV
 * its requirements.txt pins (opencv_python==4.8.0.74), the vision module's default drawing version.
 *
 * Points outside the image are not an error: OpenCV clips the polygon while drawing, so LISA's masks
 * contain the clipped part. We do the same and attach one warning to the sample naming its file.
 */
export interface ReasonSegShape {
  label: string;
  /** Vertices after LISA's int32 cast (truncation toward zero). */
  points: ReadonlyArray<readonly [number, number]>;
}

export interface ReasonSegSample {
  name: string;
  imagePath: string;
  annotationPath: string;
  /** text[0], the query LISA evaluates. */
  query: string;
  queries: ReadonlyArray<string>;
  /** true → the "long" subset, false → "short". */
  isSentence: boolean;
  width: number;
  height: number;
  shapes: ReadonlyArray<ReasonSegShape>;
  warnings: ReadonlyArray<Warning>;
}

export const IMAGE_EXTENSIONS = ['.jpg', '.jpeg', '.png'] as const;

// LabelMe files carry more fields (version, flags, imagePath, imageData, shape_type, group_id…): allowed.
const shapeSchema = z.looseObject({
  label: z.string(),
  points: z.array(z.tuple([z.number(), z.number()])).min(1),
});
const annotationSchema = z.looseObject({
  text: z.union([z.string().transform((text) => [text]), z.array(z.string())]).pipe(z.array(z.string()).min(1)),
  is_sentence: z.boolean(),
  shapes: z.array(shapeSchema),
});

/**
 * LISA's ground truth for one sample: 0 background, 1 target, 255 ignore. Shapes are drawn largest
 * rasterised area first so smaller ones end on top. Ties follow LISA's `np.argsort(areas)[::-1]` under
 * its pinned numpy 1.24 (numpy-argsort.ts): up to 16 shapes numpy's sort is stable and the reversal puts
 * the *later* of two equal-area shapes first (so the earlier one ends on top); beyond 16 numpy's introsort
 * reorders ties, reproduced exactly.
 */
export async function loadGroundTruth(sample: ReasonSegSample): Promise<LabelMap> {
  return Promise.resolve(rasterizeGroundTruth(sample, sample.shapes));
}

/** `options.opencv` picks another OpenCV release's fill (default: LISA's pinned 4.8, see vision/polygon.ts). */
export function rasterizeGroundTruth(size: Size, shapes: ReadonlyArray<ReasonSegShape>, options: PolygonOptions = {}): LabelMap {
  const drawn = shapes.filter((shape) => shape.label.toLowerCase() !== 'flag');
  const areas = drawn.map((shape) => {
    const scratch = createMask(size.width, size.height);
    fillPolygon(scratch, shape.points, 1, options);
    let area = 0;
    for (const value of scratch.data) area += value;
    return area;
  });
  const order = numpyArgsort(areas).reverse();
  const labelMap = createMask(size.width, size.height);
  for (const index of order) {
    const shape = drawn[index];
    if (shape === undefined) continue;
    fillPolygon(labelMap, shape.points, shape.label.toLowerCase().includes('ignore') ? IGNORE_LABEL : 1, options);
  }
  return labelMap;
}

/** One `name.json` + image pair; the folder listing lives in reasonseg-folder.ts. */
export async function loadReasonSegSample(directory: string, name: string, imageFile: string | undefined): Promise<ReasonSegSample> {
  const annotationPath = path.join(directory, `${name}.json`);
  if (imageFile === undefined) {
    throw mmevolveError(
      'invalid-dataset',
      `annotation ${annotationPath} has no image (${IMAGE_EXTENSIONS.map((extension) => name + extension).join(', ')})`,
      'Put the image beside its annotation with the same base name.',
    );
  }
  const imagePath = path.join(directory, imageFile);
  const annotation = parseAnnotation(annotationPath, await readFile(annotationPath));
  let size: Size;
  try {
    size = await readImageSize(imagePath);
  } catch (error) {
    if (isMmevolveError(error)) {
      throw mmevolveError(error.code, `image ${imagePath}: ${error.message}`, error.hint, error);
    }
    throw error;
  }
  // LISA: np.array(points, dtype=np.int32) truncates toward zero.
  const shapes = annotation.shapes.map((shape) => ({
    label: shape.label,
    points: shape.points.map(([x, y]) => [Math.trunc(x), Math.trunc(y)] as const),
  }));
  const outside = shapes.flatMap((shape) => shape.points).filter(
    ([x, y]) => x < 0 || y < 0 || x >= size.width || y >= size.height,
  );
  const warnings: Warning[] =
    outside.length === 0
      ? []
      : [
          {
            code: 'points-clipped',
            message: `${annotationPath}: ${outside.length} polygon point(s) lie outside the ${size.width}×${size.height} image and were clipped while drawing, as OpenCV does`,
          },
        ];
  const queries = annotation.text;
  return {
    name,
    imagePath,
    annotationPath,
    query: queries[0] ?? '',
    queries,
    isSentence: annotation.is_sentence,
    width: size.width,
    height: size.height,
    shapes,
    warnings,
  };
}

function parseAnnotation(annotationPath: string, bytes: Buffer): z.infer<typeof annotationSchema> {
  const parsed = annotationSchema.safeParse(parseJsonFile(annotationPath, bytes));
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((issue) => `${issue.path.length === 0 ? '(root)' : issue.path.join('.')}: ${issue.message}`)
      .join('; ');
    throw mmevolveError(
      'invalid-dataset',
      `annotation ${annotationPath} is not a ReasonSeg annotation: ${problems}`,
      'Each file needs "text" (a non-empty list of queries), "is_sentence" (true/false) and "shapes" ([{label, points}]).',
    );
  }
  return parsed.data;
}

/** JSON.parse of an annotation-folder file (UTF-8, else cp1252), errors naming the file. */
export function parseJsonFile(annotationPath: string, bytes: Buffer): unknown {
  try {
    return JSON.parse(decodeText(bytes));
  } catch (error) {
    throw mmevolveError(
      'invalid-dataset',
      `annotation ${annotationPath} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
      'Fix or regenerate the file (LabelMe JSON with text, is_sentence and shapes).',
      error,
    );
  }
}

/** LISA reads UTF-8 and falls back to cp1252 when that fails; so do we. */
function decodeText(bytes: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    // Not UTF-8: decode as cp1252 ourselves (Node's TextDecoder treats 'windows-1252' as plain latin1).
    return decodeCp1252(bytes);
  }
}

// cp1252 bytes 0x80–0x9F; null marks the five bytes Python's cp1252 codec rejects.
const CP1252_HIGH: ReadonlyArray<number | null> = [
  0x20ac, null, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, null, 0x017d, null,
  null, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, null, 0x017e, 0x0178,
];

function decodeCp1252(bytes: Buffer): string {
  let text = '';
  for (const byte of bytes) {
    const code = byte >= 0x80 && byte <= 0x9f ? CP1252_HIGH[byte - 0x80] : byte;
    if (code === null || code === undefined) {
      throw new Error(`byte 0x${byte.toString(16)} is neither UTF-8 nor cp1252`);
    }
    text += String.fromCharCode(code);
  }
  return text;
}
