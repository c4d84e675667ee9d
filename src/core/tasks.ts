/**
 * The wire contract between the engines (evolve, memory) and any MLLM server, real or simulated.
 *
 * A server learns which task a request is from what any OpenAI-compatible server sees:
 * - `response_format: {type: 'json_schema', json_schema: {name: '<task>', schema, strict: true}}`, and
 * - for servers without structured output, a first system-prompt line `Task: <task>`.
 * User text carries labelled lines (`Query: …`, `Phrase: …`, `Target: …`, `Question: …`, `Options: A) … B) …`,
 * `Image roles: raw, overlay A, overlay B`, `Overlay colour: …`, `Candidate A: …`, `Candidate B: …`) and an
 * optional `Lessons:` block (one lesson per line
 * starting with `- `, ended by an empty line). Engines build requests with these helpers and parse
 * responses with these schemas, so the engine never needs to know who answers.
 */
import { z } from 'zod';
import { engineJsonSchema } from './engine-json-schema.js';

/**
 * Box [x1, y1, x2, y2] in the emulated model profile's coordinates (see REFERENCE.md "Box conventions").
 * Sent as `items: number, minItems: 4, maxItems: 4` (engine-json-schema.ts rewrites the tuple).
 */
const modelBox = z.tuple([z.number(), z.number(), z.number(), z.number()]);

/**
 * plan_phrases: referring phrases for the query's target, most likely first; only visible things.
 * An empty list means the model sees no object that fits the query.
 */
const planPhrases = z.object({ phrases: z.array(z.string()) });

/** refine_phrase: `keep` the `Phrase:` as it is, or `refine` it into a more specific `phrase`. */
const refinePhrase = z.object({ verdict: z.enum(['keep', 'refine']), phrase: z.string() });

/** rephrase_variants: distinct 2–5-word noun phrases for exactly the same instance as `Phrase:`. */
const rephraseVariants = z.object({ phrases: z.array(z.string()) });

/** verify_mask: images [raw, overlay]; does the overlay show the `Query:` target (and only it)? */
const verifyMask = z.object({ answer: z.enum(['yes', 'no']) });

/** judge_pair: images [raw, overlay A, overlay B]; which overlay shows the `Query:` target better. */
const judgePair = z.object({ winner: z.enum(['A', 'B', 'tie']), reason: z.string() });

/**
 * judge_pair_forced: judge_pair as the published EVOL-SAM3 arena asks it — the source phrases of both
 * overlays on `Candidate A:` / `Candidate B:` lines, and no tie: the answer is A or B.
 */
const judgePairForced = z.object({ winner: z.enum(['A', 'B']) });

/**
 * rewrite_phrase: rewrite the `Phrase:` so that it names precisely the instance the `Query:` means (the
 * planned `Target:` is given); always a phrase, possibly the same one (published mutation).
 */
const rewritePhrase = z.object({ phrase: z.string() });

/** predict_box: boxes of the `Query:` target in the model profile's coordinate convention. */
const predictBox = z.object({ boxes: z.array(z.object({ bbox_2d: modelBox, label: z.string() })) });

/**
 * agent_step: one tool call of a SAM 3 Agent-style loop. `segment_phrase` uses `text_prompt`;
 * `select_masks_and_return` uses `final_answer_masks` (1-based indices of the masks shown last);
 * `examine_each_mask` and `report_no_mask` take no arguments. Both keys are required and nullable (null
 * when unused), as OpenAI strict mode requires; a reply that omits one still parses, as null. The user turn that returns a tool result
 * carries a `Masks: N` line (how many masks the last segment_phrase produced); the first user turn
 * carries the `Query:` line and the raw image.
 */
const agentStep = z.object({
  tool: z.enum(['segment_phrase', 'examine_each_mask', 'select_masks_and_return', 'report_no_mask']),
  arguments: z.object({
    text_prompt: z.string().nullable().default(null),
    final_answer_masks: z.array(z.number().int()).nullable().default(null),
  }),
});

