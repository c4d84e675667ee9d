/**
 * Prompts of the segmentation engine. Each carries clear instructions for a real model (after the
 * published EVOL-SAM3 and SAM 3 Agent prompts) and the labelled lines its task's doc comment in
 * src/core/tasks.ts requires (`Query:`, `Phrase:`, `Image roles:`, `Masks:`), which simulated servers read.
 */

const JSON_ONLY = 'Answer with a single JSON object matching the requested schema and nothing else.';

export interface Prompt {
  system: string;
  user: string;
}

export function planPhrasesPrompt(queryLine: string): Prompt {
  return {
    system: [
      'You write referring phrases that a text-prompted segmentation model (SAM 3) can ground.',
      'The query may describe the target indirectly (by its function, a relation or a chain of reasoning).',
      'First decide which visible object the query refers to. Then list short referring phrases for it:',
      '- if the target is the only object of its kind in the image, use its generic name;',
      '- otherwise add attributes (colour, size, material) or its location so that only the target matches;',
      '- mention only things that are visible in the image; most likely phrase first.',
      'Return {"phrases": [...]}; an empty list means no visible object fits the query.',
      JSON_ONLY,
    ].join('\n'),
    user: `Query: ${queryLine}\nList referring phrases for the target of the query, most likely first.`,
  };
}

export function refinePhrasePrompt(queryLine: string, phrase: string): Prompt {
  return {
    system: [
      'You check a referring phrase before it is sent to a segmentation model.',
      'Would the phrase select exactly the target of the query, and nothing else, in this image?',
      'If yes, answer {"verdict": "keep", "phrase": <the phrase unchanged>} (the published prompt: answer NO).',
      'If not, answer {"verdict": "refine", "phrase": <a more specific phrase>} that adds an attribute or a',
      'location separating the target from similar objects. Use only visible things.',
      JSON_ONLY,
    ].join('\n'),
    user: `Query: ${queryLine}\nPhrase: ${phrase}\nKeep the phrase, or refine it into a more specific one.`,
  };
}

export function rephraseVariantsPrompt(queryLine: string, phrase: string, count: number): Prompt {
  return {
    system: [
      'You write alternative prompts for a segmentation model.',
      'Give distinct noun phrases of 2 to 5 words that refer to exactly the same object instance as the phrase:',
      'other names, synonyms, attributes or positions, but never a different object; each must still answer the query.',
      'Return {"phrases": [...]}.',
      JSON_ONLY,
    ].join('\n'),
    user: `Query: ${queryLine}\nPhrase: ${phrase}\nWrite ${count} distinct variants of the phrase for the same instance.`,
  };
}

/**
 * The published semantic gate (task verify_mask): names the overlay colour and presents the planner's refined
 * phrase as the target, derived from the query.
 */
export function publishedGatePrompt(queryLine: string, phrase: string, colourName: string): Prompt {
  return {
    system: [
      `You verify a segmentation mask. Image 1 is the original image; image 2 is the same image with the candidate`,
      `mask drawn as a semi-transparent ${colourName} overlay. The target is the phrase given below, which was derived`,
      `from the query; treat the phrase as the ground truth. Check strictly whether the ${colourName} region matches`,
      'it: the highlighted object must have every attribute the phrase states; a region on the background or on a',
      'different object fails. Return {"answer": "yes"} to pass or {"answer": "no"} to fail.',
      JSON_ONLY,
    ].join('\n'),
    user: `Query: ${queryLine}\nPhrase: ${phrase}\nOverlay colour: ${colourName}\nImage roles: raw, overlay\nDoes the ${colourName} mask match the phrase?`,
  };
}

/** Our semantic gate (and the agent's examine step): the query only, with the images' roles. */
export function verifyMaskPrompt(queryLine: string, roles = 'raw, overlay'): Prompt {
  return {
    system: [
      'You verify a segmentation mask. The first image is the original; the second shows the candidate mask',
      'as a semi-transparent coloured overlay on it (further images, if any, zoom into the same region).',
      'Does the highlighted region show the target of the query, and only the target? Judge which object is',
      'highlighted, not the colour of the overlay. Return {"answer": "yes"} or {"answer": "no"}.',
      JSON_ONLY,
    ].join('\n'),
    user: `Query: ${queryLine}\nImage roles: ${roles}\nDoes the overlay show the query's target, and only it?`,
  };
}

