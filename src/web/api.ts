/**
 * Talking to `mmevolve serve` from the browser: the API key (kept in localStorage; none needed in --dev
 * mode on loopback), JSON errors `{error: {code, message, hint}}` turned into ApiError, and whether the
 * server's backends are simulated. Answers are read with the server's schemas (src/server/api-schemas.ts).
 */
import { errorBodySchema, healthReportSchema } from '../server/api-schemas.js';

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
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON (a proxy or a crash page): show the text itself below.
  }
  const parsed = errorBodySchema.safeParse(body);
  if (parsed.success) return new ApiError(response.status, parsed.data.error.code, parsed.data.error.message, parsed.data.error.hint);
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

/** Are the backends simulated? /healthz says so (public; the same body with 200 ok or 503 degraded). */
export async function detectSimulated(): Promise<boolean> {
  try {
    return healthReportSchema.parse(await (await fetch('/healthz')).json()).simulated;
  } catch {
    // No health answer (server down or not mmevolve): no banner rather than a guess.
    return false;
  }
}

export { isRecord };
