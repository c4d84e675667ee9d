import { describe, expect, it } from 'vitest';
import type { ChatRequest } from '../../core/index.js';
import { fakeEmbedder, lessonRow, scriptedMllm, taskOf, testProblem, userText, useTestTenantMemory, vectorWithCosine } from './method-test-support.js';
import type { SolveEvent } from './solve-result.js';
import { solveWithMemory } from './solve.js';

const tenant = useTestTenantMemory();

const tasks = (calls: readonly ChatRequest<unknown>[]) => calls.map((call) => taskOf(call));

describe('solveWithMemory, memory mode', () => {
  it('analyses, retrieves both streams, injects the lessons before the question and verifies', async () => {
    await tenant.memory.insert(lessonRow('logic', 'Count triangles made of 2 or more regions too.', vectorWithCosine(0.9)));
    await tenant.memory.insert(lessonRow('visual', 'Look inside larger triangles for smaller ones.', vectorWithCosine(0.8), vectorWithCosine(0.9)));
    const mllm = scriptedMllm({ answer_vqa: () => 'Counting carefully, there are 4.\n\\boxed{4}' });
    const embedder = fakeEmbedder();
    const result = await solveWithMemory(testProblem(), { mllm, embedder, memory: tenant.memory, mode: 'memory' });
    expect(tasks(mllm.calls)).toEqual(['analyze_problem', 'answer_vqa']);
    expect(embedder.texts[0], 'the retrieval query is question + subject + key concepts').toBe(
      'How many triangles are in the figure?\n<image1>\nSubject: counting\nKey concepts: triangles, overlapping shapes',
    );
    const solverText = userText(mllm.calls[1] as ChatRequest<unknown>);
    expect(solverText).toMatch(/^Lessons:\n- \(visual\) Look inside larger triangles for smaller ones\.\n- \(logic\) Count triangles made of 2 or more regions too\.\n\n/);
    expect(solverText.indexOf('Lessons:')).toBeLessThan(solverText.indexOf('Question:'));
    expect(result.lessonsUsed.map((lesson) => lesson.stream)).toEqual(['visual', 'logic']);
    expect(result.verdict).toMatchObject({ correct: true, rule: 'gold:exact', extracted: '4' });
    expect(result.answer).toBe('4');
    expect(result.lessonsWritten).toEqual([]);
    expect(result.calls).toHaveLength(2);
  });

  it('writes a logic and a visual lesson after a wrong answer, both writers in flight at once', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    let release: () => void = () => undefined;
    const bothArrived = new Promise<void>((resolve) => {
      release = resolve;
    });
    const writer = (answer: string) => async () => {
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      if (inFlight === 2) release();
      // A sequential implementation would never start the second writer: give up after 2 s instead of hanging.
      await Promise.race([bothArrived, new Promise((resolve) => setTimeout(resolve, 2000))]);
      inFlight -= 1;
      return answer;
    };
    const mllm = scriptedMllm({
      write_logic_lesson: writer(JSON.stringify({ errorType: 'logical', lesson: 'Count overlapping triangles formed by 2 or more regions.' })),
      write_visual_lesson: writer(JSON.stringify({ lesson: 'Look for triangles hidden inside larger triangles.' })),
    });
    const events: SolveEvent[] = [];
    const result = await solveWithMemory(testProblem(), { mllm, embedder: fakeEmbedder(), memory: tenant.memory, mode: 'memory', onEvent: (event) => events.push(event) });
    expect(maxInFlight, 'the logic and visual writers run in parallel').toBe(2);
    expect(result.verdict?.correct).toBe(false);
    expect(result.errorType).toBe('logical');
    expect(result.lessonsWritten.map((lesson) => lesson.stream).sort()).toEqual(['logic', 'visual']);
    const visual = result.lessonsWritten.find((lesson) => lesson.stream === 'visual');
    const stored = await tenant.memory.get(visual?.id ?? '');
    expect(stored?.source).toEqual({ problemId: 'p1', question: 'How many triangles are in the figure?\n<image1>', imageRefs: ['images/p1.png'] });
    expect(stored?.subject).toBe('counting');
    expect((await tenant.memory.stats()).imageVectors, 'the visual lesson keeps its source image vector').toBe(1);
    const writeRequest = mllm.calls.find((call) => taskOf(call) === 'write_visual_lesson');
    expect(writeRequest?.images, 'the visual writer sees the image').toHaveLength(1);
    expect(userText(writeRequest as ChatRequest<unknown>)).toContain('Answer: \\boxed{3}\nGold: 4');
    expect(events.map((event) => event.type)).toEqual(['problem-analysed', 'lessons-retrieved', 'answer-given', 'answer-verified', 'lesson-written', 'lesson-written']);
  });

  it('stores no logic lesson when the logic writer calls the error visual', async () => {
    const mllm = scriptedMllm({ write_logic_lesson: () => JSON.stringify({ errorType: 'visual', lesson: 'Read the figure again.' }) });
    const result = await solveWithMemory(testProblem(), { mllm, embedder: fakeEmbedder(), memory: tenant.memory, mode: 'memory' });
    expect(result.errorType).toBe('visual');
    expect(result.lessonsWritten.map((lesson) => lesson.stream)).toEqual(['visual']);
  });

  it('writes nothing for a correct answer, without a gold answer, or with learn: false', async () => {
    const right = scriptedMllm({ answer_vqa: () => '\\boxed{4}' });
    expect((await solveWithMemory(testProblem(), { mllm: right, embedder: fakeEmbedder(), memory: tenant.memory, mode: 'memory' })).lessonsWritten).toEqual([]);
    const noGold = scriptedMllm();
    const { answer: gold, ...withoutGold } = testProblem();
    expect(gold).toBe('4');
    const unverified = await solveWithMemory(withoutGold, { mllm: noGold, embedder: fakeEmbedder(), memory: tenant.memory, mode: 'memory' });
    expect(unverified.verdict).toBeUndefined();
    const frozen = scriptedMllm();
    await solveWithMemory(testProblem(), { mllm: frozen, embedder: fakeEmbedder(), memory: tenant.memory, mode: 'memory', learn: false });
    expect(tasks([...noGold.calls, ...frozen.calls])).not.toContain('write_logic_lesson');
    expect((await tenant.memory.list()).total).toBe(0);
  });

  it('does not store the same lesson twice when the same failure happens again', async () => {
    const mllm = scriptedMllm();
    await solveWithMemory(testProblem(), { mllm, embedder: fakeEmbedder(), memory: tenant.memory, mode: 'memory' });
    const again = await solveWithMemory(testProblem({ id: 'p2' }), { mllm, embedder: fakeEmbedder(), memory: tenant.memory, mode: 'memory' });
    expect(again.lessonsWritten).toEqual([]);
    expect(again.duplicates).toHaveLength(2);
    expect((await tenant.memory.list()).total).toBe(2);
  });

  it('asks the LLM judge only when configured and the rules reject the answer, and records its call', async () => {
    const mllm = scriptedMllm({ answer_vqa: () => '\\boxed{four}', judge_answer: () => JSON.stringify({ equivalent: true }) });
    const result = await solveWithMemory(testProblem(), { mllm, embedder: fakeEmbedder(), memory: tenant.memory, mode: 'memory', config: { verify: { llmJudge: true } } });
    expect(result.verdict).toMatchObject({ correct: true, mathvCorrect: false, rule: 'llm-judge' });
    const judgeRequest = mllm.calls.find((call) => taskOf(call) === 'judge_answer');
    expect(userText(judgeRequest as ChatRequest<unknown>)).toBe('Answer: four\nGold: 4');
    expect(result.calls.map((call) => call.stage)).toContain('judge-answer');
    expect(result.lessonsWritten).toEqual([]);
  });

  it('goes on without analysis when its answer is unusable, and says so in the warnings', async () => {
    const mllm = scriptedMllm({ analyze_problem: () => 'I would rather not answer in JSON.', answer_vqa: () => '\\boxed{4}' });
    const result = await solveWithMemory(testProblem(), { mllm, embedder: fakeEmbedder(), memory: tenant.memory, mode: 'memory' });
    expect(result.analysis).toEqual({ subject: 'counting', concepts: [], fromModel: false });
    expect(result.warnings.map((warning) => warning.code)).toContain('analysis-invalid-output');
    expect(result.verdict?.correct).toBe(true);
  });

  it('lets a model error other than unusable output fail the solve', async () => {
    const mllm = scriptedMllm({
      answer_vqa: () => {
        throw Object.assign(new Error('server down'), { code: 'backend-unavailable' });
      },
    });
    await expect(solveWithMemory(testProblem(), { mllm, embedder: fakeEmbedder(), memory: tenant.memory, mode: 'memory' })).rejects.toThrow('server down');
  });

  it('attaches a crop of the zoom region as a second image when the zoom hint is on and visual lessons were found', async () => {
    await tenant.memory.insert(lessonRow('visual', 'Look inside larger triangles for smaller ones.', vectorWithCosine(0.8), vectorWithCosine(0.9)));
    const image = { width: 40, height: 40, data: new Uint8Array(40 * 40 * 3) };
    const mllm = scriptedMllm({ zoom_region: () => JSON.stringify({ bbox_2d: [10, 10, 30, 30] }), answer_vqa: () => '\\boxed{4}' });
    const result = await solveWithMemory(testProblem({ image }), { mllm, embedder: fakeEmbedder(), memory: tenant.memory, mode: 'memory', config: { zoom: { enabled: true, margin: 0.1 } } });
    expect(tasks(mllm.calls)).toEqual(['analyze_problem', 'zoom_region', 'answer_vqa']);
    expect(result.zoomBox).toEqual([8, 8, 32, 32]);
    const solverImages = mllm.calls[2]?.images ?? [];
    expect(solverImages.map((item) => [item.width, item.height])).toEqual([[40, 40], [24, 24]]);
  });
});

