import { describe, expect, it } from 'vitest';
import { createRng } from '../world/index.js';
import { decodeBase64Ascii, parseJsonBody, parseJsonBytes } from './json-body.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();
/** A base64-like image payload, long enough to be cut out of the body. */
const IMAGE = 'iVBORw0KGgoAAAANSUhEUgAA+/=='.repeat(400);

/** What context.req.json() gives: the parsed value, or the fact that it threw. */
function reference(bytes: Uint8Array): { value: unknown } | 'throws' {
  try {
    return { value: JSON.parse(decoder.decode(bytes)) as unknown };
  } catch {
    return 'throws';
  }
}

function fast(bytes: Uint8Array): { value: unknown } | 'throws' {
  try {
    return { value: parseJsonBytes(bytes) };
  } catch {
    return 'throws';
  }
}

function expectSameAsJsonParse(text: string | Uint8Array, what: string): void {
  const bytes = typeof text === 'string' ? encoder.encode(text) : text;
  expect(fast(bytes), what).toEqual(reference(bytes));
}

describe('parseJsonBytes', () => {
  it('returns the same value as JSON.parse for a segmenter request with a long base64 image', () => {
    const body = JSON.stringify({ image: { type: 'base64', value: IMAGE }, prompts: [{ text: 'red circle' }], format: 'rle' });
    const parsed = parseJsonBytes(encoder.encode(body)) as { image: { value: string } };
    expect(parsed).toEqual(JSON.parse(body));
    expect(parsed.image.value).toBe(IMAGE);
  });

  it('agrees with JSON.parse on escapes, non-ASCII text, long keys, arrays, whitespace and data URLs', () => {
    const cases: Record<string, string> = {
      'escape after the image': JSON.stringify({ image: { value: IMAGE }, prompts: [{ text: 'the "big" one\\' }] }),
      'escape before the image': JSON.stringify({ prompts: [{ text: 'tab\there' }], image: { value: IMAGE } }),
      'non-ASCII prompt': JSON.stringify({ image: { value: IMAGE }, prompts: [{ text: 'cercle rouge é ✓' }] }),
      'long key': JSON.stringify({ [IMAGE]: IMAGE }),
      'long key with spaces before the colon': `{"${IMAGE}" \n\t :  "${IMAGE}"}`,
      'several long literals in an array': JSON.stringify([IMAGE, 'x', `${IMAGE}A`, { deep: [IMAGE] }]),
      'data URL': JSON.stringify({ image: { type: 'url', value: `data:image/png;base64,${IMAGE}` } }),
      'prototype key': `{"__proto__": {"value": "${IMAGE}"}, "a": 1}`,
      'duplicate keys': `{"value": "${IMAGE}", "value": "short"}`,
      'a literal as long as the threshold': JSON.stringify({ value: 'a'.repeat(4096), other: 'b'.repeat(4095) }),
      'a bare long string': JSON.stringify(IMAGE),
      'a placeholder lookalike': JSON.stringify({ value: IMAGE, text: '\u0000mmevolve-long-string:00:0' }),
    };
    for (const [what, text] of Object.entries(cases)) expectSameAsJsonParse(text, what);
  });

  it('refuses exactly what JSON.parse refuses: raw control characters, unterminated or unpaired quotes', () => {
    const cases: Record<string, string> = {
      'raw tab inside the image': `{"value": "${IMAGE.slice(0, 500)}\t${IMAGE.slice(500)}"}`,
      'raw newline at the end of the image': `{"value": "${IMAGE}\n"}`,
      'unterminated image': `{"value": "${IMAGE}}`,
      'missing comma after the image': `{"value": "${IMAGE}" "other": 1}`,
      'image used as a bare key': `{"${IMAGE}"}`,
      'trailing garbage': `{"value": "${IMAGE}"} x`,
      'backslash outside strings': `{"value": "${IMAGE}", \\ "a": 1}`,
      empty: '',
    };
    for (const [what, text] of Object.entries(cases)) {
      expect(reference(encoder.encode(text)), `${what}: JSON.parse refuses it`).toBe('throws');
      expectSameAsJsonParse(text, what);
    }
  });

  it('agrees with JSON.parse on 400 randomly damaged request bodies (quotes, backslashes, control bytes, colons)', () => {
    const rng = createRng(4);
    const base = encoder.encode(JSON.stringify({ image: { type: 'base64', value: IMAGE }, image_id: 'abc', prompts: [{ text: 'circle' }, { text: IMAGE.slice(0, 5000) }], format: 'rle' }));
    const damage = [0x22, 0x5c, 0x09, 0x0a, 0x00, 0x3a, 0x2c, 0x7d, 0x20, 0xe9];
    let refused = 0;
    for (let trial = 0; trial < 400; trial += 1) {
      const bytes = Uint8Array.from(base);
      for (let edit = rng.int(1, 3); edit > 0; edit -= 1) bytes[rng.int(0, bytes.length - 1)] = rng.pick(damage);
      // Damage near the structure too, where the quotes and keys are.
      if (rng.chance(0.5)) bytes[rng.int(0, 40)] = rng.pick(damage);
      if (reference(bytes) === 'throws') refused += 1;
      expectSameAsJsonParse(bytes, `trial ${trial}`);
    }
    // Both outcomes must be exercised for the comparison to mean anything.
    expect(refused).toBeGreaterThan(50);
    expect(refused).toBeLessThan(380);
  });

  it('keeps a long image.value as its bytes and puts every other long literal back as a string', () => {
    const prompt = 'p'.repeat(5000);
    const text = JSON.stringify({ image: { type: 'base64', value: IMAGE }, prompts: [{ text: prompt, value: IMAGE }], extra: { value: IMAGE } });
    const body = parseJsonBody(encoder.encode(text));
    const value = body.value as { image: { value: string }; prompts: { text: string; value: string }[]; extra: { value: string } };
    expect(value.image.value).not.toBe(IMAGE);
    expect(value.image.value.length).toBeGreaterThan(0);
    expect(Buffer.from(body.imageBytes(value.image.value) ?? []).toString('latin1')).toBe(IMAGE);
    expect({ ...value, image: { ...value.image, value: IMAGE } }).toEqual(JSON.parse(text));
    expect(body.imageBytes(IMAGE), 'only the placeholder has bytes').toBeUndefined();
    expect(parseJsonBody(encoder.encode(JSON.stringify({ image: { value: 'short' } }))).imageBytes('short')).toBeUndefined();
  });
});

