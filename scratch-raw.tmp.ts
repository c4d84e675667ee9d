import { createNoiseModel, resolveSimConfig } from './src/sim/noise/index.js';
import { perceiveObjects } from './src/sim/perception/index.js';
import { createRng } from './src/sim/world/index.js';
import { segmentText } from './src/sim/servers/segmenter-logic.js';
import { sceneFixture } from './src/sim/servers/test-support.js';
const noise = createNoiseModel(resolveSimConfig({}, { preset: 'paper-like' }).noise);
const bySteps = new Map<number, { n: number; top: number; union: number }>();
for (let seed = 9000; seed < 9300; seed++) {
  const f = sceneFixture(seed, { sentenceRate: 0.5, noTargetRate: 0 });
  const img = f.rendered.image; const objects = perceiveObjects(img);
  const size = { width: img.width, height: img.height };
  const inst = segmentText(f.query.query, objects, size, noise, createRng(seed)).filter((i) => i.confidence >= 0.5).sort((a, b) => b.confidence - a.confidence);
  const target = f.rendered.instanceMasks[f.query.targetIndex ?? -1];
  const iou = (m: Uint8Array | undefined) => { if (!target) return m && m.some(v=>v) ? 0 : 1; let i = 0, u = 0; for (let p = 0; p < target.data.length; p++) { const a = m?.[p] ?? 0, b = target.data[p]; if (a && b) i++; if (a || b) u++; } return u === 0 ? 1 : i / u; };
  const union = new Uint8Array(size.width * size.height); for (const x of inst) x.mask.data.forEach((v, p) => { if (v) union[p] = 1; });
  const s = bySteps.get(f.query.steps) ?? { n: 0, top: 0, union: 0 };
  s.n++; s.top += iou(inst[0]?.mask.data); s.union += iou(union); bySteps.set(f.query.steps, s);
}
let N=0,T=0,U=0;
for (const [k, s] of [...bySteps].sort()) { N+=s.n;T+=s.top;U+=s.union; console.log(`steps ${k}: n=${s.n} top=${(100 * s.top / s.n).toFixed(1)} union=${(100 * s.union / s.n).toFixed(1)}`); }
console.log(`all: n=${N} top=${(100*T/N).toFixed(1)} union=${(100*U/N).toFixed(1)}`);