/** analyze_problem: the `Question:`'s subject and key concepts, without solving it. */
const analyzeProblem = z.object({ subject: z.string(), concepts: z.array(z.string()) });

/** write_logic_lesson: classify a failed solution's error; for logical errors a reusable guideline. */
const writeLogicLesson = z.object({ errorType: z.enum(['logical', 'visual']), lesson: z.string() });

/** write_visual_lesson: image attached; a reusable rule for reading the misperceived visual pattern. */
const writeVisualLesson = z.object({ lesson: z.string() });

/** merge_lessons: one more general lesson that keeps every entity and number of its sources. */
const mergeLessons = z.object({ lesson: z.string() });

/** judge_answer: are the final answers of `Answer:` and `Gold:` equivalent (final answers only). */
const judgeAnswer = z.object({ equivalent: z.boolean() });

/** zoom_region: the region (profile coordinates) the retrieved visual lessons point to. */
const zoomRegion = z.object({ bbox_2d: modelBox });

/**
 * locate_time: the images are video frames in time order, each right after its timestamp text (`<3.5
 * seconds>`, as Qwen3-VL reads video); `time` is when the `Query:` target is best visible, written as the
 * timestamps are (or `HH:MM:SS`, or `3.5 seconds`), null when no frame shows it. Read back to seconds with
 * parseTemporalPoint (protocols).
 */
const locateTime = z.object({ time: z.string().nullable() });

/**
 * check_resolution: the images at reduced resolution (raw first, then any overlays); could the `Query:` be
 * answered reliably from them, or are small objects, thin parts or fine texture too small to make out?
 */
const checkResolution = z.object({ needsFullResolution: z.boolean() });

/**
 * Response schema per task. `answer_vqa` has none: its answer is free text ending with `\boxed{…}`.
 */
export const TASK_RESPONSE_SCHEMAS = {
  plan_phrases: planPhrases,
  refine_phrase: refinePhrase,
  rephrase_variants: rephraseVariants,
  rewrite_phrase: rewritePhrase,
  verify_mask: verifyMask,
  judge_pair: judgePair,
  judge_pair_forced: judgePairForced,
  predict_box: predictBox,
  agent_step: agentStep,
  answer_vqa: null,
  analyze_problem: analyzeProblem,
  write_logic_lesson: writeLogicLesson,
  write_visual_lesson: writeVisualLesson,
  merge_lessons: mergeLessons,
  judge_answer: judgeAnswer,
  zoom_region: zoomRegion,
  locate_time: locateTime,
  check_resolution: checkResolution,
} as const;

type SchemaTable = typeof TASK_RESPONSE_SCHEMAS;
export type TaskName = keyof SchemaTable;
/** Tasks whose response is JSON validated by a schema (every task except answer_vqa). */
export type StructuredTaskName = { [K in TaskName]: SchemaTable[K] extends null ? never : K }[TaskName];
/** The parsed response of a structured task, e.g. `TaskResponse<'judge_pair'>`. */
export type TaskResponse<T extends StructuredTaskName> = z.infer<NonNullable<SchemaTable[T]>>;

export const TASK_NAMES = Object.keys(TASK_RESPONSE_SCHEMAS) as readonly TaskName[];

export function isTaskName(value: string): value is TaskName {
  return Object.hasOwn(TASK_RESPONSE_SCHEMAS, value);
}

export function isStructuredTask(task: TaskName): task is StructuredTaskName {
  return TASK_RESPONSE_SCHEMAS[task] !== null;
}

export function taskResponseSchema<T extends StructuredTaskName>(task: T): NonNullable<SchemaTable[T]> {
  return TASK_RESPONSE_SCHEMAS[task] as NonNullable<SchemaTable[T]>;
}

export interface JsonSchemaResponseFormat {
  type: 'json_schema';
  json_schema: { name: string; schema: Record<string, unknown>; strict: true };
}

