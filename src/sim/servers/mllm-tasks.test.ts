import { describe, expect, it } from 'vitest';
import { formatOptionsLine, isStructuredTask, taskResponseFormat } from '../../core/index.js';
import type { TaskName } from '../../core/index.js';
import { TRAP_ALWAYS_NOISE, resolveSimConfig } from '../noise/index.js';
import { canonicalPhrase, createRng, generateVqaProblem, phraseToSpec, resolveQuery, trapKeywords } from '../world/index.js';
import { createSimMllmApp, startSimMllmServer } from './mllm-server.js';
import { pngDataUrl, sceneFixture } from './test-support.js';

const oracle = createSimMllmApp(resolveSimConfig({ preset: 'oracle' }));

interface Turn {
  role: 'system' | 'user' | 'assistant';
  text: string;
  images?: string[];
}

async function ask(task: TaskName, turns: Turn[]): Promise<unknown> {
  const messages = turns.map((turn) => ({
    role: turn.role,
    content: turn.images === undefined ? turn.text : [...turn.images.map((url) => ({ type: 'image_url', image_url: { url } })), { type: 'text', text: turn.text }],
  }));
  const response = await oracle.app.request('/v1/chat/completions', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: oracle.modelId, messages, ...(isStructuredTask(task) ? { response_format: taskResponseFormat(task) } : { messages: [{ role: 'system', content: `Task: ${task}` }, ...messages] }) }),
  });
  expect(response.status).toBe(200);
  const content = ((await response.json()) as { choices: { message: { content: string } }[] }).choices[0]?.message.content ?? '';
  return isStructuredTask(task) ? JSON.parse(content) : content;
}

