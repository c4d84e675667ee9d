/**
 * Images arriving in requests: multipart files, data: URLs, or http(s) URLs when the server's
 * `imageUrls` policy allows fetching them (remote-image.ts). Whatever the source, the bytes go through
 * the image gate (image-gate.ts): the format is read from the bytes, never from a declared type.
 */
import { mmevolveError } from '../core/index.js';
import type { RgbImage } from '../core/index.js';
import { decodeGatedImage } from './image-gate.js';
import type { ServerLimits } from './limits.js';
import { fetchRemoteImage } from './remote-image.js';

// RFC 2397: data:<type>/<subtype>[;name=value]*;base64,<data> (e.g. ;charset=utf-8 before ;base64).
const DATA_URL = /^data:(image\/[\w.+-]+)((?:;[\w.+-]+=[^;,]*)*);base64,([A-Za-z0-9+/=\s]*)$/iu;

export function isDataUrl(value: string): boolean {
  return value.startsWith('data:');
}

export function dataUrlBytes(url: string, source: string): Uint8Array {
  const match = DATA_URL.exec(url);
  if (match?.[3] === undefined) {
    throw mmevolveError('invalid-input', `${source} is not a base64 data: URL of an image`, 'Use data:image/png;base64,… (JPEG, PNG or WebP bytes), or an http(s) image URL if the server fetches them (--image-urls).');
  }
  return Buffer.from(match[3], 'base64');
}

/** Through the image gate (image-gate.ts): format sniffed, header checked, decode bounded. */
export async function decodeRequestImage(bytes: Uint8Array, limits: ServerLimits, source: string, signal?: AbortSignal): Promise<RgbImage> {
  return decodeGatedImage(bytes, limits, source, signal);
}

/** The bytes behind a data: URL or (when the server's policy allows) an http(s) URL; not yet gated. */
export async function imageUrlBytes(url: string, limits: ServerLimits, source: string, signal?: AbortSignal): Promise<Uint8Array> {
  return isDataUrl(url)
    ? dataUrlBytes(url, source)
    : fetchRemoteImage(url, { policy: limits.imageUrls, maxBytes: limits.maxBodyBytes, timeoutMs: limits.imageUrlTimeoutMs, ...(limits.resolveHost === undefined ? {} : { resolve: limits.resolveHost }), ...(signal === undefined ? {} : { signal }) }, source);
}

export async function imageFromUrl(url: string, limits: ServerLimits, source: string, signal?: AbortSignal): Promise<RgbImage> {
  return decodeRequestImage(await imageUrlBytes(url, limits, source, signal), limits, source, signal);
}
