/**
 * Noise under which the simulated MLLM always falls into a VQA problem's trap and never errs by chance
 * otherwise, and a lesson it can act on that applies to the problem fully prevents the fall: end-to-end
 * memory tests need that contrast.
 */
export const TRAP_ALWAYS_NOISE = { vqa: { baseErrorRate: 0, difficultyWeight: 0, trapErrorRate: 1 }, relevantLessonFactor: 0 } as const;
