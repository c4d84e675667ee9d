/**
 * Answers the chat proxy gave, kept per tenant so that a harness (which never sends gold answers with its
 * questions) can send a verdict or the gold answer later (POST /v1/feedback), and so the label-free check
 * can run after the answer went out. What is kept is what writing a lesson needs: the question (last user
 * message text), its images (the vetted data: URLs the model saw) and the answer text.
 * Bounded per tenant: entries older than `ttlSeconds` are dropped, and the oldest go first when a tenant
 * holds more than `maxAnswersPerTenant` answers or `maxBytesPerTenant` bytes (question + images + answer).
 * Kept in memory only: a restart forgets every answer (feedback for one is then 404).
 */
import { mmevolveError } from '../core/index.js';

export interface AnswerRetention {
  ttlSeconds: number;
  maxAnswersPerTenant: number;
  maxBytesPerTenant: number;
}

export const DEFAULT_ANSWER_RETENTION: AnswerRetention = { ttlSeconds: 3600, maxAnswersPerTenant: 1000, maxBytesPerTenant: 64 * 1024 * 1024 };

export interface ProxiedAnswer {
  /** The response id the proxy returned (the upstream's `id`, also sent as X-Mmevolve-Response-Id). */
  id: string;
  question: string;
  /** data: URLs of the last user message's images, as forwarded. */
  images: string[];
  /** The answer's text (the first choice's content, streamed or not). */
  answer: string;
  model: string;
}

/** `open`: no feedback yet; `claimed`: feedback is being learned from; `used`: feedback was taken. */
type FeedbackState = 'open' | 'claimed' | 'used';

interface Kept {
  answer: ProxiedAnswer;
  keptAt: number;
  bytes: number;
  feedback: FeedbackState;
}

function sizeOf(answer: ProxiedAnswer): number {
  return answer.question.length + answer.answer.length + answer.images.reduce((sum, url) => sum + url.length, 0);
}

export class AnswerLog {
  readonly #retention: AnswerRetention;
  readonly #now: () => number;
  /** Per tenant, in insertion order (oldest first), which is also eviction order. */
  readonly #tenants = new Map<string, { entries: Map<string, Kept>; bytes: number }>();

  constructor(retention: Partial<AnswerRetention> = {}, now: () => number = Date.now) {
    this.#retention = { ...DEFAULT_ANSWER_RETENTION, ...retention };
    this.#now = now;
  }

  get retention(): AnswerRetention {
    return this.#retention;
  }

  /** Keeps an answer; false when it alone is over the tenant's byte bound (then nothing is kept). */
  keep(tenant: string, answer: ProxiedAnswer): boolean {
    const bytes = sizeOf(answer);
    if (bytes > this.#retention.maxBytesPerTenant || this.#retention.maxAnswersPerTenant === 0) return false;
    const log = this.#tenants.get(tenant) ?? { entries: new Map<string, Kept>(), bytes: 0 };
    this.#tenants.set(tenant, log);
    const previous = log.entries.get(answer.id);
    if (previous !== undefined) {
      // An upstream that repeats ids: the newer answer replaces the older one.
      log.entries.delete(answer.id);
      log.bytes -= previous.bytes;
    }
    log.entries.set(answer.id, { answer, keptAt: this.#now(), bytes, feedback: 'open' });
    log.bytes += bytes;
    this.#evict(tenant);
    return true;
  }

  #evict(tenant: string): void {
    const log = this.#tenants.get(tenant);
    if (log === undefined) return;
    const oldest = this.#now() - this.#retention.ttlSeconds * 1000;
    for (const [id, kept] of log.entries) {
      const over = log.entries.size > this.#retention.maxAnswersPerTenant || log.bytes > this.#retention.maxBytesPerTenant;
      if (!over && kept.keptAt >= oldest) break;
      // An answer whose feedback is being learned from stays until that finishes.
      if (kept.feedback === 'claimed') continue;
      log.entries.delete(id);
      log.bytes -= kept.bytes;
    }
    if (log.entries.size === 0) this.#tenants.delete(tenant);
  }

  #find(tenant: string, id: string): Kept | undefined {
    this.#evict(tenant);
    return this.#tenants.get(tenant)?.entries.get(id);
  }

  /** A kept answer of this tenant (undefined for another tenant's id, an expired or an unknown one). */
  get(tenant: string, id: string): ProxiedAnswer | undefined {
    return this.#find(tenant, id)?.answer;
  }

  /**
   * Takes the answer's one feedback: not-found for an id this tenant has not got (or no longer), conflict
   * when feedback was already given or is being learned from. Call settle() when learning ends.
   */
  claim(tenant: string, id: string): ProxiedAnswer {
    const kept = this.#find(tenant, id);
    if (kept === undefined) {
      throw mmevolveError(
        'not-found',
        `no answer with response id ${JSON.stringify(id.slice(0, 200))} for this key's tenant`,
        `Send the id of a /v1/chat/completions response given to this tenant with memory on, within ${this.#retention.ttlSeconds} s (the server keeps the last ${this.#retention.maxAnswersPerTenant} answers per tenant, in memory only).`,
      );
    }
    if (kept.feedback !== 'open') {
      throw mmevolveError('conflict', `the answer ${JSON.stringify(id)} already has feedback`, 'Each answer takes feedback once; the first verdict stands.');
    }
    kept.feedback = 'claimed';
    return kept.answer;
  }

  /** Ends a claim: `used` when lessons were learned (or the answer judged right), reopened when learning failed. */
  settle(tenant: string, id: string, used: boolean): void {
    const kept = this.#tenants.get(tenant)?.entries.get(id);
    if (kept !== undefined) kept.feedback = used ? 'used' : 'open';
  }

  /** Answers and bytes kept for a tenant (tests and metrics). */
  size(tenant: string): { answers: number; bytes: number } {
    this.#evict(tenant);
    const log = this.#tenants.get(tenant);
    return { answers: log?.entries.size ?? 0, bytes: log?.bytes ?? 0 };
  }
}
