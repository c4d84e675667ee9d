import { describe, expect, it } from 'vitest';
import { isMmevolveError } from '../core/index.js';
import { encodeImage } from '../vision/index.js';
import { statusForCode } from './api-errors.js';
import { bombPng, blurredSvg, otherFormats, pngClaiming } from './hostile-inputs.js';
import { DecodeSlots, admitImage, decodeGatedImage, sniffImageFormat } from './image-gate.js';
import { dataUrlBytes } from './image-input.js';
import { resolveLimits } from './limits.js';

const limits = resolveLimits();

async function refusal(promise: Promise<unknown>): Promise<{ code: string; status: number; message: string; ms: number }> {
  const started = performance.now();
  const error = await promise.then(() => undefined, (caught: unknown) => caught);
  if (!isMmevolveError(error)) throw new Error(`expected a typed refusal, got ${String(error)}`);
  return { code: error.code, status: statusForCode(error.code), message: error.message, ms: performance.now() - started };
}

describe('the image gate', () => {
  it('reads the format from the magic bytes: JPEG, PNG and WebP pass, whatever else is 415 naming the allowed types', async () => {
    const pixels = { width: 4, height: 3, data: new Uint8Array(36).fill(90) };
    expect(sniffImageFormat(await encodeImage(pixels, 'png'))).toBe('png');
    expect(sniffImageFormat(await encodeImage(pixels, 'jpeg'))).toBe('jpeg');
    expect(sniffImageFormat(await encodeImage(pixels, 'webp'))).toBe('webp');
    const others = await otherFormats();
    for (const [name, bytes] of [['SVG', blurredSvg(6000)], ['GIF', others.gif], ['TIFF', others.tiff], ['AVIF/HEIF', others.avif]] as const) {
      const refused = await refusal(decodeGatedImage(bytes, limits, 'upload'));
      expect(refused, `${name} must be refused by its bytes`).toMatchObject({ code: 'unsupported-media-type', status: 415 });
      expect(refused.message).toContain(name);
      expect(refused.message).toContain('JPEG, PNG or WebP');
      expect(refused.ms, `${name} is refused without decoding`).toBeLessThan(500);
    }
  });

  it('refuses the 4.9 KB 1-bit PNG of 7000×5700 as a decompression bomb before decoding it', async () => {
    const bomb = bombPng(7000, 5700);
    expect(bomb.length).toBeLessThan(6000);
    expect(7000 * 5700, 'the bomb is under the pixel limit: the pixel check alone lets it through').toBeLessThan(limits.maxImagePixels);
    const refused = await refusal(decodeGatedImage(bomb, limits, 'upload'));
    expect(refused).toMatchObject({ code: 'image-too-large', status: 413 });
    expect(refused.message).toContain('decompression bomb');
    expect(refused.ms).toBeLessThan(500);
  });

  it('refuses a header claiming more pixels than the limit, from the header alone', async () => {
    const refused = await refusal(admitImage(pngClaiming(100_000, 100_000), limits, 'upload'));
    expect(refused).toMatchObject({ code: 'image-too-large', status: 413 });
    expect(refused.message).toContain('100000×100000');
  });

  it('abandons a decode that takes longer than the decode timeout', async () => {
    // The bomb with the ratio check off stands for an image that is honest but too slow to decode here.
    // 5 ms: no machine decodes 40 megapixels that fast, so the timeout fires whatever the machine's speed.
    const slow = { ...limits, maxPixelsPerByte: Number.POSITIVE_INFINITY, decodeTimeoutMs: 5 };
    const refused = await refusal(decodeGatedImage(bombPng(7000, 5700), slow, 'upload'));
    expect(refused, refused.message).toMatchObject({ code: 'image-too-large', status: 413 });
    expect(refused.message).toContain('to decode');
  });

  it('lets at most the configured number of decodes run at once and turns away waiters beyond the queue', async () => {
    const slots = new DecodeSlots(2, 1);
    let running = 0;
    let most = 0;
    const releases: (() => void)[] = [];
    const work = () =>
      new Promise<void>((resolve) => {
        running += 1;
        most = Math.max(most, running);
        releases.push(() => {
          running -= 1;
          resolve();
        });
      });
    const first = [slots.run(work), slots.run(work), slots.run(work)];
    const fourth = await refusal(slots.run(work));
    expect(fourth).toMatchObject({ code: 'overloaded', status: 503 });
    const controller = new AbortController();
    while (releases.length < 2) await new Promise((resolve) => setTimeout(resolve, 1));
    releases.shift()?.();
    while (releases.length < 2) await new Promise((resolve) => setTimeout(resolve, 1));
    const waiting = slots.run(work, controller.signal);
    controller.abort();
    expect(await refusal(waiting), 'an aborted waiter leaves the queue').toMatchObject({ code: 'cancelled' });
    for (const release of releases.splice(0)) release();
    await Promise.all(first);
    expect(most).toBe(2);
  });

  it('accepts a data: URL with parameters such as ;charset= before ;base64', async () => {
    const bytes = await encodeImage({ width: 2, height: 2, data: new Uint8Array(12).fill(7) }, 'png');
    const url = `data:image/png;charset=utf-8;base64,${bytes.toString('base64')}`;
    expect(Buffer.from(dataUrlBytes(url, 'image 1')).equals(bytes)).toBe(true);
    const image = await decodeGatedImage(dataUrlBytes(url, 'image 1'), limits, 'image 1');
    expect([image.width, image.height]).toEqual([2, 2]);
  });
});
