/**
 * `npm run bench [-- name…]`: runs every registered bench in order (or only the named ones), printing
 * a header per bench. Benches print measured numbers from one run; nothing here asserts timings.
 * Register a bench with ONE line below: { name, load: () => import('./<topic>.bench.js') }.
 */
interface BenchModule {
  run: () => Promise<void>;
}

const BENCHES: Array<{ name: string; load: () => Promise<BenchModule> }> = [
  { name: 'rle', load: () => import('./rle.bench.js') },
  { name: 'client-load', load: () => import('./client-load.bench.js') },
  { name: 'memory-store', load: () => import('./memory-store.bench.js') },
  { name: 'memory-store-postgres', load: () => import('./memory-store-postgres.bench.js') },
  { name: 'evolve', load: () => import('./evolve.bench.js') },
  { name: 'sim-servers', load: () => import('./sim-servers.bench.js') },
  { name: 'synthworld', load: () => import('./synthworld.bench.js') },
  { name: 'eval-harness', load: () => import('./eval-harness.bench.js') },
  { name: 'calibration', load: () => import('./calibration.bench.js') },
  { name: 'ablation', load: () => import('./ablation.bench.js') },
  { name: 'cost', load: () => import('./cost-per-sample.bench.js') },
  { name: 'engine-cpu', load: () => import('./engine-cpu.bench.js') },
  { name: 'server-load', load: () => import('./server-load.bench.js') },
  { name: 'server-flood', load: () => import('./server-flood.bench.js') },
  { name: 'eval-distributed', load: () => import('./eval-distributed.bench.js') },
  { name: 'adaptive-resolution', load: () => import('./adaptive-resolution.bench.js') },
];

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((name) => !BENCHES.some((bench) => bench.name === name));
  if (unknown.length > 0) {
    throw new Error(`unknown bench ${unknown.join(', ')}; known: ${BENCHES.map((bench) => bench.name).join(', ')}`);
  }
  for (const bench of BENCHES) {
    if (wanted.length > 0 && !wanted.includes(bench.name)) continue;
    console.log(`\n=== bench: ${bench.name} ===`);
    const started = performance.now();
    const module = await bench.load();
    await module.run();
    console.log(`=== ${bench.name} done in ${((performance.now() - started) / 1000).toFixed(1)} s ===`);
  }
}

await main();
