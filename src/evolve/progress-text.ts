/** One short human-readable line per progress event (stage and generation), for terminals and logs. */
import type { SegmentationEvent } from './events.js';

export function progressText(event: SegmentationEvent): string | undefined {
  switch (event.type) {
    case 'segmentation-start':
      return `${event.method}: starting`;
    case 'planning-start':
      return 'planning: proposing and refining phrases';
    case 'planning-end':
      return `planning: ${event.population.length} individual(s)`;
    case 'generation-start':
      return `generation ${event.generation}: evaluating ${event.population.length} phrase(s)`;
    case 'phrase-evaluated':
      return `generation ${event.generation}: ${JSON.stringify(event.phrase)} score ${event.confidence.toFixed(2)} → ${event.passed ? 'pass' : 'fail'}`;
    case 'fight-end':
      return `generation ${event.generation}: arena ${JSON.stringify(event.champion)} vs ${JSON.stringify(event.challenger)} → ${event.winner}`;
    case 'generation-end':
      return `generation ${event.generation}: ${event.stop.reason}`;
    case 'mutation-end':
      return `generation ${event.generation}: mutated into ${event.next.length} phrase(s)`;
    case 'arbitration-start':
      return 'arbitration: box stream and final judgement';
    case 'arbitration-end':
      return `arbitration: ${event.decision}`;
    case 'agent-turn':
      return `agent turn ${event.turn}: ${event.tool}${event.phrase === undefined ? '' : ` ${JSON.stringify(event.phrase)}`}`;
    case 'segmentation-end':
      return `done: ${event.area} px in ${Math.round(event.wallMs)} ms`;
    default:
      return undefined;
  }
}