/** The judge's answer: A or B (task judge_pair_forced), or also tie with a reason (task judge_pair). */
function judgeAnswerLine(allowTie: boolean): string {
  return allowTie
    ? 'Return {"winner": "A" | "B" | "tie", "reason": <one sentence>}.'
    : 'Return {"winner": "A"} if image 2 is better or {"winner": "B"} if image 3 is better.';
}

/** Ours: the masks only, position bias warned against. */
export function judgePairPrompt(queryLine: string, allowTie = true): Prompt {
  return {
    system: [
      'You compare two candidate segmentation masks for the same query. Image 1 is the original image;',
      'image 2 (overlay A) and image 3 (overlay B) show each candidate in the same semi-transparent colour.',
      'Rate semantic correctness first: does the highlighted region cover the object the query asks for?',
      'Rate boundary quality second: does it cover the whole object and nothing else?',
      `Do not prefer a candidate because of its position. ${judgeAnswerLine(allowTie)}`,
      JSON_ONLY,
    ].join('\n'),
    user: `Query: ${queryLine}\nImage roles: raw, overlay A, overlay B\nWhich overlay shows the query's target better?`,
  };
}

/**
 * The published arena and final judge: the overlay colour name, both source phrases, semantic correctness
 * before boundary quality, and (published) an answer of A or B only.
 */
export function publishedJudgePrompt(queryLine: string, sources: readonly [string, string], colourName: string, allowTie = false): Prompt {
  return {
    system: [
      `You compare two candidate segmentation masks. Image 1 is the original image; image 2 is candidate A and`,
      `image 3 is candidate B, each drawn as a ${colourName} overlay. The query is the ground truth; the phrase each`,
      'candidate was segmented from is given. Decide which mask better satisfies the query.',
      'First, semantic correctness decides: the mask must cover the exact object the query describes. A candidate',
      'on the right object beats one on a wrong object (wrong colour, position or kind), however rough its mask.',
      'Only when both cover the right object, prefer tighter boundaries, a more complete object and less background.',
      judgeAnswerLine(allowTie),
      JSON_ONLY,
    ].join('\n'),
    user: `Query: ${queryLine}\nCandidate A: ${sources[0]}\nCandidate B: ${sources[1]}\nOverlay colour: ${colourName}\nImage roles: raw, overlay A, overlay B\nWhich candidate, A or B, satisfies the query better?`,
  };
}

/** The published mutation (task rewrite_phrase): always a new phrase for the instance the query means. */
export function rewritePhrasePrompt(queryLine: string, target: string, phrase: string): Prompt {
  return {
    system: [
      'You rewrite a referring phrase for a segmentation model. The planned target of the query is given.',
      'Rewrite the phrase so that it describes precisely the specific instance the query refers to.',
      'Return {"phrase": <the new phrase>}.',
      JSON_ONLY,
    ].join('\n'),
    user: `Query: ${queryLine}\nTarget: ${target}\nPhrase: ${phrase}\nRewrite the phrase for the instance the query means.`,
  };
}

export function predictBoxPrompt(queryLine: string): Prompt {
  return {
    system: [
      'You locate objects. Find the object the query refers to (reason about function and relations if the',
      'query is indirect) and give its bounding box in your usual grounding coordinates as',
      '{"boxes": [{"bbox_2d": [x1, y1, x2, y2], "label": <short name>}]}, the most likely target first.',
      'Return {"boxes": []} when no visible object fits the query.',
      JSON_ONLY,
    ].join('\n'),
    user: `Query: ${queryLine}\nOutput the bounding box of the target of the query.`,
  };
}

/**
 * locate_time: the frames come in time order, each right after its timestamp text (Qwen3-VL's video form).
 * The answer repeats a timestamp as it was written, so it reads back to seconds unambiguously.
 */
