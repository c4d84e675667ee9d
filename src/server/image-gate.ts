/**
 * The one gate every image entering the server passes (multipart upload, data: URL, fetched URL, the
 * proxy's retrieval images), in this order, each step cheap before the next costly one:
 *   1. the magic bytes: JPEG, PNG and WebP only (415 names them). libvips would happily render SVG, GIF,
 *      TIFF, AVIF, PDF… and an SVG of blurred shapes costs minutes of CPU; sniffing means no other
 *      decoder is ever reached, whatever a data: URL or Content-Type claims.
 *   2. the header's width × height against the pixel limit (413), without decoding.
 *   3. the decompression ratio: a large image that is almost no bytes (a 4.9 KB 1-bit PNG of 7000×5700)
 *      is a bomb, not a photo (413).
 *   4. the decode itself: at most `decodeConcurrency` at once (others wait, bounded, then 503), with
 *      libvips' own pixel limit and a timeout, so one request holds a bounded share of CPU and memory.
 */
import sharp from 'sharp';
import { MmevolveError, mmevolveError } from '../core/index.js';
import type { RgbImage } from '../core/index.js';
import { decodeImage } from '../vision/index.js';
import { apiError } from './api-errors.js';

export type GatedImageFormat = 'jpeg' | 'png' | 'webp';
export const ALLOWED_IMAGE_TYPES = 'JPEG, PNG or WebP';

export interface ImageGateLimits {
  maxImagePixels: number;
  /** Above `bombCheckPixels`, an image may decode to at most this many pixels per byte of file. */
  maxPixelsPerByte: number;
  bombCheckPixels: number;
  decodeTimeoutMs: number;
  decodeConcurrency: number;
  /** Decodes allowed to wait for a slot; past that the server answers 503 (busy) at once. */
  decodeQueue: number;
}

export interface AdmittedImage {
  format: GatedImageFormat;
  width: number;
  height: number;
}

function startsWith(bytes: Uint8Array, signature: readonly number[], at = 0): boolean {
  return signature.every((value, index) => bytes[at + index] === value);
}

const ascii = (text: string): number[] => [...text].map((character) => character.charCodeAt(0));

/** The format from the magic bytes, or undefined for anything but JPEG, PNG and WebP. */
export function sniffImageFormat(bytes: Uint8Array): GatedImageFormat | undefined {
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(bytes, ascii('RIFF')) && startsWith(bytes, ascii('WEBP'), 8)) return 'webp';
  return undefined;
}

/** A name for what the bytes look like, for the refusal message. */
function looksLike(bytes: Uint8Array): string {
  const head = Buffer.from(bytes.subarray(0, 256)).toString('latin1').trimStart().toLowerCase();
  if (startsWith(bytes, ascii('GIF8'))) return 'GIF';
  if (startsWith(bytes, [0x49, 0x49, 0x2a, 0x00]) || startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2a])) return 'TIFF';
  if (startsWith(bytes, ascii('ftyp'), 4)) return 'AVIF/HEIF';
  if (startsWith(bytes, ascii('BM'))) return 'BMP';
  if (startsWith(bytes, ascii('%PDF'))) return 'PDF';
  if (head.startsWith('<svg') || head.startsWith('<?xml') || head.includes('<svg')) return 'SVG';
  return bytes.length === 0 ? 'empty' : 'unknown';
}

export function unsupportedImage(source: string, bytes: Uint8Array): Error {
  return mmevolveError('unsupported-media-type', `${source} is ${looksLike(bytes)} data, not a ${ALLOWED_IMAGE_TYPES} image`, `Send a ${ALLOWED_IMAGE_TYPES} image (the server reads no other format).`);
}

/** Steps 1–3: the format from the bytes and the size from the header, refused before any decode. */
export async function admitImage(bytes: Uint8Array, limits: ImageGateLimits, source: string): Promise<AdmittedImage> {
  const format = sniffImageFormat(bytes);
  if (format === undefined) throw unsupportedImage(source, bytes);
  let width: number | undefined;
  let height: number | undefined;
  try {
    // Header only: libvips reads IHDR / SOF / VP8X without touching the pixels.
    const metadata = await sharp(bytes, { limitInputPixels: false }).metadata();
    if (metadata.format !== format && !(format === 'jpeg' && metadata.format === 'jpeg')) throw new Error(`the header reads as ${metadata.format}`);
    width = metadata.width;
    height = metadata.height;
  } catch (cause) {
    throw mmevolveError('unreadable-image', `${source} is not a readable ${ALLOWED_IMAGE_TYPES} image`, 'Send complete image bytes (multipart field "image") or a data: URL with base64 content.', cause);
  }
  if (width === undefined || height === undefined || width <= 0 || height <= 0) {
    throw mmevolveError('unreadable-image', `${source} has no usable width and height in its header`, `Send a ${ALLOWED_IMAGE_TYPES} image.`);
  }
  const pixels = width * height;
  if (pixels > limits.maxImagePixels) {
    throw apiError('image-too-large', `${source} is ${width}×${height} = ${pixels} pixels, above the limit of ${limits.maxImagePixels}`, 'Downscale the image before sending it (models resize to about 1 MP anyway).');
  }
  if (pixels > limits.bombCheckPixels && pixels / Math.max(1, bytes.length) > limits.maxPixelsPerByte) {
    throw apiError(
      'image-too-large',
      `${source} declares ${width}×${height} pixels in only ${bytes.length} bytes (${Math.round(pixels / Math.max(1, bytes.length))} pixels per byte, over ${limits.maxPixelsPerByte}): refused as a decompression bomb`,
      'Send the image at the size you need it; a real photo or scan of this size is far larger.',
    );
  }
  return { format, width, height };
}