describe('simulated MLLM tasks (oracle)', () => {
  it('keeps an exact phrase and refines an ambiguous one to the target', async () => {
    const { rendered, query } = sceneFixture(61);
    const image = await pngDataUrl(rendered.image);
    const target = query.targetIndex ?? 0;
    const exact = canonicalPhrase(rendered.objects, target);
    expect(await ask('refine_phrase', [{ role: 'user', text: `Query: ${query.query}\nPhrase: ${exact}`, images: [image] }])).toEqual({ verdict: 'keep', phrase: exact });
    const refined = (await ask('refine_phrase', [{ role: 'user', text: `Query: ${query.query}\nPhrase: object`, images: [image] }])) as { verdict: string; phrase: string };
    expect(refined.verdict).toBe('refine');
    expect(resolveQuery(phraseToSpec(refined.phrase) ?? { target: {} }, rendered.objects)).toEqual([target]);
  });

  it('rewrite_phrase always answers a phrase: the exact phrase repeated, an ambiguous one rewritten to the target', async () => {
    const { rendered, query } = sceneFixture(61);
    const image = await pngDataUrl(rendered.image);
    const target = query.targetIndex ?? 0;
    const exact = canonicalPhrase(rendered.objects, target);
    expect(await ask('rewrite_phrase', [{ role: 'user', text: `Query: ${query.query}\nTarget: ${exact}\nPhrase: ${exact}`, images: [image] }])).toEqual({ phrase: exact });
    const rewritten = (await ask('rewrite_phrase', [{ role: 'user', text: `Query: ${query.query}\nTarget: ${exact}\nPhrase: object`, images: [image] }])) as { phrase: string };
    expect(resolveQuery(phraseToSpec(rewritten.phrase) ?? { target: {} }, rendered.objects)).toEqual([target]);
  });

  it('judge_pair_forced never answers tie: two identical overlays still get A or B', async () => {
    const { rendered, query } = sceneFixture(62);
    const image = await pngDataUrl(rendered.image);
    const answer = await ask('judge_pair_forced', [{ role: 'user', text: `Query: ${query.query}\nCandidate A: x\nCandidate B: y\nImage roles: raw, overlay A, overlay B`, images: [image, image, image] }]);
    expect(answer).toEqual({ winner: expect.stringMatching(/^[AB]$/) as unknown });
  });

  it('gives distinct variants that all refer to the same object', async () => {
    const { rendered, query } = sceneFixture(62);
    const target = query.targetIndex ?? 0;
    const phrase = canonicalPhrase(rendered.objects, target);
    const answer = (await ask('rephrase_variants', [{ role: 'user', text: `Query: ${query.query}\nPhrase: ${phrase}`, images: [await pngDataUrl(rendered.image)] }])) as { phrases: string[] };
    expect(answer.phrases.length).toBeGreaterThan(0);
    expect(answer.phrases).not.toContain(phrase);
    for (const variant of answer.phrases) expect(resolveQuery(phraseToSpec(variant) ?? { target: {} }, rendered.objects), variant).toContain(target);
  });

  it('runs the agent loop as the SAM 3 Agent does: segment, examine the masks, select the kept ones, another phrase when none is kept', async () => {
    const { rendered, query } = sceneFixture(63);
    const first: Turn = { role: 'user', text: `Query: ${query.query}`, images: [await pngDataUrl(rendered.image)] };
    const step1 = (await ask('agent_step', [first])) as { tool: string; arguments: { text_prompt?: string } };
    expect(step1.tool).toBe('segment_phrase');
    const phrase1 = step1.arguments.text_prompt ?? '';
    const call1: Turn = { role: 'assistant', text: JSON.stringify(step1) };
    const examine: Turn = { role: 'assistant', text: JSON.stringify({ tool: 'examine_each_mask', arguments: {} }) };
    expect(await ask('agent_step', [first, call1, { role: 'user', text: `Masks: 2\nTried phrases: ${phrase1}` }]), 'masks found are examined first').toEqual({ tool: 'examine_each_mask', arguments: { text_prompt: null, final_answer_masks: null } });
    const kept = { role: 'user' as const, text: `mask 1: Reject\nmask 2: Accept\nMasks: 1\nTried phrases: ${phrase1}` };
    expect(await ask('agent_step', [first, call1, examine, kept])).toEqual({ tool: 'select_masks_and_return', arguments: { text_prompt: null, final_answer_masks: [1] } });
    const noneKept = { role: 'user' as const, text: `mask 1: Reject\nMasks: 0\nTried phrases: ${phrase1}` };
    const step2 = (await ask('agent_step', [first, call1, examine, noneKept])) as { tool: string; arguments: { text_prompt?: string } };
    expect(step2.tool, 'every mask rejected: another phrase').toBe('segment_phrase');
    expect(step2.arguments.text_prompt).not.toBe(phrase1);
    const empty = { role: 'user' as const, text: `Masks: 0\nTried phrases: ${phrase1}; ${step2.arguments.text_prompt ?? ''}` };
    expect(await ask('agent_step', [first, { role: 'assistant', text: JSON.stringify(step2) }, empty])).toEqual({ tool: 'report_no_mask', arguments: { text_prompt: null, final_answer_masks: null } });
  });

  it('writes a lesson naming the trap the failed answer fell into, and merges lessons keeping every source', async () => {
    let checked = 0;
    for (let seed = 70; seed < 110 && checked < 3; seed += 1) {
      const { rendered } = sceneFixture(seed);
      const problem = generateVqaProblem(rendered.objects, createRng(seed), 'occlusion');
      if (problem.trap !== 'occlusion') continue;
      const { solveVqa } = await import('../world/index.js');
      const pitfall = solveVqa(problem.question, problem.options, rendered.objects).pitfalls.find((candidate) => candidate.trap === 'occlusion');
      if (pitfall === undefined) continue;
      checked += 1;
      const options = problem.options.length > 0 ? `\nOptions: ${formatOptionsLine(problem.options)}` : '';
      const text = `Question: ${problem.question}${options}\nAnswer: \\boxed{${pitfall.wrongAnswer}}\nGold: ${problem.answer}`;
      const lesson = (await ask('write_logic_lesson', [{ role: 'user', text, images: [await pngDataUrl(rendered.image)] }])) as { errorType: string; lesson: string };
      expect(trapKeywords('occlusion').some((keyword) => lesson.lesson.toLowerCase().includes(keyword)), lesson.lesson).toBe(true);
    }
    expect(checked, 'found occlusion problems to check').toBeGreaterThan(0);
    const merged = (await ask('merge_lessons', [{ role: 'user', text: 'Lessons:\n- Count 3 hidden circles.\n- Red vs brown differ by 100 units.\n' }])) as { lesson: string };
    for (const fragment of ['3', 'hidden circles', 'Red vs brown', '100']) expect(merged.lesson).toContain(fragment);
  });

  it('analyses a problem into subject and concepts without solving it', async () => {
    const answer = (await ask('analyze_problem', [{ role: 'user', text: 'Question: How many red circles are there in the image?' }])) as { subject: string; concepts: string[] };
    expect(answer.subject).toBe('counting');
    expect(answer.concepts).toEqual(expect.arrayContaining(['red', 'circle', 'counting']));
  });

  it('names perceived aspects of the figure, never a trap or its remedy: overlapping shapes only when the image shows them', async () => {
    const sided = (await ask('analyze_problem', [{ role: 'user', text: 'Question: Which object is farthest to the left in the image?' }])) as { concepts: string[] };
    expect(sided.concepts).toContain('positions from left to right');
    expect(sided.concepts.join('; ')).not.toMatch(/viewer|mirror/);
    let seen = 0;
    for (let seed = 70; seed < 110 && seen < 2; seed += 1) {
      const { rendered } = sceneFixture(seed);
      const problem = generateVqaProblem(rendered.objects, createRng(seed), 'occlusion');
      if (problem.trap !== 'occlusion') continue;
      const turn = { role: 'user' as const, text: `Question: ${problem.question}` };
      const blind = (await ask('analyze_problem', [turn])) as { concepts: string[] };
      expect(blind.concepts, 'no image, no overlapping shapes named').not.toContain('overlapping shapes');
      const looked = (await ask('analyze_problem', [{ ...turn, images: [await pngDataUrl(rendered.image)] }])) as { concepts: string[] };
      if (looked.concepts.includes('overlapping shapes')) seen += 1;
    }
    expect(seen, 'occlusion problems whose analysis names the overlapping shapes it sees').toBeGreaterThan(0);
  });

  it('falls into a VQA trap less often only when a lesson it can act on applies, not for lessons sharing words (paper-like)', async () => {
    const noisy = createSimMllmApp(resolveSimConfig({ preset: 'paper-like', noise: TRAP_ALWAYS_NOISE }));
    let problemFound = false;
    for (let seed = 70; seed < 110 && !problemFound; seed += 1) {
      const { rendered } = sceneFixture(seed);
      const problem = generateVqaProblem(rendered.objects, createRng(seed), 'viewer-left');
      if (problem.trap !== 'viewer-left') continue;
      problemFound = true;
      const image = await pngDataUrl(rendered.image);
      const options = problem.options.length > 0 ? `\nOptions: ${formatOptionsLine(problem.options)}` : '';
      const solve = async (lessons: string): Promise<string | undefined> => {
        const response = await noisy.app.request('/v1/chat/completions', {
          method: 'POST',
          body: JSON.stringify({
            model: noisy.modelId,
            messages: [
              { role: 'system', content: 'Task: answer_vqa' },
              { role: 'user', content: [{ type: 'image_url', image_url: { url: image } }, { type: 'text', text: `${lessons}Question: ${problem.question}${options}` }] },
            ],
          }),
        });
        const content = ((await response.json()) as { choices: { message: { content: string } }[] }).choices[0]?.message.content ?? '';
        return /\\boxed\{([^}]*)\}/.exec(content)?.[1];
      };
      expect(await solve(''), 'without a lesson the trap always catches').not.toBe(problem.answer);
      expect(await solve('Lessons:\n- Always count objects that are hidden under others, including partly covered ones.\n\n'), 'a rule for another operator does nothing').not.toBe(problem.answer);
      expect(await solve(`Lessons:\n- ${trapKeywords('viewer-left').join(', ')}\n\n`), 'a list of the trap words does nothing').not.toBe(problem.answer);
      expect(await solve("Lessons:\n- Left means the viewer's left in the image.\n\n"), 'an applicable rule for left/right removes the trap').toBe(problem.answer);
    }
    expect(problemFound).toBe(true);
  });

  it('closes cleanly: after close() the port refuses connections', async () => {
    const server = await startSimMllmServer({ preset: 'oracle' });
    await server.close();
    await expect(fetch(`${server.url}/v1/models`)).rejects.toThrow();
  });
});
