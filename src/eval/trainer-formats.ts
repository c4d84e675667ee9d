/**
 * The rows trainers read, as zod schemas written from the trainers' own source. `export-pairs` checks
 * every row it writes against them, so a file it wrote is a file the trainer accepts.
 *
 * - TRL (huggingface/trl): docs/source/dataset_formats.md "Vision datasets" and "Preference";
 *   trl/data_utils.py `is_conversational` (a list of {role, content} messages) and
 *   `prepare_multimodal_messages` (content blocks {"type": "image"} / {"type": "text", "text"}; the number of
 *   image placeholders must equal len(images), else ValueError); trl/trainer/dpo_trainer.py
 *   `DataCollatorForVisionPreference` (keys prompt, chosen, rejected, images) and
 *   trl/trainer/grpo_trainer.py (prompt-only rows; the other columns reach reward functions as keyword
 *   arguments, GRPOConfig.remove_unused_columns defaults to False; GSPO = importance_sampling_level "sequence").
 * - InternVL MPO (OpenGVLab/InternVL): internvl_chat/internvl/train/internvl_chat_mpo.py
 *   `LazySupervisedDataset` (jsonl rows with `image` joined to the meta's `root`, `question` — "<image>\n" is
 *   prepended when absent —, `chosen` and `rejected` used as the gpt turn's text) and `build_datasets` (meta
 *   json: {name: {root, annotation (must end in "jsonl"), data_augment, repeat_time, max_dynamic_patch?}});
 *   internvl_chat_gpt_oss/shell/data/debug_mpo.json adds `length`.
 */
import { z } from 'zod';

const textBlock = z.strictObject({ type: z.literal('text'), text: z.string() });
/** An unfilled image placeholder: TRL fills it with images[i] in order. */
const imageBlock = z.strictObject({ type: z.literal('image') });

const userMessage = z.strictObject({ role: z.literal('user'), content: z.array(z.union([imageBlock, textBlock])).min(1) });
const assistantMessage = z.strictObject({ role: z.literal('assistant'), content: z.array(textBlock).min(1) });

function imagePlaceholders(messages: readonly z.infer<typeof userMessage>[]): number {
  return messages.reduce((count, message) => count + message.content.filter((block) => block.type === 'image').length, 0);
}

/** TRL conversational vision preference row (explicit prompt), images as paths relative to the jsonl. */
export const trlDpoRowSchema = z
  .strictObject({
    id: z.string(),
    prompt: z.array(userMessage).min(1),
    chosen: z.array(assistantMessage).length(1),
    rejected: z.array(assistantMessage).length(1),
    images: z.array(z.string().min(1)).min(1),
  })
  .refine((row) => imagePlaceholders(row.prompt) === row.images.length, { message: 'image placeholders in prompt must equal len(images) (trl prepare_multimodal_messages)' });
export type TrlDpoRow = z.infer<typeof trlDpoRowSchema>;

/**
 * TRL prompt-only vision row for GRPOTrainer with importance_sampling_level="sequence" (GSPO). The group the
 * evolution scored rides along in columns a reward function receives (named so that none collides with the
 * trainer's own `prompts`, `completions`, `completion_ids` arguments).
 */
export const trlGspoRowSchema = z
  .strictObject({
    id: z.string(),
    prompt: z.array(userMessage).min(1),
    images: z.array(z.string().min(1)).min(1),
    group_phrases: z.array(z.string()).min(1),
    group_rewards: z.array(z.number()),
    group_advantages: z.array(z.number()),
    group_valid: z.array(z.boolean()),
  })
  .refine((row) => imagePlaceholders(row.prompt) === row.images.length, { message: 'image placeholders in prompt must equal len(images)' })
  .refine((row) => row.group_rewards.length === row.group_phrases.length && row.group_advantages.length === row.group_phrases.length && row.group_valid.length === row.group_phrases.length, {
    message: 'group columns must have one entry per phrase',
  });
export type TrlGspoRow = z.infer<typeof trlGspoRowSchema>;

/** InternVL MPO jsonl row (single image): strings only, the image path relative to the meta's root. */
export const internvlMpoRowSchema = z.strictObject({
  id: z.string(),
  image: z
    .string()
    .min(1)
    .refine((value) => !value.startsWith('/'), { message: 'relative to the meta root (os.path.join drops root for an absolute path)' }),
  question: z.string().startsWith('<image>\n'),
  chosen: z.string().min(1),
  rejected: z.string().min(1),
});
export type InternvlMpoRow = z.infer<typeof internvlMpoRowSchema>;

/** One dataset entry of InternVL's --meta_path json. */
export const internvlMetaEntrySchema = z.strictObject({
  root: z.string().min(1),
  annotation: z.string().endsWith('jsonl'),
  data_augment: z.boolean(),
  repeat_time: z.number().positive(),
  length: z.number().int().min(0),
});
export const internvlMetaSchema = z.record(z.string(), internvlMetaEntrySchema);
