import type { ModelProfile } from './model-profile.js';
import { createPatchGridProfile } from './profiles.js';
import { glm4vSmartResize, keyePipelineResize, qwenVlUtilsSmartResize, transformersSmartResize } from './resize-rules.js';
import { qwenVlUtilsTotalVideoPixels } from './video-frame-size.js';

/**
 * The families of the tech reports beyond Qwen and InternVL. Every number below was read from the family's own
 * code at the commit named in `sources`; where a family publishes no grounding format the profile says so
 * (`grounding: 'fallback-generic'`) and uses the generic json-box prompt in the frame the model sees.
 */

/**
 * GLM-4.5V (and GLM-4.1V, same processor and box tokens). Boxes: zai-org/GLM-V README "Grounding" — the answer's
 * boxes are wrapped in <|begin_of_box|>…<|end_of_box|>, [x1,y1,x2,y2] "normalized by the image width (for x)
 * or height (for y) and scaled by 1000"; the bracket style may vary. Resize: transformers
 * models/glm4v/image_processing_glm4v.py — patch 14, merge 2 (factor 28), temporal patch 2 (an image is two
 * frames, so 2·h·w is compared with the bounds), size shortest_edge 112·112 = 12544, longest_edge 28·28·15000 =
 * 11760000; tokens = (h/28)·(w/28) (image_grid_thw [1, h/14, w/14] over merge²).
 */
export const glm45vProfile: ModelProfile = createPatchGridProfile({
  name: 'glm-4.5v',
  family: 'glm-4.5v',
  description: 'GLM-4.5V: smart_resize factor 28 (×2 temporal), boxes relative 0–1000 in <|begin_of_box|>…<|end_of_box|>',
  patchSize: 14,
  mergeSize: 2,
  boxConvention: 'relative-1000',
  boxSyntax: 'glm-begin-of-box',
  sources: [
    'zai-org/GLM-V@8fc9756fd2313c6b7717bb681bed58f0694abc22 README.md (Grounding)',
    'huggingface/transformers@052f526c0bf986965ad2144f49b6d5edfccf653f src/transformers/models/glm4v/image_processing_glm4v.py',
  ],
  minPixels: 112 * 112,
  maxPixels: 28 * 28 * 15000,
  video: null,
  resize: (height, width, bounds) => glm4vSmartResize(height, width, bounds),
});

/**
 * MiMo-VL: XiaomiMiMo/MiMo-VL README — "full compatibility with the Qwen2_5_VLForConditionalGeneration
 * architecture"; examples/grounding.ipynb asks for `[{"bbox_2d": [...], "label": ...}]` and maps boxes back with
 * qwen-vl-utils `smart_resize(height, width)` defaults (factor 28, 4·28² to 16384·28² pixels): absolute pixels
 * of the resized image (the notebook's 540×599 → 532×588). Video as qwen-vl-utils.
 */
export const mimoVlProfile: ModelProfile = createPatchGridProfile({
  name: 'mimo-vl',
  family: 'mimo-vl',
  description: 'MiMo-VL: Qwen2.5-VL vision stack, smart_resize factor 28, boxes in absolute pixels of the resized image',
  patchSize: 14,
  mergeSize: 2,
  boxConvention: 'absolute-resized',
  sources: [
    'XiaomiMiMo/MiMo-VL@ca17cb39bcda104353ef9765ef9372cc26ad8c76 examples/grounding.ipynb',
    'XiaomiMiMo/MiMo-VL@ca17cb39bcda104353ef9765ef9372cc26ad8c76 README.md (Qwen2_5_VLForConditionalGeneration)',
  ],
  minPixels: 4 * 28 * 28,
  maxPixels: 16384 * 28 * 28,
  video: { fps: 2, minFrames: 4, maxFrames: 768, minPixels: 128 * 28 * 28, maxPixels: 768 * 28 * 28, totalPixels: qwenVlUtilsTotalVideoPixels(28) },
  resize: qwenVlUtilsSmartResize(28),
});

/**
 * Keye-VL: Kwai-Keye/Keye keye-vl-8b-preview — preprocessor_config.json (patch 14, merge 2, min_pixels 3136,
 * max_pixels 1003520), image_processing_keye.py `smart_resize` (its own small-side rule), processing_keye.py
 * (tokens = grid_thw.prod() / merge²); the README pipeline resizes first with keye-vl-utils (qwen-vl-utils rule,
 * 4·28² to 16384·28²; video fps 2, 4–768 frames, 128·28² to 768·28²). No grounding format is published (the
 * tokenizer carries Qwen's unused <|box_start|> tokens, no prompt or parser uses them): generic fallback.
 */
export const keyeVlProfile: ModelProfile = createPatchGridProfile({
  name: 'keye-vl',
  family: 'keye-vl',
  description: 'Keye-VL: keye-vl-utils then processor smart_resize, factor 28, 3136–1003520 pixels; no grounding format published (generic fallback)',
  patchSize: 14,
  mergeSize: 2,
  boxConvention: 'absolute-resized',
  boxSyntax: 'json-box',
  grounding: 'fallback-generic',
  sources: [
    'Kwai-Keye/Keye@e47284487b82be86a3fd3d703138a8337aa09b85 keye-vl-8b-preview/preprocessor_config.json',
    'Kwai-Keye/Keye@e47284487b82be86a3fd3d703138a8337aa09b85 keye-vl-8b-preview/image_processing_keye.py',
    'Kwai-Keye/Keye@e47284487b82be86a3fd3d703138a8337aa09b85 keye-vl-8b-preview/processing_keye.py',
    'Kwai-Keye/Keye@e47284487b82be86a3fd3d703138a8337aa09b85 keye-vl-utils/src/keye_vl_utils/vision_process.py',
  ],
  minPixels: 3136,
  maxPixels: 1003520,
  video: { fps: 2, minFrames: 4, maxFrames: 768, minPixels: 128 * 28 * 28, maxPixels: 768 * 28 * 28, totalPixels: qwenVlUtilsTotalVideoPixels(28) },
  resize: (height, width, bounds) => keyePipelineResize(height, width, bounds),
});

