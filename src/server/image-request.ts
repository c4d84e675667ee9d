/**
 * Bodies that carry images: `multipart/form-data` (file fields "image"/"images", other fields as text,
 * JSON-valued fields parsed) or JSON with data: URLs. Each image is header-checked before decoding.
 */
import type { Context } from 'hono';
import type { z } from 'zod';
import { mmevolveError } from '../core/index.js';
import type { RgbImage } from '../core/index.js';
import { decodeRequestImage, imageFromUrl } from './image-input.js';
import { jsonDepth, MAX_JSON_DEPTH } from './json-depth.js';
import type { ServerLimits } from './limits.js';
import { parseValue, readJson } from './request-body.js';
import { endIntake } from './tenant-intake.js';

export interface ImageRequest<T> {
  fields: T;
  images: RgbImage[];
}

function parseField(value: string): unknown {
  const trimmed = value.trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[') || trimmed === 'true' || trimmed === 'false') {
    if (jsonDepth(trimmed, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) throw mmevolveError('invalid-input', `a form field nests JSON more than ${MAX_JSON_DEPTH} levels deep`, 'Flatten the field.');
    try {
      return JSON.parse(trimmed) as unknown;
    } catch {
      return value;
    }
  }
  return value;
}

/**
 * `schema` validates the non-image fields; `imageUrls` picks the data: URLs out of a JSON body.
 * At least one image is required.
 */
export async function readImageRequest<T>(context: Context, schema: z.ZodType<T>, imageUrls: (fields: T) => string[], limits: ServerLimits, what: string): Promise<ImageRequest<T>> {
  const contentType = context.req.header('content-type') ?? '';
  let fields: T;
  const images: RgbImage[] = [];
  if (contentType.startsWith('multipart/form-data')) {
    let form: FormData;
    try {
      form = await context.req.formData();
    } catch (cause) {
      throw mmevolveError('invalid-input', `${what}: the multipart body cannot be parsed`, 'Send multipart/form-data with an "image" file field.', cause);
    }
    const values: Record<string, unknown> = {};
    const files: File[] = [];
    form.forEach((value, name) => {
      if (typeof value === 'string') values[name] = parseField(value);
      else if (name === 'image' || name === 'images') files.push(value);
    });
    fields = parseValue(values, schema, what);
    if (files.length > limits.maxImagesPerRequest) throw mmevolveError('invalid-input', `${what}: ${files.length} images, at most ${limits.maxImagesPerRequest} allowed`, 'Send fewer images.');
    for (const [index, file] of files.entries()) images.push(await decodeRequestImage(new Uint8Array(await file.arrayBuffer()), limits, `image ${index + 1} (${file.name || 'upload'})`, context.req.raw.signal));
  } else {
    fields = await readJson(context, schema, what);
    const urls = imageUrls(fields);
    if (urls.length > limits.maxImagesPerRequest) throw mmevolveError('invalid-input', `${what}: ${urls.length} images, at most ${limits.maxImagesPerRequest} allowed`, 'Send fewer images.');
    for (const [index, url] of urls.entries()) images.push(await imageFromUrl(url, limits, `image ${index + 1}`, context.req.raw.signal));
  }
  if (images.length === 0) {
    throw mmevolveError('invalid-input', `${what}: no image`, 'Send a multipart file field "image", or JSON with "image": "data:image/png;base64,…".');
  }
  endIntake(context);
  return { fields, images };
}
