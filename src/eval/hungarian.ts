/**
 * Minimum-cost assignment on a rectangular cost matrix (the problem scipy's linear_sum_assignment solves):
 * every row is matched to a distinct column when rows ≤ columns (transposed otherwise). Kuhn–Munkres with
 * potentials, O(n²m). Returns the matched [row, column] pairs sorted by row, as scipy does.
 */
export function linearSumAssignment(cost: ReadonlyArray<ReadonlyArray<number>>): Array<[number, number]> {
  const rows = cost.length;
  const columns = rows === 0 ? 0 : (cost[0]?.length ?? 0);
  if (rows === 0 || columns === 0) return [];
  if (rows > columns) {
    const transposed = Array.from({ length: columns }, (_, column) => cost.map((row) => row[column] ?? 0));
    return linearSumAssignment(transposed)
      .map(([row, column]): [number, number] => [column, row])
      .sort((a, b) => a[0] - b[0]);
  }
  // 1-based arrays as in the classic formulation; column 0 is the virtual start.
  const u = new Float64Array(rows + 1);
  const v = new Float64Array(columns + 1);
  const match = new Int32Array(columns + 1); // match[column] = row (1-based), 0 = free
  const way = new Int32Array(columns + 1);
  for (let row = 1; row <= rows; row += 1) {
    match[0] = row;
    let column0 = 0;
    const minValue = new Float64Array(columns + 1).fill(Infinity);
    const used = new Uint8Array(columns + 1);
    do {
      used[column0] = 1;
      const row0 = match[column0] ?? 0;
      let delta = Infinity;
      let column1 = 0;
      for (let column = 1; column <= columns; column += 1) {
        if (used[column] === 1) continue;
        const current = (cost[row0 - 1]?.[column - 1] ?? 0) - (u[row0] ?? 0) - (v[column] ?? 0);
        if (current < (minValue[column] ?? Infinity)) {
          minValue[column] = current;
          way[column] = column0;
        }
        if ((minValue[column] ?? Infinity) < delta) {
          delta = minValue[column] ?? Infinity;
          column1 = column;
        }
      }
      for (let column = 0; column <= columns; column += 1) {
        if (used[column] === 1) {
          u[match[column] ?? 0] = (u[match[column] ?? 0] ?? 0) + delta;
          v[column] = (v[column] ?? 0) - delta;
        } else {
          minValue[column] = (minValue[column] ?? Infinity) - delta;
        }
      }
      column0 = column1;
    } while ((match[column0] ?? 0) !== 0);
    do {
      const column1 = way[column0] ?? 0;
      match[column0] = match[column1] ?? 0;
      column0 = column1;
    } while (column0 !== 0);
  }
  const pairs: Array<[number, number]> = [];
  for (let column = 1; column <= columns; column += 1) {
    const row = match[column] ?? 0;
    if (row > 0) pairs.push([row - 1, column - 1]);
  }
  return pairs.sort((a, b) => a[0] - b[0]);
}
