import { readFile, writeFile } from 'node:fs/promises';
import { extname } from 'node:path';
import sharp from 'sharp';
import { createMask, mmevolveError } from '../core/index.js';
import type { Mask, RgbImage, Size } from '../core/index.js';

/**
 * Image decode/encode with sharp (libvips). Decoding follows OpenCV 4.6 `cv2.imread(path)` conventions:
 * EXIF orientation applied to JPEG and PNG (OpenCV ApplyExifOrientation: 2 flip x, 3 rotate 180,
 * 4 flip y, 5 transpose, 6 rotate 90° clockwise, 7 transverse, 8 rotate 90° counter-clockwise) but not
 * to WebP, whose EXIF OpenCV 4.6 ignores (checked with Debian's python3-opencv 4.6), alpha dropped
 * without compositing, greyscale expanded to three equal channels, 16-bit reduced to 8-bit.
 * Pixels come back as RGB (not OpenCV's BGR). On the committed fixtures (JPEG 4:2:0 with orientations
 * 1–8, oriented PNGs, a 16-bit PNG) the pixels are identical to Debian's OpenCV 4.6 imread; other
 * OpenCV builds may use another libjpeg IDCT and differ by a few levels.
 */

export type ImageFormat = 'png' | 'jpeg' | 'webp';

export interface EncodeOptions {
  /** Lossy quality 1–100 for JPEG and WebP (default 95). */
  quality?: number;
}

/** Default JPEG/WebP quality: high enough that overlays keep their exact blend colours nearly intact. */
const DEFAULT_QUALITY = 95;

/** OpenCV 4.6 imread reads EXIF orientation from JPEG and PNG but not from WebP. */
function honoursOrientation(format: string | undefined): boolean {
  return format !== 'webp';
}

/** EXIF orientations 5–8 swap width and height. */
function swapsAxes(metadata: sharp.Metadata): boolean {
  const orientation = metadata.orientation;
  return honoursOrientation(metadata.format) && orientation !== undefined && orientation >= 5 && orientation <= 8;
}

function unreadable(source: string, cause: unknown): Error {
  const reason = cause instanceof Error ? cause.message.split('\n')[0] : String(cause);
  return mmevolveError(
    'unreadable-image',
    `cannot decode image ${source}: ${reason}`,
    'check that the file is a complete JPEG, PNG or WebP (re-download or re-export it if it is truncated)',
    cause,
  );
}

export interface DecodeOptions {
  /** Refuse inputs with more pixels than this (libvips checks the header before decoding); default sharp's 268 MP. */
  limitInputPixels?: number;
  /** Abandon a decode that takes longer (libvips stops the pipeline); whole seconds, at least 1. */
  timeoutSeconds?: number;
}

export async function decodeImage(bytes: Uint8Array, source = '<buffer>', options: DecodeOptions = {}): Promise<RgbImage> {
  try {
    const input = sharp(bytes, options.limitInputPixels === undefined ? {} : { limitInputPixels: options.limitInputPixels });
    if (options.timeoutSeconds !== undefined) input.timeout({ seconds: Math.max(1, Math.ceil(options.timeoutSeconds)) });
    const metadata = await input.metadata();
    const oriented = honoursOrientation(metadata.format) ? input.rotate() : input;
    const { data, info } = await oriented
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) {
      throw new Error(`decoder produced ${info.channels} channels instead of 3`);
    }
    return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
  } catch (error) {
    throw unreadable(source, error);
  }
}

async function readBytes(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    throw mmevolveError('unreadable-image', `cannot read image file ${path}`, 'check the path and its permissions', error);
  }
}

export async function readImage(path: string): Promise<RgbImage> {
  return decodeImage(await readBytes(path), path);
}