/** The JSON Schema sent for a structured task: draft-7, in the subset every engine converts. */
export function taskJsonSchema(task: StructuredTaskName): Record<string, unknown> {
  return engineJsonSchema(taskResponseSchema(task) as z.ZodType<unknown>);
}

/** The OpenAI `response_format` that names a structured task and carries its JSON Schema. */
export function taskResponseFormat(task: StructuredTaskName): JsonSchemaResponseFormat {
  const schema = taskJsonSchema(task);
  return { type: 'json_schema', json_schema: { name: task, schema, strict: true } };
}

/** The first system-prompt line for servers without structured output. */
export function taskSystemLine(task: TaskName): string {
  return `Task: ${task}`;
}

const contentPart = z.looseObject({ type: z.string(), text: z.string().optional() });
const requestShape = z.looseObject({
  messages: z
    .array(z.looseObject({ role: z.string(), content: z.union([z.string(), z.array(contentPart), z.null()]).optional() }))
    .optional(),
  response_format: z
    .looseObject({ type: z.string(), json_schema: z.looseObject({ name: z.string() }).optional() })
    .optional(),
});

/** Text of a message's content, whether a string or a list of parts (image parts are skipped). */
export function messageText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  const texts: string[] = [];
  for (const part of content) {
    const parsed = contentPart.safeParse(part);
    if (parsed.success && parsed.data.type === 'text' && parsed.data.text !== undefined) texts.push(parsed.data.text);
  }
  return texts.join('\n');
}

/**
 * Recover the task name of a chat-completions body: the json_schema name wins, then the first line of
 * the first system message (`Task: <task>`). Undefined when neither names a known task.
 */
export function taskFromRequest(body: unknown): TaskName | undefined {
  const parsed = requestShape.safeParse(body);
  if (!parsed.success) return undefined;
  const schemaName = parsed.data.response_format?.json_schema?.name;
  if (schemaName !== undefined && isTaskName(schemaName)) return schemaName;
  const system = parsed.data.messages?.find((message) => message.role === 'system');
  if (system === undefined) return undefined;
  const firstLine = messageText(system.content).trimStart().split('\n', 1)[0] ?? '';
  const match = /^Task:\s*([a-z_]+)\s*$/.exec(firstLine.trim());
  const name = match?.[1];
  return name !== undefined && isTaskName(name) ? name : undefined;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The value of the last line `Label: value` in the text (labels are case-sensitive), trimmed. */
export function readLabelledLine(text: string, label: string): string | undefined {
  const pattern = new RegExp(`^[ \\t]*${escapeRegExp(label)}:[ \\t]*(.*)$`, 'gm');
  let value: string | undefined;
  for (const match of text.matchAll(pattern)) value = (match[1] ?? '').trim();
  return value;
}

/**
 * The lines of a block that starts with a `Label:` line and ends at the first empty line, each with a
 * leading `- ` removed. Used for the `Lessons:` block. Empty when the block is absent.
 */
export function readLabelledBlock(text: string, label: string): string[] {
  const lines = text.split('\n');
  const start = lines.findIndex((line) => line.trim() === `${label}:`);
  if (start < 0) return [];
  const items: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (line.trim() === '') break;
    items.push(line.trim().replace(/^-\s*/, ''));
  }
  return items;
}

/** `Options: A) red B) blue` → [{letter: 'A', text: 'red'}, …]; empty when the line is absent. */
export function parseOptionsLine(value: string): { letter: string; text: string }[] {
  const matches = [...value.matchAll(/(?:^|\s)([A-Z])\)\s*/g)];
  return matches.map((match, index) => {
    const start = (match.index ?? 0) + match[0].length;
    const end = matches[index + 1]?.index ?? value.length;
    return { letter: match[1] ?? '', text: value.slice(start, end).trim() };
  });
}

/** Inverse of parseOptionsLine: ['red', 'blue'] → `A) red B) blue`. */
export function formatOptionsLine(options: readonly string[]): string {
  return options.map((option, index) => `${String.fromCharCode(65 + index)}) ${option}`).join(' ');
}
