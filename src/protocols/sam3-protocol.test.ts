import { describe, expect, it } from 'vitest';
import {
  fromSam3Box,
  sam3ConceptSegmentRequestSchema,
  sam3ConceptSegmentResponseSchema,
  sam3EmbedImageResponseSchema,
  toSam3Box,
} from './sam3-protocol.js';

describe('SAM 3 protocol schemas', () => {
  it('accepts the documented mixed text and visual prompt request and fills the server defaults', () => {
    const parsed = sam3ConceptSegmentRequestSchema.parse({
      image: { type: 'base64', value: 'aGVsbG8=' },
      prompts: [
        { type: 'text', text: 'person' },
        {
          type: 'visual',
          text: 'dog',
          boxes: [
            { x: 120, y: 180, width: 160, height: 140 },
            { x0: 400, y0: 200, x1: 520, y1: 360 },
          ],
          box_labels: [1, 0],
        },
      ],
    });
    expect(parsed.format).toBe('polygon');
    expect(parsed.output_prob_thresh).toBe(0.5);
    expect(parsed.prompts).toHaveLength(2);
  });

  it('rejects a visual prompt without boxes and labels that do not match the boxes', () => {
    const noBoxes = sam3ConceptSegmentRequestSchema.safeParse({
      image_id: 'abc',
      prompts: [{ type: 'visual', text: 'dog' }],
    });
    expect(noBoxes.success).toBe(false);
    const mismatched = sam3ConceptSegmentRequestSchema.safeParse({
      image_id: 'abc',
      prompts: [{ type: 'visual', boxes: [{ x0: 0, y0: 0, x1: 1, y1: 1 }], box_labels: [1, 0] }],
    });
    expect(mismatched.success).toBe(false);
  });

  it('rejects a request with neither image nor image_id, and one with no prompts', () => {
    expect(sam3ConceptSegmentRequestSchema.safeParse({ prompts: [{ type: 'text', text: 'x' }] }).success).toBe(false);
    expect(sam3ConceptSegmentRequestSchema.safeParse({ image_id: 'a', prompts: [] }).success).toBe(false);
  });

  it('parses RLE and polygon predictions with null echo fields as pydantic serialises them', () => {
    const response = sam3ConceptSegmentResponseSchema.parse({
      time: 0.12,
      prompt_results: [
        {
          prompt_index: 0,
          echo: { prompt_index: 0, type: 'text', text: 'cat', num_boxes: 0 },
          predictions: [{ masks: { size: [4, 5], counts: '04L00' }, confidence: 0.9, format: 'rle' }],
        },
        {
          prompt_index: 1,
          echo: { prompt_index: 1, type: 'visual', text: null, num_boxes: 1 },
          predictions: [{ masks: [[[1, 1], [3, 1], [3, 3]]], confidence: 0.7, format: 'polygon' }],
        },
      ],
    });
    expect(response.prompt_results[0]?.predictions[0]?.masks).toEqual({ size: [4, 5], counts: '04L00' });
    expect(Array.isArray(response.prompt_results[1]?.predictions[0]?.masks)).toBe(true);
    expect(sam3EmbedImageResponseSchema.parse({ image_id: 'id-1', time: 0.5 }).image_id).toBe('id-1');
  });

  it('converts boxes between the canonical form and both protocol forms', () => {
    expect(toSam3Box([1, 2, 3, 4])).toEqual({ x0: 1, y0: 2, x1: 3, y1: 4 });
    expect(fromSam3Box({ x: 10, y: 20, width: 5, height: 6 })).toEqual([10, 20, 15, 26]);
    expect(fromSam3Box({ x0: 1, y0: 2, x1: 3, y1: 4 })).toEqual([1, 2, 3, 4]);
  });
});