describe('solveWithMemory, ablations and memory-free modes', () => {
  it('without the visual stream: no image embedding, no visual retrieval, no visual writer', async () => {
    await tenant.memory.insert(lessonRow('visual', 'Look inside larger triangles.', vectorWithCosine(0.9), vectorWithCosine(0.9)));
    const mllm = scriptedMllm();
    const embedder = fakeEmbedder();
    const result = await solveWithMemory(testProblem(), { mllm, embedder, memory: tenant.memory, mode: 'memory', ablate: 'visual' });
    expect(embedder.images).toHaveLength(0);
    expect(result.lessonsUsed).toEqual([]);
    expect(tasks(mllm.calls)).toEqual(['analyze_problem', 'answer_vqa', 'write_logic_lesson']);
    expect(result.lessonsWritten.map((lesson) => lesson.stream)).toEqual(['logic']);
    expect(result.ablate).toBe('visual');
  });

  it('without the logic stream: no logic retrieval and no logic writer', async () => {
    await tenant.memory.insert(lessonRow('logic', 'Count triangles made of 2 or more regions.', vectorWithCosine(0.9)));
    const mllm = scriptedMllm();
    const result = await solveWithMemory(testProblem(), { mllm, embedder: fakeEmbedder(), memory: tenant.memory, mode: 'memory', ablate: 'logic' });
    expect(result.lessonsUsed).toEqual([]);
    expect(tasks(mllm.calls)).toEqual(['analyze_problem', 'answer_vqa', 'write_visual_lesson']);
    expect(result.lessonsWritten.map((lesson) => lesson.stream)).toEqual(['visual']);
  });

  it('baseline answers directly in one call and step reasons step by step in one call, neither touching memory', async () => {
    await tenant.memory.insert(lessonRow('logic', 'Count triangles made of 2 or more regions.', vectorWithCosine(0.9)));
    for (const mode of ['baseline', 'step'] as const) {
      const mllm = scriptedMllm();
      const embedder = fakeEmbedder();
      const result = await solveWithMemory(testProblem(), { mllm, embedder, memory: tenant.memory, mode });
      expect(tasks(mllm.calls), mode).toEqual(['answer_vqa']);
      expect(embedder.texts, mode).toEqual([]);
      expect(result.verdict?.correct, mode).toBe(false);
      const system = mllm.calls[0]?.messages[0]?.content ?? '';
      expect(system.includes('step by step'), mode).toBe(mode === 'step');
      expect(userText(mllm.calls[0] as ChatRequest<unknown>)).not.toContain('Lessons:');
    }
    expect((await tenant.memory.get((await tenant.memory.list()).lessons[0]?.id ?? ''))?.usageCount).toBe(0);
  });

  it('refuses the memory mode without a store', async () => {
    await expect(solveWithMemory(testProblem(), { mllm: scriptedMllm(), embedder: fakeEmbedder(), mode: 'memory' })).rejects.toMatchObject({ code: 'invalid-input' });
  });
});
