/**
 * Applies the resolution policy (resolution.ts) to the MLLM calls of one run: per call it decides full or
 * quarter, downscales every image of the call alike (raw and overlays stay aligned), counts the visual
 * tokens sent against what all-full would have sent, and maps boxes the model writes on a quarter image back
 * to the original frame. With mode `full` it only counts.
 */
import { isMmevolveError } from '../core/index.js';
import type { Box, ChatImage, ChatResult, Mask, MllmClient, RgbImage, SentImageFrame, Size } from '../core/index.js';
import { getProfile } from '../protocols/index.js';
import type { ModelProfile } from '../protocols/index.js';
import { downscaleImage } from '../vision/index.js';
import { cheapRule, quarterPlan } from './resolution.js';
import type { QuarterPlan, Resolution, ResolutionConfig } from './resolution.js';
import type { ResolutionCallRecord, SegmentationCounters } from './trace.js';

export interface RoutedCall {
  resolution: Resolution;
  /** The images to send (undefined when the call has none). */
  images: ChatImage[] | undefined;
  /** Boxes and frames of the answer back in the frames of the images the engine passed in. */
  rescale<T>(result: ChatResult<T>): ChatResult<T>;
}

export interface RouteRequest {
  images?: readonly ChatImage[];
  /** Masks the call's overlays show (the cheap rule keeps them large enough). */
  masks?: readonly Mask[];
  stage: string;
  task: string;
}

/** Asks the model whether these (quarter) images suffice for the query: true = full resolution needed. */
export type ResolutionCheck = (client: MllmClient, images: readonly RgbImage[]) => Promise<boolean>;

function isRgb(image: ChatImage): image is RgbImage {
  return !('bytes' in image);
}

function profileOf(client: MllmClient): ModelProfile {
  try {
    return getProfile(client.profileName);
  } catch (error) {
    if (isMmevolveError(error) && error.code === 'unsupported-model') return getProfile('generic');
    throw error;
  }
}

/** Quarter copies per pixel buffer and size: the raw image goes out with many calls. */
const quarterCopies = new WeakMap<Uint8Array, Map<string, RgbImage>>();

function quarterCopy(image: RgbImage, size: Size): RgbImage {
  let bySize = quarterCopies.get(image.data);
  if (bySize === undefined) {
    bySize = new Map();
    quarterCopies.set(image.data, bySize);
  }
  const key = `${size.width}x${size.height}`;
  let copy = bySize.get(key);
  if (copy === undefined) {
    copy = downscaleImage(image, size.width, size.height);
    bySize.set(key, copy);
  }
  return copy;
}

const imageIds = new WeakMap<Uint8Array, number>();
let nextImageId = 0;

function imageId(image: ChatImage): number {
  const buffer = isRgb(image) ? image.data : image.bytes;
  let id = imageIds.get(buffer);
  if (id === undefined) {
    nextImageId += 1;
    id = nextImageId;
    imageIds.set(buffer, id);
  }
  return id;
}

export class ResolutionRouter {
  readonly calls: ResolutionCallRecord[] = [];
  private readonly checks = new Map<string, Promise<boolean>>();
  private warnedNoSaving = new Set<string>();

  constructor(
    readonly config: ResolutionConfig,
    private readonly counters: SegmentationCounters,
    private readonly warn: (code: string, message: string) => void,
    private readonly check: ResolutionCheck,
  ) {}

  async route(client: MllmClient, request: RouteRequest): Promise<RoutedCall> {
    const images = request.images === undefined ? undefined : [...request.images];
    if (images === undefined || images.length === 0) return { resolution: 'full', images, rescale: (result) => result };
    const profile = profileOf(client);
    const plans = images.map((image) => (isRgb(image) ? quarterPlan(profile, image) : undefined));
    const fullTokens = plans.reduce((sum, plan) => sum + (plan?.fullTokens ?? 0), 0);
    const { resolution, reason } = await this.decide(client, profile, images, plans, request);
    const sent = resolution === 'quarter' ? images.map((image, index) => this.shrink(image, plans[index])) : images;
    const sentTokens = resolution === 'quarter' ? plans.reduce((sum, plan) => sum + (plan?.saves === true ? (plan.quarterTokens ?? 0) : (plan?.fullTokens ?? 0)), 0) : fullTokens;
    this.count(resolution, images.length, sentTokens, fullTokens);
    if (this.config.mode !== 'full') this.calls.push({ stage: request.stage, task: request.task, resolution, reason, imageTokens: sentTokens, fullImageTokens: fullTokens });
    if (resolution === 'full') return { resolution, images, rescale: (result) => result };
    const frames = images.map((image, index): SentImageFrame => {
      const out = sent[index] ?? image;
      return { original: { width: image.width, height: image.height }, sent: { width: out.width, height: out.height } };
    });
    return { resolution, images: sent, rescale: (result) => rescaleResult(result, frames) };
  }

