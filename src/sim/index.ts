/** The simulated test bed: SynthWorld (seeded scenes, queries, VQA) and simulated model servers. */
export * from './world/index.js';
export * from './perception/index.js';
export * from './noise/index.js';
export * from './servers/index.js';
