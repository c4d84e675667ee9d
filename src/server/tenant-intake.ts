/**
 * Fair intake: every request's intake — reading and parsing its body, fetching and gating its images — is
 * CPU work on the one event loop, and a request refused there (a bomb, an SVG, deep JSON, a slow-drip URL)
 * spends all of its time there. A tenant that keeps dozens of such requests in flight would otherwise get
 * dozens of turns of the event loop for each turn of another tenant's request (issue 15's flood bench:
 * a normal solve's p95 ×16). So each tenant may have at most `perTenant` requests in intake at once; its
 * further requests wait, bodies unread, in its own queue (bounded: past it, 429), and other tenants never
 * wait for them. A route ends its intake (endIntake) once its inputs are validated, before it waits on
 * models; routes that never call it end it when they answer. A request refused during its intake holds
 * its place a little longer (`intakePenaltyMs`), so a tenant flooding the server with inputs it refuses
 * gets a few of them read a second, however many it keeps in flight.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { MmevolveError, mmevolveError } from '../core/index.js';
import type { ServerEnv } from './principal.js';

export interface IntakeLimits {
  /** Requests of one tenant in intake at once. */
  intakePerTenant: number;
  /** Requests of one tenant waiting for intake; past it a request is answered 429 at once. */
  intakeQueue: number;
  /** A request refused during its intake (a 4xx) keeps its tenant's place this long after the answer. */
  intakePenaltyMs: number;
}

interface TenantQueue {
  active: number;
  waiting: (() => void)[];
}

export class TenantIntake {
  readonly #limits: IntakeLimits;
  readonly #tenants = new Map<string, TenantQueue>();

  constructor(limits: IntakeLimits) {
    this.#limits = limits;
  }

  /** Waits for one of the tenant's intake places; the returned release may be called any number of times. */
  async enter(tenant: string, signal?: AbortSignal): Promise<() => void> {
    const queue = this.#tenants.get(tenant) ?? { active: 0, waiting: [] };
    this.#tenants.set(tenant, queue);
    if (queue.active < Math.max(1, this.#limits.intakePerTenant)) queue.active += 1;
    else await this.#wait(queue, signal);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = queue.waiting.shift();
      if (next !== undefined) next();
      else {
        queue.active -= 1;
        if (queue.active === 0) this.#tenants.delete(tenant);
      }
    };
  }

  #wait(queue: TenantQueue, signal?: AbortSignal): Promise<void> {
    if (queue.waiting.length >= this.#limits.intakeQueue) {
      return Promise.reject(
        new MmevolveError({
          code: 'rate-limited',
          message: `this tenant has ${queue.active} requests being read and ${queue.waiting.length} waiting, the most the server takes at once`,
          hint: 'Wait for answers before sending more requests.',
          retryAfterMs: 1000,
        }),
      );
    }
    return new Promise((resolve, reject) => {
      const granted = (): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = (): void => {
        const index = queue.waiting.indexOf(granted);
        if (index >= 0) queue.waiting.splice(index, 1);
        reject(mmevolveError('cancelled', 'the request was cancelled while waiting to be read', 'Nothing to do: the client went away.'));
      };
      queue.waiting.push(granted);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}

/** Middleware (after authentication): the request's intake place, held until endIntake or the answer. */
export function fairIntake(intake: TenantIntake, penaltyMs: number): MiddlewareHandler<ServerEnv> {
  return async (context, next) => {
    const release = await intake.enter(context.get('principal').tenant, context.req.raw.signal);
    let ended = false;
    context.set('endIntake', () => {
      ended = true;
      release();
    });
    try {
      await next();
    } finally {
      if (!ended && penaltyMs > 0 && context.res.status >= 400 && context.res.status < 500) {
        // Refused while being read: the answer goes out now, the place frees later. A tenant that keeps
        // sending what is refused is slowed to a few such requests a second, at no cost to the server.
        setTimeout(release, penaltyMs).unref();
      } else release();
    }
  };
}

/** The route's inputs are read and validated: other requests of its tenant may be read now. */
export function endIntake(context: Context): void {
  const release: unknown = context.get('endIntake');
  if (typeof release === 'function') release();
}
