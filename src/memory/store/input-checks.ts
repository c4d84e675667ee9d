/** Checks of the arguments callers pass to a TenantMemory, with the errors users see. */
import { mmevolveError, normaliseLessonText } from '../../core/index.js';

/** sqlite-vec refuses k above 4096. */
export const MAX_K = 4096;

export function notFound(id: string): Error {
  return mmevolveError('not-found', `no lesson ${JSON.stringify(id)} in this tenant`, 'list lessons with `mmevolve memory list`');
}

/** k as the index takes it: an integer in 0..4096 (NaN or negative → 0, nothing to find). */
export function kneighbours(k: number): number {
  return Number.isFinite(k) && k >= 1 ? Math.min(MAX_K, Math.floor(k)) : 0;
}

export function checkStream(stream: string): void {
  if (stream !== 'visual' && stream !== 'logic') {
    throw mmevolveError('invalid-input', `unknown lesson stream ${JSON.stringify(stream)}`, "streams are 'visual' and 'logic'");
  }
}

/** Image retrieval returns visual lessons only, so only they may carry source-image vectors. */
export function checkImagesAllowed(stream: string, imageCount: number): void {
  if (stream === 'logic' && imageCount > 0) {
    throw mmevolveError('invalid-input', 'logic lessons have no source-image vectors', 'attach image vectors to visual lessons only');
  }
}

export function checkText(text: string): void {
  if (typeof text !== 'string' || normaliseLessonText(text) === '') {
    throw mmevolveError('invalid-input', 'lesson text is empty', 'a lesson needs a non-empty text');
  }
}
