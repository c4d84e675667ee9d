/**
 * `--explain`: a segmentation run as a tree in the terminal — planning, each generation's phrases with
 * gate decisions and fitness, fights and verdicts, the stopping rule, mutation, the final arbitration
 * and what the run cost. Plain text (no colours) so it can be piped and diffed.
 */
import type { GenerationRecord, SegmentationResult, SegmentationTrace } from './trace.js';

interface Node {
  label: string;
  children?: Node[];
}

function render(node: Node, prefix: string, last: boolean, root: boolean, lines: string[]): void {
  lines.push(root ? node.label : `${prefix}${last ? '└─ ' : '├─ '}${node.label}`);
  const childPrefix = root ? '' : `${prefix}${last ? '   ' : '│  '}`;
  const children = node.children ?? [];
  children.forEach((child, index) => render(child, childPrefix, index === children.length - 1, false, lines));
}

const quoted = (phrase: string): string => JSON.stringify(phrase);
const fixed = (value: number | null, digits = 2): string => (value === null ? '–' : value.toFixed(digits));

function planningNode(trace: SegmentationTrace): Node | undefined {
  const planning = trace.planning;
  if (planning === undefined) return undefined;
  const children: Node[] = [{ label: `planned: ${planning.planned.length === 0 ? '(no phrase: the model sees no target)' : planning.planned.map(quoted).join(', ')}` }];
  for (const refinement of planning.refinements) {
    children.push({ label: refinement.verdict === 'keep' ? `refine ${quoted(refinement.phrase)}: keep` : `refine ${quoted(refinement.phrase)} → ${quoted(refinement.result)}` });
  }
  if (planning.variants.length > 0) children.push({ label: `variants: ${planning.variants.map(quoted).join(', ')}` });
  children.push({ label: `population: ${planning.population.map(quoted).join(', ') || '(empty)'}` });
  return { label: `planning (Query: ${planning.queryText})`, children };
}

function generationNode(trace: SegmentationTrace, generation: GenerationRecord): Node {
  const phrases = trace.phrases.filter((phrase) => phrase.generation === generation.index);
  const children: Node[] = generation.population.map((member) => {
    const evaluation = phrases.find((phrase) => phrase.phrase === member.phrase);
    const gate = evaluation === undefined ? '' : ` gate ${evaluation.gate.passed ? 'pass' : 'fail'} (${evaluation.gate.reason}${evaluation.gate.cached ? ', cached' : ''})`;
    const stats = evaluation === undefined ? '' : ` score ${fixed(evaluation.confidence)} area ${evaluation.area}`;
    const champion = member.phrase === generation.champion ? ' ★ champion' : '';
    return { label: `${quoted(member.phrase)} [${member.origin}]${stats}${gate}${member.valid ? ` fitness ${member.fitness}` : ''}${champion}` };
  });
  for (const fight of generation.fights) {
    const winner = fight.winner === 'tie' ? 'tie' : `${fight.winner} wins`;
    children.push({ label: `fight: A=${quoted(fight.shownA)} B=${quoted(fight.shownB)} (IoU ${fixed(fight.iou)}) → ${fight.verdict}: ${winner} — ${fight.reason}` });
  }
  for (const skipped of generation.skipped) children.push({ label: `skipped ${quoted(skipped.phrase)} (IoU ${fixed(skipped.iou)} with the champion)` });
  const stop = generation.stop;
  children.push({ label: `stop: ${stop.reason} (valid ${stop.validCount}, fitness spread ${fixed(stop.spread, 0)}, top mean IoU ${fixed(stop.topMeanIou)})` });
  const mutation = generation.mutation;
  if (mutation !== undefined) {
    const notes = [mutation.fromFallback ? 'from the last planned phrase' : '', mutation.wasted ? 'after the last generation: never evaluated' : ''].filter((note) => note !== '');
    children.push({ label: `mutation → ${mutation.next.map(quoted).join(', ')}${notes.length > 0 ? ` (${notes.join('; ')})` : ''}` });
  }
  return { label: `generation ${generation.index}`, children };
}