/**
 * ERNIE-4.5-VL: transformers models/ernie4_5_vl_moe/image_processing_ernie4_5_vl_moe.py — Qwen2-VL's
 * smart_resize, patch 14, merge 2 (factor 28), size shortest_edge 56·56 = 3136, longest_edge 6177·28·28 =
 * 4842768; processing_ernie4_5_vl_moe.py: tokens = grid_thw.prod() / merge². No grounding format in the
 * processor, chat template or PaddlePaddle/ERNIE: generic fallback.
 */
export const ernie45VlProfile: ModelProfile = createPatchGridProfile({
  name: 'ernie-4.5-vl',
  family: 'ernie-4.5-vl',
  description: 'ERNIE-4.5-VL: smart_resize factor 28, 3136–4842768 pixels; no grounding format published (generic fallback)',
  patchSize: 14,
  mergeSize: 2,
  boxConvention: 'absolute-resized',
  boxSyntax: 'json-box',
  grounding: 'fallback-generic',
  sources: [
    'huggingface/transformers@4181e50458a4c5f210c31fd8c299ff211fea2efd src/transformers/models/ernie4_5_vl_moe/image_processing_ernie4_5_vl_moe.py',
    'huggingface/transformers@06053b84c14d72e9789fbf27844a75aa89b3ded7 src/transformers/models/ernie4_5_vl_moe/processing_ernie4_5_vl_moe.py',
  ],
  minPixels: 56 * 56,
  maxPixels: 6177 * 28 * 28,
  video: null,
  resize: transformersSmartResize(28),
});

/**
 * Seed1.5-VL (hosted on Volcano Engine as doubao-1-5-thinking-vision-pro-250428). Boxes `<bbox>x1 y1 x2 y2</bbox>`
 * and points `<point>x y</point>`, "relative format, normalized to a range of 0–999" and mapped back as v/1000·side
 * (ByteDance-Seed/Seed1.5-VL 3D-Understanding notebook; GUI/gui.ipynb passes factor 1000 to action_parser.py).
 * The server's own resize is not published; frame and tokens follow the cookbook client (GradioDemo/infer.py
 * get_resized_hw_for_Navit: factor 28, 4·28² to 5120·28², one token per 28×28 — its video budget divides
 * pixels by 28·28).
 */
export const seed15VlProfile: ModelProfile = createPatchGridProfile({
  name: 'seed1.5-vl',
  family: 'seed1.5-vl',
  description: 'Seed1.5-VL (hosted): cookbook resize factor 28, 3136–4014080 pixels; boxes relative 0–999 in <bbox>x1 y1 x2 y2</bbox>',
  patchSize: 14,
  mergeSize: 2,
  boxConvention: 'relative-1000',
  boxSyntax: 'seed-bbox',
  relativeMax: 999,
  sources: [
    'ByteDance-Seed/Seed1.5-VL@f952f84bcd8f720f7e75559b4262578217c48489 3D-Understanding/3D Understanding.ipynb',
    'ByteDance-Seed/Seed1.5-VL@f952f84bcd8f720f7e75559b4262578217c48489 GUI/action_parser.py, GUI/gui.ipynb',
    'ByteDance-Seed/Seed1.5-VL@f952f84bcd8f720f7e75559b4262578217c48489 GradioDemo/infer.py',
    'volcengine.com/docs/82379/1616136 (Grounding: <bbox>x1 y1 x2 y2</bbox>)',
  ],
  minPixels: 4 * 28 * 28,
  maxPixels: 5120 * 28 * 28,
  video: null,
  resize: qwenVlUtilsSmartResize(28),
});

/**
 * NEO (native VLM): EvolvingLMMs-Lab/NEO VLMEvalKit/vlmeval/vlm/neo — utils.py `smart_resize` (qwen-vl-utils
 * rule, factor patch 16 / downsample 0.5 = 32) and `parse_bbox_vl` (`[[x1, y1, x2, y2]]` read as 0–1000),
 * constants.py (<ref>/<box> tokens as InternVL); config.py neo_series evaluates with 1280·32² to 4096·32²
 * pixels; tokens = (h/32)·(w/32) (16-px patches merged 2×2).
 */
export const neoProfile: ModelProfile = createPatchGridProfile({
  name: 'neo',
  family: 'neo',
  description: 'NEO: smart_resize factor 32, 1310720–4194304 pixels, boxes relative 0–1000 in <box>[[...]]</box>',
  patchSize: 16,
  mergeSize: 2,
  boxConvention: 'relative-1000',
  boxSyntax: 'internvl-box',
  sources: [
    'EvolvingLMMs-Lab/NEO@78faae95180efd4bcdaeaafbfda34300d8c080cc VLMEvalKit/vlmeval/vlm/neo/utils.py',
    'EvolvingLMMs-Lab/NEO@78faae95180efd4bcdaeaafbfda34300d8c080cc VLMEvalKit/vlmeval/vlm/neo/constants.py',
    'EvolvingLMMs-Lab/NEO@78faae95180efd4bcdaeaafbfda34300d8c080cc VLMEvalKit/vlmeval/config.py (neo_series)',
  ],
  minPixels: 1280 * 32 * 32,
  maxPixels: 4096 * 32 * 32,
  video: null,
  resize: qwenVlUtilsSmartResize(32),
});