describe('decodeBase64Ascii', () => {
  const reference = (bytes: Uint8Array): Buffer => Buffer.from(Buffer.from(bytes).toString('latin1'), 'base64');

  it('equals Buffer.from(text, "base64") on clean payloads of every length around the 64 kB pieces', () => {
    const data = Buffer.from(Array.from({ length: 200_000 }, (_, index) => (index * 7919) % 256));
    for (const length of [0, 1, 2, 3, 1000, 49_151, 49_152, 49_153, 98_304, 150_000, 200_000]) {
      const text = encoder.encode(data.subarray(0, length).toString('base64'));
      expect(decodeBase64Ascii(text).equals(reference(text)), `length ${length}`).toBe(true);
    }
  });

  it('decodes into the buffer allocate gives, reused across payloads of different lengths', () => {
    const scratch = Buffer.alloc(200_000);
    const data = Buffer.from(Array.from({ length: 140_000 }, (_, index) => (index * 13 + 5) % 256));
    for (const length of [140_000, 1000, 98_305]) {
      const text = encoder.encode(data.subarray(0, length).toString('base64'));
      const decoded = decodeBase64Ascii(text, (size) => scratch.subarray(0, size));
      expect(decoded.equals(reference(text)), `length ${length}`).toBe(true);
      if (length > 49_152) expect(decoded.buffer, 'written into the scratch buffer').toBe(scratch.buffer);
    }
  });

  it('equals Buffer.from(text, "base64") on 300 damaged payloads (whitespace, padding, URL-safe and invalid characters)', () => {
    const rng = createRng(9);
    const clean = encoder.encode(Buffer.from(Array.from({ length: 150_000 }, (_, index) => (index * 31 + 7) % 256)).toString('base64'));
    const damage = [0x20, 0x0a, 0x3d, 0x2d, 0x5f, 0x2e, 0x21, 0x2b, 0x2f, 0x7e];
    for (let trial = 0; trial < 300; trial += 1) {
      const bytes = Uint8Array.from(clean.subarray(0, rng.int(1, clean.length)));
      for (let edit = rng.int(0, 3); edit > 0; edit -= 1) bytes[rng.int(0, bytes.length - 1)] = rng.pick(damage);
      expect(decodeBase64Ascii(bytes).equals(reference(bytes)), `trial ${trial}`).toBe(true);
    }
  });
});
