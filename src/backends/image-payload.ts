/**
 * Images for chat requests: hashed from their pixels (cache keys need no encode), optionally pre-resized to
 * the frame the model's profile would resize to anyway (no point sending pixels the server throws away),
 * and encoded once as data URLs.
 */
import { createHash } from 'node:crypto';
import sharp from 'sharp';
import type { Box, ChatImage, EncodedImage, RgbImage, SentImageFrame, Size, Warning } from '../core/index.js';

/** The part of a model profile (src/protocols/profiles) the client needs: framing and box conversion. */
export interface FramingProfile {
  readonly name: string;
  /** The image processor's pixel limits (null: the family does not resize by area). */
  readonly pixelBounds?: { readonly maxPixels: number } | null;
  imageFrame(size: Size): Size;
  fromModelBox(modelBox: Box, imageSize: Size): Box;
}

export interface ImageEncodingOptions {
  format: 'jpeg' | 'png';
  /** JPEG quality; 90 keeps artefacts below what VLM encoders resolve. */
  quality: number;
  /** Downscale RGB images to the profile frame when it has fewer pixels than the original. */
  resizeToProfile: boolean;
}

export const DEFAULT_IMAGE_ENCODING: ImageEncodingOptions = { format: 'jpeg', quality: 90, resizeToProfile: true };

export interface PlannedImage {
  /** Content hash of what will be sent (pixels or encoded bytes, size and encoding parameters); memoised. */
  hash(): string;
  frame: SentImageFrame;
  warnings: Warning[];
  /** Encodes on first call, then returns the same data URL. */
  dataUrl(): Promise<string>;
}

function isEncoded(image: ChatImage): image is EncodedImage {
  return 'bytes' in image && 'mimeType' in image;
}

/**
 * Per pixel buffer (images are treated as immutable once handed to a client): the content hash and the
 * encoded data URL per encoding, so an image sent with many requests (the raw image beside every pair of
 * overlays a judge compares) is hashed and encoded once.
 */
const pixelHashes = new WeakMap<Uint8Array, string>();
const encodedUrls = new WeakMap<Uint8Array, Map<string, Promise<string>>>();

function hashOf(parts: readonly (string | Uint8Array)[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest('hex');
}

async function encodeRgb(image: RgbImage, target: Size, options: ImageEncodingOptions): Promise<Buffer> {
  let pipeline = sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } });
  if (target.width !== image.width || target.height !== image.height) {
    pipeline = pipeline.resize(target.width, target.height, { fit: 'fill', kernel: 'lanczos3' });
  }
  return options.format === 'png'
    ? pipeline.png({ compressionLevel: 3 }).toBuffer()
    : pipeline.jpeg({ quality: options.quality, chromaSubsampling: '4:4:4' }).toBuffer();
}

export function planImage(image: ChatImage, profile: FramingProfile | undefined, options: ImageEncodingOptions): PlannedImage {
  const original: Size = { width: image.width, height: image.height };
  if (isEncoded(image)) {
    const url = `data:${image.mimeType};base64,${Buffer.from(image.bytes).toString('base64')}`;
    return {
      hash: () => hashOf([image.mimeType, image.bytes]),
      frame: { original, sent: original },
      warnings: [],
      dataUrl: () => Promise.resolve(url),
    };
  }
  const warnings: Warning[] = [];
  let sent = original;
  if (options.resizeToProfile && profile !== undefined) {
    const frame = profile.imageFrame(original);
    if (frame.width * frame.height < original.width * original.height) {
      // Sent in the model's own frame. Snapping to its patch grid (721×459 → 728×448) is not a downscale;
      // only an image over the processor's pixel limit loses detail, and only that is worth a warning.
      sent = frame;
      const maxPixels = profile.pixelBounds?.maxPixels;
      if (maxPixels !== undefined && original.width * original.height > maxPixels) {
        warnings.push({
          code: 'image-downscaled',
          message: `image downscaled from ${original.width}×${original.height} to ${frame.width}×${frame.height} (over profile ${profile.name}'s ${maxPixels} max pixels)`,
        });
      }
    }
  }
  const encoding = `${image.width}x${image.height}>${sent.width}x${sent.height}:${options.format}:${options.quality}`;
  return {
    hash: () => {
      let pixels = pixelHashes.get(image.data);
      if (pixels === undefined) {
        pixels = hashOf([`${image.width}x${image.height}:`, image.data]);
        pixelHashes.set(image.data, pixels);
      }
      return hashOf([encoding, pixels]);
    },
    frame: { original, sent },
    warnings,
    dataUrl: () => {
      let byEncoding = encodedUrls.get(image.data);
      if (byEncoding === undefined) {
        byEncoding = new Map();
        encodedUrls.set(image.data, byEncoding);
      }
      let encoded = byEncoding.get(encoding);
      if (encoded === undefined) {
        encoded = encodeRgb(image, sent, options).then((bytes) => `data:image/${options.format};base64,${bytes.toString('base64')}`);
        byEncoding.set(encoding, encoded);
        // A failed encode must not be remembered.
        encoded.catch(() => byEncoding?.delete(encoding));
      }
      return encoded;
    },
  };
}
