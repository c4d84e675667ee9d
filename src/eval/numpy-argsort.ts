/**
 * `np.argsort(values)` (default kind 'quicksort') exactly as numpy 1.24 orders integer keys, ties
 * included. LISA's ReasonSeg loader draws shapes in `np.argsort(areas)[::-1]` order under its pinned
 * numpy==1.24.2, so the tie order decides which of two equal-area overlapping shapes ends on top.
 *
 * Port of numpy/core/src/npysort/quicksort.cpp `aquicksort_` + heapsort.cpp `aheapsort_` (introsort:
 * median-of-3 quicksort while a partition holds more than SMALL_QUICKSORT + 1 = 16 elements, insertion
 * sort below, heapsort once the depth budget 2·floor(log2 n) is spent). numpy 1.24 has no SIMD argsort
 * (AVX-512 argsort came in 1.25). Up to 16 elements this is a stable sort; beyond, ties are reordered
 * deterministically. Pinned by src/eval/__fixtures__/numpy-argsort-golden.json (real numpy 1.24.2).
 */

// numpy/core/src/npysort/npysort_common.h
const SMALL_QUICKSORT = 15;

class IndexArray {
  readonly items: Int32Array;

  constructor(length: number) {
    this.items = new Int32Array(length);
    for (let index = 0; index < length; index += 1) this.items[index] = index;
  }

  get(position: number): number {
    const value = this.items[position];
    if (value === undefined) throw new RangeError(`argsort position ${position} out of range`);
    return value;
  }

  set(position: number, value: number): void {
    this.items[position] = value;
  }

  swap(a: number, b: number): void {
    const held = this.get(a);
    this.set(a, this.get(b));
    this.set(b, held);
  }
}

function floorLog2(value: number): number {
  let depth = 0;
  for (let rest = value; rest > 1; rest = Math.floor(rest / 2)) depth += 1;
  return depth;
}

/** aheapsort_ on positions start .. start + count - 1, with numpy's 1-based heap indexing. */
function heapsort(less: (a: number, b: number) => boolean, tosort: IndexArray, start: number, count: number): void {
  const at = (position: number): number => tosort.get(start + position - 1);
  const put = (position: number, value: number): void => tosort.set(start + position - 1, value);
  const siftDown = (held: number, from: number, size: number): void => {
    let i = from;
    let j = from * 2;
    while (j <= size) {
      if (j < size && less(at(j), at(j + 1))) j += 1;
      if (!less(held, at(j))) break;
      put(i, at(j));
      i = j;
      j += j;
    }
    put(i, held);
  };
  for (let l = count >> 1; l > 0; l -= 1) siftDown(at(l), l, count);
  for (let n = count; n > 1; ) {
    const held = at(n);
    put(n, at(1));
    n -= 1;
    siftDown(held, 1, n);
  }
}

export function numpyArgsort(values: ReadonlyArray<number>): number[] {
  const value = (index: number): number => {
    const entry = values[index];
    if (entry === undefined) throw new RangeError(`argsort index ${index} out of range`);
    return entry;
  };
  const less = (a: number, b: number): boolean => value(a) < value(b);
  const tosort = new IndexArray(values.length);
  const stack: Array<{ low: number; high: number; depth: number }> = [];
  let pl = 0;
  let pr = values.length - 1;
  let depth = floorLog2(values.length) * 2;
  for (;;) {
    if (depth < 0) {
      heapsort(less, tosort, pl, pr - pl + 1);
    } else {
      while (pr - pl > SMALL_QUICKSORT) {
        const pm = pl + ((pr - pl) >> 1);
        if (less(tosort.get(pm), tosort.get(pl))) tosort.swap(pm, pl);
        if (less(tosort.get(pr), tosort.get(pm))) tosort.swap(pr, pm);
        if (less(tosort.get(pm), tosort.get(pl))) tosort.swap(pm, pl);
        const pivot = tosort.get(pm);
        let pi = pl;
        let pj = pr - 1;
        tosort.swap(pm, pj);
        for (;;) {
          do pi += 1;
          while (less(tosort.get(pi), pivot));
          do pj -= 1;
          while (less(pivot, tosort.get(pj)));
          if (pi >= pj) break;
          tosort.swap(pi, pj);
        }
        tosort.swap(pi, pr - 1);
        // numpy pushes the larger partition and continues with the smaller one.
        depth -= 1;
        if (pi - pl < pr - pi) {
          stack.push({ low: pi + 1, high: pr, depth });
          pr = pi - 1;
        } else {
          stack.push({ low: pl, high: pi - 1, depth });
          pl = pi + 1;
        }
      }
      for (let pi = pl + 1; pi <= pr; pi += 1) {
        const held = tosort.get(pi);
        let pj = pi;
        while (pj > pl && less(held, tosort.get(pj - 1))) {
          tosort.set(pj, tosort.get(pj - 1));
          pj -= 1;
        }
        tosort.set(pj, held);
      }
    }
    const next = stack.pop();
    if (next === undefined) break;
    ({ low: pl, high: pr, depth } = next);
  }
  return Array.from(tosort.items);
}
