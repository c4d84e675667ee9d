/**
 * The Roboflow inference server's SAM 3 HTTP protocol, as zod schemas. Our segmenter client and the simulated
 * segmenter server (src/sim/servers) both validate against these, and both are checked against the contract
 * fixtures in src/protocols/__contracts__/roboflow-sam3.json, written from the upstream files:
 *  - inference/core/entities/requests/sam3.py (Sam3Prompt: type, text, output_prob_thresh, boxes as XYWH or
 *    XYXY absolute pixels, box_labels; Sam3SegmentationRequest: image required, image_id "optional, for
 *    caching embeddings", format 'polygon' (default) | 'rle', output_prob_thresh 0.5, prompts min 1 and at
 *    most SAM3_MAX_PROMPT_BATCH_SIZE (env, default 16), nms_iou_threshold);
 *  - inference/core/entities/responses/sam3.py (Sam3EmbeddingResponse {image_id, time},
 *    Sam3SegmentationPrediction {masks, confidence, format}, Sam3PromptEcho, Sam3PromptResult,
 *    Sam3SegmentationResponse {prompt_results, time});
 *  - inference/core/interfaces/http/http_api.py: `/sam3/concept_segment` loads the concept model
 *    (sam3/sam3_final); `/sam3/embed_image` and `/sam3/visual_segment` load the *interactive* model
 *    (sam3/sam3_interactive), whose embedding cache only visual_segment reads; embed_image answers 501 in
 *    remote exec mode. The key is the `api_key` query parameter.
 *  - inference/models/sam3/segment_anything3.py (segment_image): concept_segment never reads image_id; it
 *    loads the request's image and runs ONE forward pass over all of the request's prompts, so the image is
 *    encoded once per request. Saving encodes means batching prompts, not reusing an image_id.
 * RLE masks are pycocotools' `{size: [height, width], counts: string}`; polygon masks are a list of polygons,
 * each a list of integer [x, y] points (masks2multipoly). Predictions carry no box: boxes derive from masks.
 * Pydantic serialises unset optionals as null, so optional response fields accept null.
 */
import { z } from 'zod';
import type { Box } from '../core/index.js';

/** Interactive model (sam3/sam3_interactive): caches an embedding under image_id for visual_segment only. */
export const SAM3_EMBED_IMAGE_PATH = '/sam3/embed_image';
/** Concept model (PCS): one image encode per request, all prompts in one pass. */
export const SAM3_CONCEPT_SEGMENT_PATH = '/sam3/concept_segment';
/** Interactive model (PVS): SAM 2-style point/box prompts; reuses embed_image's cache by image_id. */
export const SAM3_VISUAL_SEGMENT_PATH = '/sam3/visual_segment';
/** SAM3_MAX_PROMPT_BATCH_SIZE's default (inference/core/env.py): more prompts in one request is a 422. */
export const SAM3_MAX_PROMPT_BATCH_SIZE = 16;
/** The server reads the key from this query parameter (curl_examples.md: `?api_key=$API_KEY`). */
export const SAM3_API_KEY_PARAMETER = 'api_key';
/** Request default in Sam3SegmentationRequest. */
export const SAM3_DEFAULT_OUTPUT_PROB_THRESH = 0.5;

/** InferenceRequestImage: we send base64; the server also accepts a URL. */
export const sam3ImageSchema = z.object({
  type: z.enum(['base64', 'url']),
  value: z.string().min(1),
});
export type Sam3Image = z.infer<typeof sam3ImageSchema>;

export const sam3EmbedImageRequestSchema = z.object({
  image: sam3ImageSchema.optional(),
  image_id: z.string().min(1).nullish(),
  model_id: z.string().nullish(),
});

export const sam3EmbedImageResponseSchema = z.object({
  image_id: z.string().min(1),
  time: z.number(),
  // Present in some server versions (EmbedImageResponse.image_shape); not required.
  image_shape: z.array(z.number()).nullish(),
});

/** Absolute pixels, top-left anchored. */
export const sam3BoxXywhSchema = z.object({
  x: z.number(),
  y: z.number(),
  width: z.number().nonnegative(),
  height: z.number().nonnegative(),
});
/** Absolute pixels, corners. */
export const sam3BoxXyxySchema = z.object({ x0: z.number(), y0: z.number(), x1: z.number(), y1: z.number() });
export const sam3BoxSchema = z.union([sam3BoxXyxySchema, sam3BoxXywhSchema]);
export type Sam3Box = z.infer<typeof sam3BoxSchema>;

