/**
 * The answering server's identity as a client can see it before a call: the stable fields of the
 * configured model's entry in `GET /models`. The response cache keys on it (issue 13), so a rerun against
 * a server with another configuration — a different checkpoint (vLLM's `root`), or the simulated MLLM with
 * another preset, seed or noise override (its `system_fingerprint`) — cannot replay the first server's
 * answers. `created` is left out: vLLM stamps it with the time of the request.
 */
import OpenAI from 'openai';

/** An identity object; null when the server lists no entry for the model (no /models route, or not listed). */
export type ServerIdentity = Readonly<Record<string, unknown>> | null;

const STABLE_FIELDS = ['id', 'owned_by', 'root', 'parent', 'max_model_len', 'system_fingerprint'] as const;

/** Statuses that mean "this server has no model list", not "try again later". */
const NO_MODEL_LIST = new Set([404, 405, 501]);

export function identityOf(entries: readonly unknown[], model: string): ServerIdentity {
  const entry = entries.find((item): item is Record<string, unknown> => typeof item === 'object' && item !== null && (item as Record<string, unknown>)['id'] === model);
  if (entry === undefined) return null;
  const identity: Record<string, unknown> = {};
  for (const field of STABLE_FIELDS) if (entry[field] !== undefined) identity[field] = entry[field];
  return identity;
}

export interface ServerIdentityProbe {
  /**
   * The identity, read once and remembered; undefined when it cannot be read now (network error, 5xx,
   * refused credentials): the caller then neither reads nor writes the cache for that call, and the next
   * call asks again.
   */
  get(signal?: AbortSignal): Promise<ServerIdentity | undefined>;
}

export function createServerIdentityProbe(model: string, listEntries: (signal?: AbortSignal) => Promise<readonly unknown[]>): ServerIdentityProbe {
  let known: Promise<ServerIdentity | undefined> | undefined;
  return {
    get(signal) {
      known ??= listEntries(signal).then(
        (entries) => identityOf(entries, model),
        (error: unknown) => {
          if (error instanceof OpenAI.APIError && error.status !== undefined && NO_MODEL_LIST.has(error.status)) return null;
          known = undefined;
          return undefined;
        },
      );
      return known;
    },
  };
}
