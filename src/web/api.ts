/**
 * Talking to `mmevolve serve` from the browser: the API key (kept in localStorage; none needed in --dev
 * mode on loopback), JSON errors `{error: {code, message, hint}}` turned into ApiError, and whether the
 * server's backends are simulated.
 */

const KEY_STORAGE = 'mmevolve.apiKey';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly hint: string,
  ) {
    super(message);
  }
}

export function apiKey(): string {
  return localStorage.getItem(KEY_STORAGE) ?? '';
}

export function setApiKey(key: string): void {
  if (key.trim() === '') localStorage.removeItem(KEY_STORAGE);
  else localStorage.setItem(KEY_STORAGE, key.trim());
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

async function errorFrom(response: Response): Promise<ApiError> {
  const text = await response.text();
  try {
    const body: unknown = JSON.parse(text);
    const error = isRecord(body) && isRecord(body['error']) ? body['error'] : undefined;
    if (error !== undefined) return new ApiError(response.status, String(error['code'] ?? 'error'), String(error['message'] ?? text), String(error['hint'] ?? ''));
  } catch {
    // Not JSON (a proxy or a crash page): show the text itself below.
  }
  return new ApiError(response.status, `http-${response.status}`, text.slice(0, 300) || response.statusText, '');
}

/** fetch with the API key; throws ApiError on any non-2xx answer. */
export async function apiFetch(path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  const key = apiKey();
  if (key !== '' && !headers.has('Authorization')) headers.set('Authorization', `Bearer ${key}`);
  const response = await fetch(path, { ...init, headers });
  if (!response.ok) throw await errorFrom(response);
  return response;
}

export async function apiJson(path: string, init: RequestInit & { json?: unknown } = {}): Promise<unknown> {
  const { json, ...rest } = init;
  const headers = new Headers(rest.headers);
  if (json !== undefined) headers.set('Content-Type', 'application/json');
  const response = await apiFetch(path, { ...rest, headers, ...(json === undefined ? {} : { body: JSON.stringify(json) }) });
  if (response.status === 204) return undefined;
  return response.json();
}

export function describeError(error: unknown): string {
  if (error instanceof ApiError) return `${error.message}${error.hint === '' ? '' : ` — ${error.hint}`} [${error.code}]`;
  return error instanceof Error ? error.message : String(error);
}

/**
 * Are the backends simulated? /healthz may say so directly (`simulated: true`); otherwise the MLLM's model
 * list tells: SynthWorld's servers own their models as "mmevolve-simulated" and name them "sim-…".
 */
export async function detectSimulated(): Promise<boolean> {
  try {
    const health: unknown = await (await fetch('/healthz')).json();
    if (isRecord(health) && typeof health['simulated'] === 'boolean') return health['simulated'];
  } catch {
    // Fall through to the model list.
  }
  try {
    const models: unknown = await apiJson('/v1/models');
    const data = isRecord(models) && Array.isArray(models['data']) ? models['data'] : [];
    return data.some((model: unknown) => isRecord(model) && (model['owned_by'] === 'mmevolve-simulated' || String(model['id']).startsWith('sim-')));
  } catch {
    return false;
  }
}

export { isRecord };
