/**
 * The iteration order CPython (3.8 – 3.12, checked against 3.11) gives a `set` of (int, int) tuples.
 *
 * Why this exists: InternVL's `dynamic_preprocess` builds its candidate grids as
 * `sorted(set(...), key=lambda x: x[0] * x[1])`. `sorted` is stable, so grids with the same tile count stay
 * in the set's hash-table order, and `find_closest_aspect_ratio` breaks exact ties by visiting order. With
 * min tiles = 1 no two equal-product grids can tie (a grid with fewer tiles always lies strictly between
 * them), but with min tiles > 1 they can, so the exact order matters. The order has no closed form; we
 * replay CPython's tuple hash (Objects/tupleobject.c, xxHash-based since 3.8) and set insertion
 * (Objects/setobject.c: linear probing of 9 slots, perturbation shift 5, resize at 3/5 fill to 4 × used).
 */

const MASK_64 = (1n << 64n) - 1n;
// tupleobject.c: _PyHASH_XXPRIME_1, _PyHASH_XXPRIME_2, _PyHASH_XXPRIME_5 (64-bit build).
const XXPRIME_1 = 11400714785074694791n;
const XXPRIME_2 = 14029467366897019727n;
const XXPRIME_5 = 2870177450012600261n;
// setobject.c constants.
const LINEAR_PROBES = 9n;
const PERTURB_SHIFT = 5n;
const SET_MIN_SIZE = 8;

type IntPair = readonly [number, number];

interface Slot {
  key: IntPair;
  hash: bigint;
}

/** hash((a, b)) for small non-negative ints (hash(n) = n), as an unsigned 64-bit value. */
export function pythonTupleHash(pair: IntPair): bigint {
  let accumulator = XXPRIME_5;
  for (const item of pair) {
    accumulator = (accumulator + BigInt(item) * XXPRIME_2) & MASK_64;
    accumulator = ((accumulator << 31n) | (accumulator >> 33n)) & MASK_64;
    accumulator = (accumulator * XXPRIME_1) & MASK_64;
  }
  accumulator = (accumulator + (BigInt(pair.length) ^ (XXPRIME_5 ^ 3527539n))) & MASK_64;
  // (Py_uhash_t)-1 is reserved for errors; CPython substitutes this constant.
  return accumulator === MASK_64 ? 1546275796n : accumulator;
}

/** The order `for item in set(pairs)` visits the pairs (duplicates dropped, first insertion wins). */
export function pythonSetOrder(pairs: Iterable<IntPair>): IntPair[] {
  let table: Array<Slot | undefined> = new Array<Slot | undefined>(SET_MIN_SIZE).fill(undefined);
  let used = 0;
  for (const key of pairs) {
    const hash = pythonTupleHash(key);
    if (!addEntry(table, key, hash)) continue;
    used += 1;
    const mask = table.length - 1;
    // set_add_entry: `if ((size_t)so->fill*5 < mask*3) return 0;` else resize for used*4 (no deletions here).
    if (used * 5 >= mask * 3) table = resized(table, used > 50000 ? used * 2 : used * 4);
  }
  return table.filter((slot): slot is Slot => slot !== undefined).map((slot) => slot.key);
}

/** set_add_entry: returns false when an equal key is already present. */
function addEntry(table: Array<Slot | undefined>, key: IntPair, hash: bigint): boolean {
  const mask = BigInt(table.length - 1);
  let index = hash & mask;
  let perturb = hash;
  for (;;) {
    const probes = index + LINEAR_PROBES <= mask ? LINEAR_PROBES : 0n;
    for (let offset = 0n; offset <= probes; offset += 1n) {
      const position = Number(index + offset);
      const slot = table[position];
      if (slot === undefined) {
        table[position] = { key, hash };
        return true;
      }
      if (slot.hash === hash && slot.key[0] === key[0] && slot.key[1] === key[1]) return false;
    }
    perturb >>= PERTURB_SHIFT;
    index = (index * 5n + 1n + perturb) & mask;
  }
}

/** set_table_resize + set_insert_clean: re-insert live entries in old-table order. */
function resized(oldTable: Array<Slot | undefined>, minUsed: number): Array<Slot | undefined> {
  let size = SET_MIN_SIZE;
  while (size <= minUsed) size *= 2;
  const table = new Array<Slot | undefined>(size).fill(undefined);
  for (const slot of oldTable) {
    if (slot !== undefined) addEntry(table, slot.key, slot.hash);
  }
  return table;
}