export const sam3PromptSchema = z
  .object({
    type: z.enum(['text', 'visual']).nullish(),
    text: z.string().nullish(),
    boxes: z.array(sam3BoxSchema).nullish(),
    /** 1 / true = positive exemplar, 0 / false = negative exemplar. */
    box_labels: z.array(z.union([z.literal(0), z.literal(1), z.boolean()])).nullish(),
    output_prob_thresh: z.number().min(0).max(1).nullish(),
  })
  .superRefine((prompt, context) => {
    const boxCount = prompt.boxes?.length ?? 0;
    if (prompt.type === 'visual' && boxCount === 0) {
      context.addIssue({ code: 'custom', message: 'Visual prompt requires at least one box', path: ['boxes'] });
    }
    if (prompt.box_labels !== null && prompt.box_labels !== undefined && prompt.box_labels.length !== boxCount) {
      context.addIssue({
        code: 'custom',
        message: 'box_labels must match boxes length when provided',
        path: ['box_labels'],
      });
    }
    if (boxCount === 0 && (prompt.text === null || prompt.text === undefined || prompt.text.trim() === '')) {
      context.addIssue({ code: 'custom', message: 'A prompt needs text or boxes', path: ['text'] });
    }
  });
export type Sam3Prompt = z.infer<typeof sam3PromptSchema>;

export const sam3MaskFormatSchema = z.enum(['polygon', 'rle']);
export type Sam3MaskFormat = z.infer<typeof sam3MaskFormatSchema>;

/**
 * `image` is required; `image_id` is accepted (the pydantic model declares it) but the concept model never
 * reads it, so our client does not send it.
 */
export const sam3ConceptSegmentRequestSchema = z
  .object({
    image: sam3ImageSchema,
    image_id: z.string().nullish(),
    prompts: z
      .array(sam3PromptSchema)
      .min(1, 'At least one prompt is required')
      .max(SAM3_MAX_PROMPT_BATCH_SIZE, `Exceeded SAM3_MAX_PROMPT_BATCH_SIZE=${SAM3_MAX_PROMPT_BATCH_SIZE}`),
    format: sam3MaskFormatSchema.default('polygon'),
    output_prob_thresh: z.number().min(0).max(1).default(SAM3_DEFAULT_OUTPUT_PROB_THRESH),
    model_id: z.string().nullish(),
    nms_iou_threshold: z.number().min(0).max(1).nullish(),
  });
export type Sam3ConceptSegmentRequest = z.input<typeof sam3ConceptSegmentRequestSchema>;

/** pycocotools RLE with string counts (column-major). */
export const sam3RleSchema = z.object({
  size: z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative()]),
  counts: z.string(),
});

/** One instance may be several polygons (holes are not represented; masks2multipoly keeps outer rings). */
export const sam3PolygonsSchema = z.array(z.array(z.tuple([z.number(), z.number()])));

export const sam3PredictionSchema = z.object({
  masks: z.union([sam3RleSchema, sam3PolygonsSchema]),
  confidence: z.number(),
  format: z.string().nullish(),
});
export type Sam3Prediction = z.infer<typeof sam3PredictionSchema>;

export const sam3PromptEchoSchema = z.object({
  prompt_index: z.number().int().nonnegative(),
  type: z.string().nullish(),
  text: z.string().nullish(),
  num_boxes: z.number().int().nullish(),
});

export const sam3PromptResultSchema = z.object({
  prompt_index: z.number().int().nonnegative(),
  echo: sam3PromptEchoSchema,
  predictions: z.array(sam3PredictionSchema),
});
export type Sam3PromptResult = z.infer<typeof sam3PromptResultSchema>;

export const sam3ConceptSegmentResponseSchema = z.object({
  prompt_results: z.array(sam3PromptResultSchema),
  time: z.number(),
});
export type Sam3ConceptSegmentResponse = z.infer<typeof sam3ConceptSegmentResponseSchema>;

/** Our canonical [x1, y1, x2, y2] box as the protocol's XYXY object. */
export function toSam3Box(box: Box): z.infer<typeof sam3BoxXyxySchema> {
  return { x0: box[0], y0: box[1], x1: box[2], y1: box[3] };
}

/** Either protocol box form as our canonical [x1, y1, x2, y2]. */
export function fromSam3Box(box: Sam3Box): Box {
  if ('x0' in box) return [box.x0, box.y0, box.x1, box.y1];
  return [box.x, box.y, box.x + box.width, box.y + box.height];
}
