/**
 * Images arriving in requests: multipart files or data: URLs. Pixel counts are checked from the header
 * before decoding. Remote http(s) URLs are not fetched by the server (no outbound requests on a client's
 * behalf); clients send the bytes.
 */
import { mmevolveError } from '../core/index.js';
import type { RgbImage } from '../core/index.js';
import { decodeImage } from '../vision/index.js';
import type { ServerLimits } from './limits.js';
import { checkImageHeader } from './limits.js';

const DATA_URL = /^data:(image\/(?:png|jpeg|jpg|webp));base64,([A-Za-z0-9+/=\s]+)$/u;

export function isDataUrl(value: string): boolean {
  return value.startsWith('data:');
}

export function dataUrlBytes(url: string, source: string): Uint8Array {
  const match = DATA_URL.exec(url);
  if (match?.[2] === undefined) {
    throw mmevolveError('invalid-input', `${source} is not a base64 data: URL of a PNG, JPEG or WebP image`, 'Use data:image/png;base64,… (the server does not fetch http(s) image URLs; send the bytes).');
  }
  return Buffer.from(match[2], 'base64');
}

/** Header check against the limits, then a full decode to RGB. */
export async function decodeRequestImage(bytes: Uint8Array, limits: ServerLimits, source: string): Promise<RgbImage> {
  await checkImageHeader(bytes, limits, source);
  return decodeImage(bytes, source);
}

export async function imageFromUrl(url: string, limits: ServerLimits, source: string): Promise<RgbImage> {
  if (!isDataUrl(url)) {
    throw mmevolveError('invalid-input', `${source}: only data: URLs are accepted`, 'Send the image bytes as a data:image/…;base64 URL or as a multipart file; the server does not fetch remote URLs.');
  }
  return decodeRequestImage(dataUrlBytes(url, source), limits, source);
}
