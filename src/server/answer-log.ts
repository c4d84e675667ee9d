/**
 * Answers the chat proxy gave, kept per tenant so that a harness (which never sends gold answers with its
 * questions) can send a verdict or the gold answer later (POST /v1/feedback), and so the label-free check
 * can run after the answer went out. What is kept is what writing a lesson needs: the question (last user
 * message text), its images (the vetted data: URLs the model saw) and the answer text.
 * Bounded per tenant: entries older than `ttlSeconds` are dropped, and the oldest go first when a tenant
 * holds more than `maxAnswersPerTenant` answers or `maxBytesPerTenant` bytes (question + images + answer).
 * Kept in the rows given (answer-rows.ts): the workspace's SQLite file or Postgres for `serve`, so an answer
 * given before a restart still takes its feedback after it; in this process only by default.
 */
import { mmevolveError } from '../core/index.js';
import { memoryAnswerRows } from './answer-rows.js';
import type { AnswerIndexEntry, AnswerRows, ProxiedAnswer } from './answer-rows.js';

export type { ProxiedAnswer } from './answer-rows.js';

export interface AnswerRetention {
  ttlSeconds: number;
  maxAnswersPerTenant: number;
  maxBytesPerTenant: number;
  /**
   * A claim older than this is taken as abandoned (the replica learning from it stopped mid-way), so the
   * answer can take feedback again and be evicted.
   */
  staleClaimSeconds: number;
}

export const DEFAULT_ANSWER_RETENTION: AnswerRetention = { ttlSeconds: 3600, maxAnswersPerTenant: 1000, maxBytesPerTenant: 64 * 1024 * 1024, staleClaimSeconds: 600 };

function sizeOf(answer: ProxiedAnswer): number {
  return answer.question.length + answer.answer.length + answer.images.reduce((sum, url) => sum + url.length, 0);
}

export class AnswerLog {
  readonly #retention: AnswerRetention;
  readonly #now: () => number;
  readonly #rows: AnswerRows;

  constructor(retention: Partial<AnswerRetention> = {}, now: () => number = Date.now, rows: AnswerRows = memoryAnswerRows()) {
    this.#retention = { ...DEFAULT_ANSWER_RETENTION, ...retention };
    this.#now = now;
    this.#rows = rows;
  }

  get retention(): AnswerRetention {
    return this.#retention;
  }

  /** Where the answers are kept ("memory", a SQLite file, a Postgres URL without its password). */
  get where(): string {
    return this.#rows.where;
  }

  /** Keeps an answer; false when it alone is over the tenant's byte bound (then nothing is kept). */
  async keep(tenant: string, answer: ProxiedAnswer): Promise<boolean> {
    const bytes = sizeOf(answer);
    if (bytes > this.#retention.maxBytesPerTenant || this.#retention.maxAnswersPerTenant === 0) return false;
    // An upstream that repeats ids: the newer answer replaces the older one.
    await this.#rows.put(tenant, { id: answer.id, keptAt: this.#now(), bytes, feedback: 'open', claimedAt: undefined, answer });
    await this.#evict(tenant);
    return true;
  }

  #claimHeld(entry: AnswerIndexEntry): boolean {
    return entry.feedback === 'claimed' && (entry.claimedAt ?? 0) >= this.#now() - this.#retention.staleClaimSeconds * 1000;
  }

  async #evict(tenant: string): Promise<void> {
    const entries = await this.#rows.index(tenant);
    const oldest = this.#now() - this.#retention.ttlSeconds * 1000;
    let answers = entries.length;
    let bytes = entries.reduce((sum, entry) => sum + entry.bytes, 0);
    const drop: string[] = [];
    for (const entry of entries) {
      const over = answers > this.#retention.maxAnswersPerTenant || bytes > this.#retention.maxBytesPerTenant;
      if (!over && entry.keptAt >= oldest) break;
      // An answer whose feedback is being learned from stays until that finishes.
      if (this.#claimHeld(entry)) continue;
      drop.push(entry.id);
      answers -= 1;
      bytes -= entry.bytes;
    }
    if (drop.length > 0) await this.#rows.remove(tenant, drop);
  }

  async #find(tenant: string, id: string): Promise<AnswerIndexEntry & { answer: ProxiedAnswer } | undefined> {
    await this.#evict(tenant);
    return this.#rows.get(tenant, id);
  }

  /** A kept answer of this tenant (undefined for another tenant's id, an expired or an unknown one). */
  async get(tenant: string, id: string): Promise<ProxiedAnswer | undefined> {
    return (await this.#find(tenant, id))?.answer;
  }

  /**
   * Takes the answer's one feedback: not-found for an id this tenant has not got (or no longer), conflict
   * when feedback was already given or is being learned from. Call settle() when learning ends.
   */
  async claim(tenant: string, id: string): Promise<ProxiedAnswer> {
    const kept = await this.#find(tenant, id);
    if (kept === undefined) {
      throw mmevolveError(
        'not-found',
        `no answer with response id ${JSON.stringify(id.slice(0, 200))} for this key's tenant`,
        `Send the id of a /v1/chat/completions response given to this tenant with memory on, within ${this.#retention.ttlSeconds} s (the server keeps the last ${this.#retention.maxAnswersPerTenant} answers per tenant${this.#rows.where === 'memory' ? ', in memory only' : ''}).`,
      );
    }
    const now = this.#now();
    if (!(await this.#rows.claim(tenant, id, now, now - this.#retention.staleClaimSeconds * 1000))) {
      throw mmevolveError('conflict', `the answer ${JSON.stringify(id)} already has feedback`, 'Each answer takes feedback once; the first verdict stands.');
    }
    return kept.answer;
  }

  /** Ends a claim: `used` when lessons were learned (or the answer judged right), reopened when learning failed. */
  async settle(tenant: string, id: string, used: boolean): Promise<void> {
    await this.#rows.settle(tenant, id, used);
  }

  /** Answers and bytes kept for a tenant (tests and metrics). */
  async size(tenant: string): Promise<{ answers: number; bytes: number }> {
    await this.#evict(tenant);
    const entries = await this.#rows.index(tenant);
    return { answers: entries.length, bytes: entries.reduce((sum, entry) => sum + entry.bytes, 0) };
  }

  async close(): Promise<void> {
    await this.#rows.close();
  }
}
