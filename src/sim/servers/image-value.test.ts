import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { imageValue } from './image-value.js';

const PAYLOAD = Buffer.from(Array.from({ length: 90_000 }, (_, index) => (index * 13) % 256)).toString('base64');

function sha1(text: string): string {
  return createHash('sha1').update(text).digest('hex');
}

describe('imageValue', () => {
  for (const [what, text] of [
    ['plain base64', PAYLOAD],
    ['data URL', `data:image/png;base64,${PAYLOAD}`],
    ['data URL without a comma', `data:${PAYLOAD}`],
    ['short text', 'abc'],
  ] as const) {
    it(`reads a ${what} the same from its text and from its bytes`, () => {
      const fromText = imageValue(text, undefined);
      const fromBytes = imageValue(text, Buffer.from(text, 'latin1'));
      const payload = text.startsWith('data:') ? text.slice(text.indexOf(',') + 1) : text;
      for (const value of [fromText, fromBytes]) {
        expect(value.isDataUrl).toBe(text.startsWith('data:'));
        expect(value.text()).toBe(text);
        expect(value.valueHash()).toBe(sha1(text));
        expect(value.payloadHash()).toBe(sha1(payload));
        expect(value.payloadBytes().equals(Buffer.from(payload, 'base64'))).toBe(true);
      }
    });
  }
});
