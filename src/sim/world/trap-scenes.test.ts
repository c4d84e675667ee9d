import { describe, expect, it } from 'vitest';
import { scenesWithTrap } from './trap-scenes.js';

describe('scenesWithTrap', () => {
  it('returns the requested number of scenes, in increasing seed order, each with a problem carrying the trap', () => {
    const scenes = scenesWithTrap('occlusion', 3);
    expect(scenes).toHaveLength(3);
    const seeds = scenes.map((scene) => scene.seed);
    expect(seeds, 'seeds strictly increase').toEqual([...seeds].sort((a, b) => a - b));
    expect(new Set(seeds).size).toBe(3);
    for (const scene of scenes) {
      expect(scene.problem.trap, `scene ${scene.seed}`).toBe('occlusion');
      expect(scene.rendered.image.width).toBe(320);
      expect(scene.rendered.image.height).toBe(240);
    }
  });

  it('returns fewer scenes when the seed limit runs out first', () => {
    expect(scenesWithTrap('occlusion', 10, 1)).toEqual([]);
  });
});