export function locateTimePrompt(queryLine: string): Prompt {
  return {
    system: [
      'You watch a video given as frames in time order. The text right before each frame is its timestamp.',
      'Find the moment at which the object the query refers to is best visible: in view, large, not hidden by',
      'other objects and clearly identifiable (reason about function and relations if the query is indirect).',
      'Return {"time": <the timestamp of that frame, written as it appears before the frame>}, or',
      '{"time": null} when no frame shows an object that fits the query.',
      JSON_ONLY,
    ].join('\n'),
    user: `Query: ${queryLine}\nAt which timestamp is the target of the query best visible?`,
  };
}

/** The agent's system prompt: the four tools of the SAM 3 Agent loop, one call per turn. */
export function agentSystemPrompt(maxTurns: number): string {
  return [
    'You are a segmentation agent. You find the object(s) a query refers to by calling tools, one per turn.',
    'Tools (answer {"tool": <name>, "arguments": {...}}):',
    '- segment_phrase {"text_prompt": <short noun phrase>}: run SAM 3 on the phrase; you then see every mask,',
    '  numbered 1..N on one overlay, and a line "Masks: N".',
    '- examine_each_mask {}: each current mask is checked on a zoomed crop plus context and marked Accept or',
    '  Reject; rejected masks are removed and the kept ones renumbered 1..K.',
    '- select_masks_and_return {"final_answer_masks": [indices]}: finish with these masks (1-based, as last',
    '  numbered).',
    '- report_no_mask {}: finish when no object in the image fits the query.',
    'Prefer simple noun phrases; if a phrase finds nothing or the wrong objects, try a different one (do not',
    `repeat phrases already tried). You have at most ${maxTurns} tool calls.`,
    JSON_ONLY,
  ].join('\n');
}

export function agentFirstTurn(queryLine: string): string {
  return `Query: ${queryLine}\nThe image is attached. Call one tool.`;
}

export function agentSegmentResult(phrase: string, masks: number, tried: readonly string[]): string {
  const shown = masks === 0 ? 'No mask was found.' : `The overlay numbers the masks 1..${masks}.`;
  return [`segment_phrase("${phrase}") returned ${masks} mask(s). ${shown}`, `Masks: ${masks}`, `Tried phrases: ${tried.join('; ')}`, 'Call one tool.'].join('\n');
}

/**
 * As the SAM 3 Agent reports examine_each_mask: each mask's verdict, then the rejected masks are removed and
 * the kept ones renumbered 1..K on a new overlay (select_masks_and_return indexes those K).
 */
export function agentExamineResult(verdicts: readonly boolean[], tried: readonly string[]): string {
  const lines = verdicts.map((accepted, index) => `mask ${index + 1}: ${accepted ? 'Accept' : 'Reject'}`);
  const kept = verdicts.filter((accepted) => accepted).length;
  const next = kept === 0 ? 'Every mask was rejected; try a different phrase or report no mask.' : `Rejected masks were removed; the overlay now numbers the ${kept} kept mask(s) 1..${kept}.`;
  return [`examine_each_mask results:`, ...lines, next, `Masks: ${kept}`, `Tried phrases: ${tried.join('; ')}`, 'Call one tool.'].join('\n');
}

export function agentErrorResult(message: string, masks: number, tried: readonly string[]): string {
  return [`Tool error: ${message}`, `Masks: ${masks}`, `Tried phrases: ${tried.join('; ')}`, 'Call one tool.'].join('\n');
}

/**
 * The judge rule of adaptive resolution (task check_resolution): the call's images at a quarter of their
 * pixels, the query, and whether full detail is needed to answer it. No hint of what the answer should be.
 */
export function checkResolutionPrompt(queryLine: string, imageCount: number): Prompt {
  return {
    system: [
      'You decide whether images are detailed enough before a question about them is asked.',
      'You see the images at reduced resolution (the first is the photo; any others show candidate masks on it).',
      'Answer {"needsFullResolution": true} when something the query depends on — a small object, a thin part or',
      'fine texture — is too small or blurred to make out at this resolution; otherwise {"needsFullResolution": false}.',
      JSON_ONLY,
    ].join('\n'),
    user: `Query: ${queryLine}\nImages: ${imageCount}\nCan the query be answered reliably at this resolution?`,
  };
}