  private async decide(client: MllmClient, profile: ModelProfile, images: readonly ChatImage[], plans: readonly (QuarterPlan | undefined)[], request: RouteRequest): Promise<{ resolution: Resolution; reason: string }> {
    const { mode, rule } = this.config;
    if (mode === 'full') return { resolution: 'full', reason: 'mode full' };
    if (!plans.some((plan) => plan?.saves === true)) {
      if (!this.warnedNoSaving.has(profile.name)) {
        this.warnedNoSaving.add(profile.name);
        this.warn('resolution-no-saving', `profile ${profile.name}: a quarter-pixel image costs this model no fewer visual tokens, so images go at full resolution`);
      }
      return { resolution: 'full', reason: `no saving for profile ${profile.name}` };
    }
    if (mode === 'quarter') return { resolution: 'quarter', reason: 'mode quarter' };
    const raw = images.find(isRgb);
    if (raw === undefined) return { resolution: 'full', reason: 'no raw pixels to judge' };
    if (rule === 'cheap') return cheapRule(this.config.cheap, raw, request.masks ?? []);
    const key = `${client.model}|${images.map(imageId).join(',')}`;
    let pending = this.checks.get(key);
    if (pending === undefined) {
      const quarter = images.map((image, index) => this.shrink(image, plans[index])).filter(isRgb);
      pending = this.check(client, quarter);
      this.checks.set(key, pending);
      pending.catch(() => this.checks.delete(key));
    }
    const needsFull = await pending;
    return needsFull ? { resolution: 'full', reason: 'judge: needs full resolution' } : { resolution: 'quarter', reason: 'judge: quarter suffices' };
  }

  /** The image at its quarter size, or unchanged when the quarter size saves nothing for it (or it is already encoded). */
  private shrink(image: ChatImage, plan: QuarterPlan | undefined): ChatImage {
    if (plan === undefined || !plan.saves || !isRgb(image)) return image;
    return quarterCopy(image, plan.sent);
  }

  /** The judge rule's own call: its images go at quarter size and their tokens count as sent. */
  countCheck(sentTokens: number): void {
    this.counters.resolutionChecks += 1;
    this.counters.imageTokensSent += sentTokens;
  }

  private count(resolution: Resolution, images: number, sentTokens: number, fullTokens: number): void {
    if (resolution === 'quarter') this.counters.imagesQuarter += images;
    else this.counters.imagesFull += images;
    this.counters.imageTokensSent += sentTokens;
    this.counters.imageTokensAllFull += fullTokens;
  }
}

/** Visual tokens of images sent as they are (the judge rule's quarter images). */
export function imageTokensOf(client: MllmClient, images: readonly RgbImage[]): number {
  const profile = profileOf(client);
  return images.reduce((sum, image) => sum + (profile.imageTokens(image) ?? 0), 0);
}

function rescaleResult<T>(result: ChatResult<T>, frames: readonly SentImageFrame[]): ChatResult<T> {
  return {
    ...result,
    frames: frames.map((frame, index) => ({ original: frame.original, sent: result.frames[index]?.sent ?? frame.sent })),
    boxToOriginal(modelBox: Box, imageIndex = 0): Box {
      const inSent = result.boxToOriginal(modelBox, imageIndex);
      const frame = frames[imageIndex];
      if (frame === undefined) return inSent;
      const scaleX = frame.original.width / frame.sent.width;
      const scaleY = frame.original.height / frame.sent.height;
      return [inSent[0] * scaleX, inSent[1] * scaleY, inSent[2] * scaleX, inSent[3] * scaleY];
    },
  };
}
