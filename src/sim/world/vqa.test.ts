import { describe, it, expect } from 'vitest';
import { renderScene } from './render.js';
import { createRng } from './rng.js';
import { generateScene } from './scene.js';
import type { ObjectView } from './vocabulary.js';
import { generateVqaProblem } from './vqa.js';
import { solveVqa, trapKeywords, VQA_TRAPS } from './vqa-solve.js';

const view = (shape: ObjectView['shape'], colour: ObjectView['colour'], x: number, occluded = false): ObjectView => ({
  shape,
  colour,
  box: [x - 10, 40, x + 10, 60],
  centroid: [x, 50],
  area: 400,
  occluded,
});

describe('VQA problems', () => {
  it('gives the gold answer when solved on the ground truth, for every generated problem', () => {
    const traps = new Set<string>();
    const skills = new Set<string>();
    for (let seed = 1; seed <= 150; seed += 1) {
      const objects = renderScene(generateScene(seed)).objects;
      const problem = generateVqaProblem(objects, createRng(seed));
      const solution = solveVqa(problem.question, problem.options, objects);
      expect(solution.answer, `seed ${seed}: ${problem.question}`).toBe(problem.answer);
      if (problem.options.length > 0) expect(problem.answer).toMatch(/^[A-E]$/);
      if (problem.trap !== 'none') {
        const pitfall = solution.pitfalls.find((entry) => entry.trap === problem.trap);
        expect(pitfall, `seed ${seed}: the tagged trap must change the answer`).toBeDefined();
        expect(pitfall?.wrongAnswer).not.toBe(problem.answer);
      }
      expect(problem.level).toBeGreaterThanOrEqual(1);
      expect(problem.level).toBeLessThanOrEqual(5);
      traps.add(problem.trap);
      skills.add(problem.skill);
    }
    expect([...traps].sort()).toEqual([...VQA_TRAPS].sort());
    expect(skills.size, 'skills covered').toBeGreaterThanOrEqual(4);
  }, 60_000);

  it('counts, mirrors left and right, and reports the trap answers on hand-placed objects', () => {
    const objects = [view('circle', 'red', 20), view('circle', 'orange', 60), view('square', 'red', 100, true), view('star', 'blue', 140)];
    expect(solveVqa('How many red objects are there in the image?\n<image1>', [], objects)).toEqual({
      answer: '2',
      pitfalls: [
        { trap: 'occlusion', wrongAnswer: '1' },
        { trap: 'similar-colour', wrongAnswer: '3' },
      ],
    });
    expect(solveVqa('How many objects are to the left of the blue star?', [], objects)).toEqual({
      answer: '3',
      pitfalls: [{ trap: 'viewer-left', wrongAnswer: '0' }],
    });
    const options = ['the blue star', 'the red circle', 'the orange circle'];
    expect(solveVqa('Which object is farthest to the left in the image?', options, objects)).toEqual({
      answer: 'B',
      pitfalls: [{ trap: 'viewer-left', wrongAnswer: 'A' }],
    });
    expect(solveVqa('What is the total number of corners of all the objects in the image?', [], objects).answer).toBe('14');
    expect(solveVqa('What is the meaning of life?', [], objects)).toEqual({ answer: 'unknown', pitfalls: [] });
    expect(solveVqa('Question: how many stars are there in the image?', [], objects).answer, 'text around the question').toBe('1');
  });

  it('names keywords for every trap except none', () => {
    for (const trap of VQA_TRAPS) expect(trapKeywords(trap).length > 0, trap).toBe(trap !== 'none');
  });

  it('does not count a lesson that only quotes a left/right question as addressing the viewer-left trap', () => {
    const quoting = 'For "how many objects are to the left of the red circle?" re-check each step before answering.';
    const about = "Left and right mean the viewer's left and right in the image.";
    const matches = (text: string): boolean => trapKeywords('viewer-left').some((keyword) => text.toLowerCase().includes(keyword));
    expect(matches(quoting), 'a lesson quoting the question is not about the trap').toBe(false);
    expect(matches(about), 'a lesson about the viewer convention addresses the trap').toBe(true);
  });
});
