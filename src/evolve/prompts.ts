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
      'other names, synonyms, attributes or positions, but never a different object.',
      'Return {"phrases": [...]}.',
      JSON_ONLY,
    ].join('\n'),
    user: `Query: ${queryLine}\nPhrase: ${phrase}\nWrite up to ${count} distinct variants of the phrase for the same instance.`,
  };
}

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

export function judgePairPrompt(queryLine: string): Prompt {
  return {
    system: [
      'You compare two candidate segmentation masks for the same query. Image 1 is the original image;',
      'image 2 (overlay A) and image 3 (overlay B) show each candidate in the same semi-transparent colour.',
      'Rate semantic correctness first: does the highlighted region cover the object the query asks for?',
      'Rate boundary quality second: does it cover the whole object and nothing else?',
      'Do not prefer a candidate because of its position. Return {"winner": "A" | "B" | "tie", "reason": <one sentence>}.',
      JSON_ONLY,
    ].join('\n'),
    user: `Query: ${queryLine}\nImage roles: raw, overlay A, overlay B\nWhich overlay shows the query's target better?`,
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