function arbitrationNode(trace: SegmentationTrace): Node | undefined {
  const record = trace.arbitration;
  if (record === undefined) return undefined;
  const children: Node[] = [];
  if (record.textPhrase !== undefined) children.push({ label: `text: ${quoted(record.textPhrase)}${record.textFallback ? ' (fallback: nothing passed the gate)' : ''}` });
  if (record.box !== undefined) children.push({ label: `box: [${record.box.map((value) => Math.round(value)).join(', ')}]${record.boxScore === undefined ? ' (no mask)' : ` score ${fixed(record.boxScore)}`}` });
  record.verdicts.forEach((verdict, index) => children.push({ label: `verdict ${index + 1}: A=${verdict.shownA} → ${verdict.verdict} (${verdict.winner}) — ${verdict.reason}` }));
  children.push({ label: `decision: ${record.decision} (${record.reason})` });
  return { label: `arbitration (${record.output})`, children };
}

function agentNode(trace: SegmentationTrace): Node | undefined {
  const turns = trace.agentTurns;
  if (turns === undefined) return undefined;
  return {
    label: 'agent turns',
    children: turns.map((turn) => {
      const details = [
        turn.phrase === undefined ? '' : quoted(turn.phrase),
        turn.masks === undefined ? '' : `${turn.masks} mask(s)`,
        turn.accepted === undefined ? '' : `accepted [${turn.accepted.join(', ')}]`,
        turn.selected === undefined ? '' : `selected [${turn.selected.join(', ')}]`,
        turn.note ?? '',
      ].filter((detail) => detail !== '');
      return { label: `${turn.turn}. ${turn.tool}${details.length > 0 ? ` ${details.join(', ')}` : ''}` };
    }),
  };
}

function costNode(result: SegmentationResult): Node {
  const counters = result.counters;
  const stages = Object.entries(result.trace.stages).map(([stage, totals]) => ({
    label: `${stage}: ${totals.calls} call(s), ${totals.promptTokens}+${totals.completionTokens} tokens, ${Math.round(totals.latencyMs)} ms${totals.failures > 0 ? `, ${totals.failures} failed` : ''}`,
  }));
  const resolution = result.trace.resolution;
  if (resolution !== undefined) {
    const saved = counters.imageTokensAllFull > 0 ? ` (${(100 * (1 - counters.imageTokensSent / counters.imageTokensAllFull)).toFixed(1)}% saved)` : '';
    stages.push({
      label: `resolution ${resolution.mode}${resolution.mode === 'adaptive' ? ` (${resolution.rule})` : ''}: ${counters.imagesQuarter} image(s) at quarter, ${counters.imagesFull} at full${counters.resolutionChecks > 0 ? `, ${counters.resolutionChecks} check call(s)` : ''}; visual tokens ${counters.imageTokensSent} of ${counters.imageTokensAllFull} all-full${saved}`,
    });
  }
  return {
    label: `cost: mllm ${counters.mllmCalls}, judge ${counters.judgeCalls}, segmenter ${counters.segmenterCalls} call(s) (image encodes ${counters.segmenterImageEncodes}); wall ${Math.round(counters.wallMs)} ms, waiting on backends ${Math.round(counters.backendWaitMs)} ms`,
    children: stages,
  };
}

export function formatTraceTree(result: SegmentationResult): string {
  const trace = result.trace;
  const kind = trace.isSentence ? 'reasoning sentence' : 'short phrase';
  const children = [planningNode(trace), ...trace.generations.map((generation) => generationNode(trace, generation)), agentNode(trace), arbitrationNode(trace), costNode(result)].filter(
    (node): node is Node => node !== undefined,
  );
  for (const warning of result.warnings) children.push({ label: `warning [${warning.code}]: ${warning.message}` });
  const lines: string[] = [];
  render({ label: `${trace.variant}: ${quoted(trace.query)} (${kind})`, children }, '', true, true, lines);
  return `${lines.join('\n')}\n`;
}
