/** The simulated test bed: SynthWorld (seeded scenes, queries, VQA) and simulated model servers. */
export * from './world/index.js';
