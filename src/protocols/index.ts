// Wire formats and model conventions shared by the clients (backends/) and the simulated servers (sim/).
export {
  SAM3_API_KEY_PARAMETER,
  SAM3_CONCEPT_SEGMENT_PATH,
  SAM3_DEFAULT_OUTPUT_PROB_THRESH,
  SAM3_EMBED_IMAGE_PATH,
  SAM3_MAX_PROMPT_BATCH_SIZE,
  SAM3_VISUAL_SEGMENT_PATH,
  fromSam3Box,
  sam3ConceptSegmentRequestSchema,
  sam3ConceptSegmentResponseSchema,
  sam3EmbedImageRequestSchema,
  sam3EmbedImageResponseSchema,
  toSam3Box,
} from './sam3-protocol.js';
export type {
  Sam3ConceptSegmentRequest,
  Sam3ConceptSegmentResponse,
  Sam3Image,
  Sam3MaskFormat,
  Sam3Prediction,
  Sam3Prompt,
  Sam3PromptResult,
} from './sam3-protocol.js';
export {
  OFFLINE_EMBEDDING_DIMENSIONS,
  lexicalTextEmbedding,
  perceptualImageEmbedding,
} from './offline-embedding.js';
export * from './profiles/index.js';