/** Width and height after EXIF orientation, read from the header without decoding pixels. */
export async function readImageSize(path: string): Promise<Size> {
  const bytes = await readBytes(path);
  try {
    const metadata = await sharp(bytes).metadata();
    if (metadata.width === undefined || metadata.height === undefined) throw new Error('no dimensions in header');
    return swapsAxes(metadata)
      ? { width: metadata.height, height: metadata.width }
      : { width: metadata.width, height: metadata.height };
  } catch (error) {
    throw unreadable(path, error);
  }
}

function checkImage(image: RgbImage): void {
  if (image.data.length !== image.width * image.height * 3 || image.width < 1 || image.height < 1) {
    throw mmevolveError(
      'invalid-input',
      `image of ${image.width}x${image.height} has ${image.data.length} bytes, expected ${image.width * image.height * 3}`,
      'an RgbImage holds width*height*3 interleaved RGB bytes and is at least 1x1',
    );
  }
}

/** Encodes RGB pixels; JPEG uses 4:4:4 chroma (no colour subsampling) so thin overlay lines keep their colour. */
export async function encodeImage(image: RgbImage, format: ImageFormat, options: EncodeOptions = {}): Promise<Buffer> {
  checkImage(image);
  const quality = options.quality ?? DEFAULT_QUALITY;
  const pipeline = sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } });
  switch (format) {
    case 'png':
      return pipeline.png().toBuffer();
    case 'jpeg':
      return pipeline.jpeg({ quality, chromaSubsampling: '4:4:4' }).toBuffer();
    case 'webp':
      // Lossy WebP always subsamples chroma; smartSubsample keeps colour edges sharper.
      return pipeline.webp({ quality, smartSubsample: true }).toBuffer();
  }
}

const FORMAT_BY_EXTENSION: Record<string, ImageFormat> = { '.png': 'png', '.jpg': 'jpeg', '.jpeg': 'jpeg', '.webp': 'webp' };

export function imageFormatFromPath(path: string): ImageFormat {
  const format = FORMAT_BY_EXTENSION[extname(path).toLowerCase()];
  if (format === undefined) {
    throw mmevolveError('invalid-input', `cannot tell the image format of ${path}`, 'use a .png, .jpg, .jpeg or .webp file name');
  }
  return format;
}

export async function writeImage(path: string, image: RgbImage, options: EncodeOptions = {}): Promise<void> {
  await writeFile(path, await encodeImage(image, imageFormatFromPath(path), options));
}

/** 8-bit greyscale PNG, foreground (any non-zero value) written as 255. */
export async function encodeMaskPng(mask: Mask): Promise<Buffer> {
  if (mask.width < 1 || mask.height < 1) {
    throw mmevolveError('invalid-input', `cannot write a ${mask.width}x${mask.height} mask as PNG`, 'PNG needs at least 1x1 pixels');
  }
  const grey = Buffer.alloc(mask.width * mask.height);
  for (let index = 0; index < grey.length; index += 1) if (mask.data[index] !== 0) grey[index] = 255;
  // Without an explicit 'b-w' colourspace libvips would widen a 1-channel raw input to RGB.
  return sharp(grey, { raw: { width: mask.width, height: mask.height, channels: 1 } })
    .toColourspace('b-w')
    .png()
    .toBuffer();
}

/**
 * A 0/1 mask from an image file: a pixel is foreground when any colour channel is non-zero (alpha is
 * ignored). No EXIF rotation: mask files are stored in the image's pixel frame.
 */
export async function decodeMaskPng(bytes: Uint8Array, source = '<buffer>'): Promise<Mask> {
  try {
    const { data, info } = await sharp(bytes).removeAlpha().raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    const mask = createMask(info.width, info.height);
    const channels = info.channels;
    for (let index = 0; index < mask.data.length; index += 1) {
      for (let channel = 0; channel < channels; channel += 1) {
        if (data[index * channels + channel] !== 0) {
          mask.data[index] = 1;
          break;
        }
      }
    }
    return mask;
  } catch (error) {
    throw unreadable(source, error);
  }
}
