/**
 * Several replicas of one model server behind one backend (config `replicas`). The pool is a `fetch`: the
 * clients (the openai SDK, the SAM 3 and embeddings clients) build URLs on the first base URL as usual,
 * and the pool sends each request to the replica with the fewest requests outstanding (ties in turn).
 * A replica that fails — no connection, or a 5xx — is left for the next one within the same call, so no
 * call fails that another replica could serve; after `failuresToEject` failures in a row it is taken out
 * and probed (GET `probePath`, cheap: /models for OpenAI servers) with exponential backoff while requests
 * flow, and taken back in when a probe is answered below 500. When every replica is out, all are tried
 * anyway (the callers' retries and outage window decide when to give up). 429 moves the request on to
 * another replica but says nothing about health.
 */
import { mmevolveError } from '../core/index.js';

export interface ReplicaPoolOptions {
  /** Base URLs of the replicas; the first is the one the clients build their URLs on. */
  baseURLs: readonly string[];
  /** Path under a base URL answered cheaply by a live replica ('/models' for OpenAI servers, '' for SAM 3). */
  probePath: string;
  fetch?: typeof fetch | undefined;
  failuresToEject?: number;
  /** First probe this long after a replica is taken out; the delay doubles per failed probe up to probeMaxDelayMs. */
  probeDelayMs?: number;
  probeMaxDelayMs?: number;
  probeTimeoutMs?: number;
  now?: () => number;
}

export interface ReplicaState {
  baseURL: string;
  healthy: boolean;
  outstanding: number;
  /** Requests this replica answered (any status). */
  served: number;
  consecutiveFailures: number;
  /** Taken out: milliseconds until its next probe (0 = due or under way); null while in. */
  nextProbeInMs: number | null;
}

export interface ReplicaPool {
  fetch: typeof fetch;
  /** A snapshot of each replica, in configured order (baseURL first); changing it changes nothing. */
  replicas(): ReplicaState[];
}

interface Replica extends Omit<ReplicaState, 'nextProbeInMs'> {
  nextProbeAt: number;
  probeDelayMs: number;
  probing: boolean;
}

const trimmed = (url: string): string => url.replace(/\/+$/u, '');

function isReplayable(body: RequestInit['body']): boolean {
  return body === undefined || body === null || typeof body === 'string' || body instanceof Uint8Array || body instanceof ArrayBuffer || body instanceof URLSearchParams || body instanceof Blob;
}

export function createReplicaPool(options: ReplicaPoolOptions): ReplicaPool {
  if (options.baseURLs.length === 0) throw mmevolveError('config-invalid', 'a replica pool needs at least one base URL', 'List the replicas under `replicas`.');
  const inner = options.fetch ?? globalThis.fetch;
  const now = options.now ?? (() => performance.now());
  const failuresToEject = options.failuresToEject ?? 2;
  const firstProbeDelay = options.probeDelayMs ?? 1000;
  const maxProbeDelay = options.probeMaxDelayMs ?? 30_000;
  const replicas: Replica[] = options.baseURLs.map((baseURL) => ({ baseURL: trimmed(baseURL), healthy: true, outstanding: 0, served: 0, consecutiveFailures: 0, nextProbeAt: 0, probeDelayMs: firstProbeDelay, probing: false }));
  const primary = replicas[0]?.baseURL ?? '';
  let turn = 0;

  function failed(replica: Replica): void {
    replica.consecutiveFailures += 1;
    if (replica.healthy && replica.consecutiveFailures >= failuresToEject) {
      replica.healthy = false;
      replica.probeDelayMs = firstProbeDelay;
      replica.nextProbeAt = now() + firstProbeDelay;
    }
  }

  function succeeded(replica: Replica): void {
    replica.consecutiveFailures = 0;
    replica.healthy = true;
  }

  async function probe(replica: Replica): Promise<void> {
    replica.probing = true;
    try {
      const response = await inner(`${replica.baseURL}${options.probePath}`, { signal: AbortSignal.timeout(options.probeTimeoutMs ?? 5000) });
      await response.body?.cancel();
      if (response.status < 500) {
        succeeded(replica);
        return;
      }
    } catch {
      // Still down: the next probe waits longer.
    } finally {
      replica.probing = false;
    }
    replica.probeDelayMs = Math.min(maxProbeDelay, replica.probeDelayMs * 2);
    replica.nextProbeAt = now() + replica.probeDelayMs;
  }

  /** Replicas in the order this request tries them: healthy by fewest outstanding (ties in turn), then the rest. */
  function order(): Replica[] {
    const time = now();
    for (const replica of replicas) if (!replica.healthy && !replica.probing && replica.nextProbeAt <= time) void probe(replica);
    turn = (turn + 1) % replicas.length;
    const rotated = [...replicas.slice(turn), ...replicas.slice(0, turn)];
    const healthy = rotated.filter((replica) => replica.healthy).sort((left, right) => left.outstanding - right.outstanding);
    const out = rotated.filter((replica) => !replica.healthy).sort((left, right) => left.nextProbeAt - right.nextProbeAt);
    return [...healthy, ...out];
  }

  const poolFetch: typeof fetch = async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (!url.startsWith(primary) || typeof input === 'object' && !(input instanceof URL)) return inner(input, init);
    const path = url.slice(primary.length);
    const candidates = isReplayable(init?.body) ? order() : order().slice(0, 1);
    let lastError: unknown;
    for (const [index, replica] of candidates.entries()) {
      const last = index === candidates.length - 1;
      replica.outstanding += 1;
      try {
        const response = await inner(`${replica.baseURL}${path}`, init);
        replica.served += 1;
        if (response.status >= 500) failed(replica);
        else if (response.status !== 429) succeeded(replica);
        if (last || (response.status < 500 && response.status !== 429)) return response;
        await response.body?.cancel();
      } catch (error) {
        // The caller's abort or timeout is not the replica's failure, and no other replica should try.
        if (init?.signal?.aborted === true) throw error;
        failed(replica);
        lastError = error;
        if (last) throw error;
      } finally {
        replica.outstanding -= 1;
      }
    }
    throw lastError;
  };

  return {
    fetch: poolFetch,
    replicas: () => {
      const time = now();
      return replicas.map(({ baseURL, healthy, outstanding, served, consecutiveFailures, nextProbeAt }) => ({
        baseURL,
        healthy,
        outstanding,
        served,
        consecutiveFailures,
        nextProbeInMs: healthy ? null : Math.max(0, Math.round(nextProbeAt - time)),
      }));
    },
  };
}
