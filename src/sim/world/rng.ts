/**
 * A small seeded PRNG (mulberry32) so every SynthWorld artefact is a pure function of its seed.
 * Math.random is never used in the simulated world.
 */
import { FNV1A_OFFSET_BASIS, fnv1a, mmevolveError, seededRandom } from '../../core/index.js';

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [min, max] (both inclusive). */
  int(min: number, max: number): number;
  /** Uniform real in [min, max). */
  real(min: number, max: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
  /** One element, uniformly. */
  pick<T>(items: readonly T[]): T;
  /** A shuffled copy (Fisher–Yates). */
  shuffle<T>(items: readonly T[]): T[];
  /** An independent generator derived from this one's stream and a label. */
  fork(label: string): Rng;
}

export function createRng(seed: number): Rng {
  const next = seededRandom(seed);
  const rng: Rng = {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    real: (min, max) => min + next() * (max - min),
    chance: (p) => next() < p,
    pick: <T>(items: readonly T[]): T => {
      if (items.length === 0) throw mmevolveError('internal', 'pick from an empty list', 'check the list before picking');
      return items[Math.floor(next() * items.length)] as T;
    },
    shuffle: <T>(items: readonly T[]): T[] => {
      const copy = [...items];
      for (let index = copy.length - 1; index > 0; index -= 1) {
        const other = Math.floor(next() * (index + 1));
        const held = copy[index] as T;
        copy[index] = copy[other] as T;
        copy[other] = held;
      }
      return copy;
    },
    fork: (label) => createRng(hashSeed(label, Math.floor(next() * 4294967296))),
  };
  return rng;
}

/** FNV-1a over the text, mixed with a numeric seed: stable seeds for named sub-streams. */
export function hashSeed(text: string, seed = 0): number {
  return fnv1a(text, FNV1A_OFFSET_BASIS ^ seed);
}
