// Wire formats and model conventions shared by the clients (backends/) and the simulated servers (sim/).
export {
  SAM3_API_KEY_PARAMETER,
  SAM3_CONCEPT_SEGMENT_PATH,
  SAM3_DEFAULT_OUTPUT_PROB_THRESH,
  SAM3_EMBED_IMAGE_PATH,
  fromSam3Box,
  sam3BoxSchema,
  sam3ConceptSegmentRequestSchema,
  sam3ConceptSegmentResponseSchema,
  sam3EmbedImageRequestSchema,
  sam3EmbedImageResponseSchema,
  sam3ImageSchema,
  sam3PolygonsSchema,
  sam3PredictionSchema,
  sam3PromptSchema,
  sam3PromptResultSchema,
  sam3RleSchema,
  toSam3Box,
} from './sam3-protocol.js';
export type {
  Sam3Box,
  Sam3ConceptSegmentRequest,
  Sam3ConceptSegmentRequestParsed,
  Sam3ConceptSegmentResponse,
  Sam3EmbedImageRequest,
  Sam3EmbedImageResponse,
  Sam3Image,
  Sam3MaskFormat,
  Sam3Polygons,
  Sam3Prediction,
  Sam3Prompt,
  Sam3PromptResult,
  Sam3Rle,
} from './sam3-protocol.js';
export {
  OFFLINE_EMBEDDING_DIMENSIONS,
  OFFLINE_IMAGE_MODEL,
  OFFLINE_TEXT_MODEL,
  lexicalTextEmbedding,
  perceptualImageEmbedding,
} from './offline-embedding.js';
export * from './profiles/index.js';
