/**
 * Noise under which the simulated MLLM always falls into a VQA problem's trap and never by chance otherwise,
 * and a relevant lesson in its context fully prevents the fall: end-to-end memory tests need that contrast.
 */
export const TRAP_ALWAYS_NOISE = { vqa: { baseErrorRate: 0, trapErrorRate: 1 }, relevantLessonFactor: 0 } as const;