/** A counting semaphore whose waiters leave when their request is aborted. */
export class DecodeSlots {
  #free: number;
  readonly #waiting: (() => void)[] = [];
  readonly #maxWaiting: number;

  constructor(slots: number, maxWaiting: number) {
    this.#free = Math.max(1, slots);
    this.#maxWaiting = Math.max(0, maxWaiting);
  }

  get waiting(): number {
    return this.#waiting.length;
  }

  async run<T>(work: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    await this.#acquire(signal);
    try {
      return await work();
    } finally {
      const next = this.#waiting.shift();
      if (next === undefined) this.#free += 1;
      else next();
    }
  }

  #acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted === true) return Promise.reject(mmevolveError('cancelled', 'the request was cancelled while waiting to decode its image', 'Nothing to do: the client went away.'));
    if (this.#free > 0) {
      this.#free -= 1;
      return Promise.resolve();
    }
    if (this.#waiting.length >= this.#maxWaiting) {
      return Promise.reject(mmevolveError('overloaded', `the server is decoding as many images as it allows (${this.#waiting.length} waiting)`, 'Retry in a few seconds.'));
    }
    return new Promise((resolve, reject) => {
      const granted = (): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = (): void => {
        const index = this.#waiting.indexOf(granted);
        if (index >= 0) this.#waiting.splice(index, 1);
        reject(mmevolveError('cancelled', 'the request was cancelled while waiting to decode its image', 'Nothing to do: the client went away.'));
      };
      this.#waiting.push(granted);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}

const slotsByLimits = new WeakMap<ImageGateLimits, DecodeSlots>();

/** One set of decode slots per server (per limits object). */
export function decodeSlotsFor(limits: ImageGateLimits): DecodeSlots {
  let slots = slotsByLimits.get(limits);
  if (slots === undefined) {
    slots = new DecodeSlots(limits.decodeConcurrency, limits.decodeQueue);
    slotsByLimits.set(limits, slots);
  }
  return slots;
}

/** All four steps: admitted bytes decoded to RGB under the slot, pixel and time limits. */
export async function decodeGatedImage(bytes: Uint8Array, limits: ImageGateLimits, source: string, signal?: AbortSignal): Promise<RgbImage> {
  const { width, height } = await admitImage(bytes, limits, source);
  // An image under the bomb-check size cannot cost seconds to decode by itself: when it takes that long, the
  // server is busy (the time is wall time), so that is a 503 to retry, not the client's image being too large.
  const small = width * height <= limits.bombCheckPixels;
  return decodeSlotsFor(limits).run(async () => {
    const started = performance.now();
    const tooSlow = (): Error =>
      small
        ? new MmevolveError({ code: 'overloaded', message: `the server was too busy to decode ${source} (${width}×${height}) within ${limits.decodeTimeoutMs} ms`, hint: 'Retry in a few seconds.', retryAfterMs: 2000 })
        : apiError('image-too-large', `${source} took over ${limits.decodeTimeoutMs} ms to decode and was abandoned`, 'Send a smaller or simpler image.');
    let image: RgbImage;
    try {
      image = await decodeImage(bytes, source, { limitInputPixels: limits.maxImagePixels, timeoutSeconds: limits.decodeTimeoutMs / 1000 });
    } catch (error) {
      const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : '';
      if (cause.startsWith('timeout') || performance.now() - started >= limits.decodeTimeoutMs) throw tooSlow();
      throw error;
    }
    // libvips times out in whole seconds: a large decode that finished past a finer limit is refused all the
    // same; a small one that finished is kept (its time was the server's load, and the work is done).
    if (!small && performance.now() - started >= limits.decodeTimeoutMs) throw tooSlow();
    return image;
  }, signal);
}
