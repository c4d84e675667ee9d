/**
 * Images arriving in requests: multipart files, data: URLs, or http(s) URLs when the server's
 * `imageUrls` policy allows fetching them (remote-image.ts). Pixel counts are checked from the header
 * before decoding, whatever the source.
 */
import { mmevolveError } from '../core/index.js';
import type { RgbImage } from '../core/index.js';
import { decodeImage } from '../vision/index.js';
import type { ServerLimits } from './limits.js';
import { checkImageHeader } from './limits.js';
import { fetchRemoteImage } from './remote-image.js';

const DATA_URL = /^data:(image\/(?:png|jpeg|jpg|webp));base64,([A-Za-z0-9+/=\s]+)$/u;

export function isDataUrl(value: string): boolean {
  return value.startsWith('data:');
}

export function dataUrlBytes(url: string, source: string): Uint8Array {
  const match = DATA_URL.exec(url);
  if (match?.[2] === undefined) {
    throw mmevolveError('invalid-input', `${source} is not a base64 data: URL of a PNG, JPEG or WebP image`, 'Use data:image/png;base64,…, or an http(s) image URL if the server fetches them (--image-urls).');
  }
  return Buffer.from(match[2], 'base64');
}

/** Header check against the limits, then a full decode to RGB. */
export async function decodeRequestImage(bytes: Uint8Array, limits: ServerLimits, source: string): Promise<RgbImage> {
  await checkImageHeader(bytes, limits, source);
  return decodeImage(bytes, source);
}

export async function imageFromUrl(url: string, limits: ServerLimits, source: string): Promise<RgbImage> {
  const bytes = isDataUrl(url)
    ? dataUrlBytes(url, source)
    : await fetchRemoteImage(url, { policy: limits.imageUrls, maxBytes: limits.maxBodyBytes, timeoutMs: limits.imageUrlTimeoutMs }, source);
  return decodeRequestImage(bytes, limits, source);
}
