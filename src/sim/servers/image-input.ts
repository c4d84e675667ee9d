/**
 * Images as the simulated servers receive them: data URLs or base64 strings, or http(s) URLs on
 * loopback only (the sim never contacts another host). Decoded images and what the sim perceives in
 * them are cached by content hash, so judging several overlays of one image perceives it once.
 */
import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { mmevolveError } from '../../core/index.js';
import type { RgbImage, Size } from '../../core/index.js';
import { limitAcuity, perceiveObjects } from '../perception/index.js';
import type { PerceivedObject } from '../perception/index.js';
import { rememberBounded } from './bounded-cache.js';

export interface SeenImage {
  readonly key: string;
  readonly image: RgbImage;
  /** Perceived lazily: overlays are decoded but rarely perceived. */
  objects(): PerceivedObject[];
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);
const CACHE_LIMIT = 64;

export async function decodeImageBytes(bytes: Uint8Array): Promise<RgbImage> {
  try {
    const { data, info } = await sharp(bytes).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`expected 3 channels, got ${info.channels}`);
    return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
  } catch (cause) {
    throw mmevolveError('unreadable-image', 'cannot decode the image', 'send PNG or JPEG bytes', cause);
  }
}

export function isLoopbackUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    return (parsed.protocol === 'http:' || parsed.protocol === 'https:') && LOOPBACK_HOSTS.has(parsed.hostname);
  } catch {
    // Unparseable URL: simply not loopback.
    return false;
  }
}

export interface ImageCacheOptions {
  /**
   * The viewer's acuity: the side, in received pixels, of the smallest square it resolves (the simulated
   * MLLM's encoder patch, perception/acuity.ts). Objects narrower than that lose their shape. Absent: pixel-exact.
   */
  acuity?: (size: Size) => number;
}

export class ImageCache {
  private readonly entries = new Map<string, SeenImage>();

  constructor(private readonly options: ImageCacheOptions = {}) {}

  /** Base64 payload, with or without a `data:image/...;base64,` prefix. */
  async fromBase64(value: string): Promise<SeenImage> {
    const payload = value.startsWith('data:') ? value.slice(value.indexOf(',') + 1) : value;
    const key = createHash('sha1').update(payload).digest('hex');
    const cached = this.entries.get(key);
    if (cached !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, cached);
      return cached;
    }
    const image = await decodeImageBytes(Buffer.from(payload, 'base64'));
    return this.remember(key, image);
  }

  /** A data URL, or an http(s) URL on loopback; anything else is refused. */
  async fromUrl(url: string): Promise<SeenImage> {
    if (url.startsWith('data:')) return this.fromBase64(url);
    if (!isLoopbackUrl(url)) {
      throw mmevolveError('invalid-input', `image URL ${url} is not a data URL or a loopback http(s) URL`, 'the simulated server only fetches images from 127.0.0.1 / localhost');
    }
    const response = await fetch(url);
    if (!response.ok) throw mmevolveError('invalid-input', `fetching ${url} returned HTTP ${response.status}`, 'check the image URL');
    const bytes = new Uint8Array(await response.arrayBuffer());
    return this.fromBase64(Buffer.from(bytes).toString('base64'));
  }

  get(key: string): SeenImage | undefined {
    return this.entries.get(key);
  }

  remember(key: string, image: RgbImage): SeenImage {
    let objects: PerceivedObject[] | undefined;
    const acuity = this.options.acuity;
    const perceive = (): PerceivedObject[] => (acuity === undefined ? perceiveObjects(image) : limitAcuity(perceiveObjects(image), acuity(image)));
    const seen: SeenImage = { key, image, objects: () => (objects ??= perceive()) };
    return rememberBounded(this.entries, key, seen, CACHE_LIMIT);
  }
}
