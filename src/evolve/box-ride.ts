/**
 * The final arbitration's box prompt riding in a generation's concept_segment request.
 *
 * Roboflow's SAM 3 server takes text and box (exemplar) prompts in one request and encodes the image once
 * for all of them: `Sam3SegmentationRequest.prompts` is a list of `Sam3Prompt`, each text and/or boxes
 * (inference/core/entities/requests/sam3.py), and `segment_image` builds one datapoint with one find query
 * per prompt, visual or text, and runs one forward pass (inference/models/sam3/segment_anything3.py; the
 * inference_models path, sam3_torch.py segment_with_text_prompts, does the same; roboflow/inference @
 * 3bb973b5ca52). So when the box stream runs beside the evolution (concurrentStages),
 * its box need not cost an encode of its own: the first batch of phrases sent after the box stream starts
 * waits for predict_box's answer and carries the box with it (encodeOnce). predict_box is one MLLM call
 * started together with planning's several, so that wait is normally none. When no batch takes the box
 * (no generation ran), the ride is released and the box goes alone.
 */
import type { Box, SegmentResult } from '../core/index.js';

/** Wrapped so that resolving with it does not adopt (flatten) the inner promise. */
interface Carried {
  result: Promise<SegmentResult | undefined>;
}

export class BoxRide {
  private state: 'waiting' | 'boarded' | 'released' = 'waiting';
  private settle: (carried: Carried | undefined) => void = () => undefined;
  /** What segmentBox waits for: the batch's result for the box, or undefined when the box must go alone. */
  readonly carried = new Promise<Carried | undefined>((resolve) => {
    this.settle = resolve;
  });
  private readonly box: Promise<Box | undefined>;

  constructor(box: Promise<Box | undefined>) {
    // A failed predict_box fails the box stream where it is awaited, not the batch of phrases.
    this.box = box.catch(() => undefined);
  }

  /** For the batch about to be sent: the box to add (once; undefined when already taken or released). */
  board(): Promise<Box | undefined> | undefined {
    if (this.state !== 'waiting') return undefined;
    this.state = 'boarded';
    return this.box;
  }

  /** The boarded batch's result for the box (undefined when predict_box gave no box). */
  carry(result: Promise<SegmentResult | undefined>): void {
    result.catch(() => undefined);
    this.settle({ result });
  }

  /** No batch will take the box any more: segmentBox sends it alone. */
  release(): void {
    if (this.state !== 'waiting') return;
    this.state = 'released';
    this.settle(undefined);
  }
}
