/**
 * One error base for all of mmevolve: a stable `code` callers can branch on, a `hint` that tells the
 * user what to do, and an optional `cause`. Reports count failures by code.
 */
export const KNOWN_ERROR_CODES = [
  'invalid-input',
  'unreadable-image',
  'size-mismatch',
  'invalid-dataset',
  'invalid-rle',
  'unsupported-model',
  'invalid-model-output',
  'backend-http',
  'backend-timeout',
  'backend-unavailable',
  'cancelled',
  'config-invalid',
  'not-found',
  'conflict',
  'empty-mask',
  'internal',
] as const;

export type KnownErrorCode = (typeof KNOWN_ERROR_CODES)[number];
/** Known codes autocomplete; modules may add their own stable kebab-case codes. */
export type ErrorCode = KnownErrorCode | (string & {});

export interface MmevolveErrorOptions {
  code: ErrorCode;
  message: string;
  hint: string;
  cause?: unknown;
  details?: Record<string, unknown>;
  /** How long the caller should wait before retrying (a server's Retry-After, a rate limiter's wait). */
  retryAfterMs?: number | undefined;
}

export class MmevolveError extends Error {
  readonly code: ErrorCode;
  readonly hint: string;
  readonly details: Record<string, unknown> | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(options: MmevolveErrorOptions) {
    super(options.message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MmevolveError';
    this.code = options.code;
    this.hint = options.hint;
    this.details = options.details;
    this.retryAfterMs = options.retryAfterMs;
  }

  /** "message (hint)" — what a CLI prints for a user. */
  toUserString(): string {
    return `${this.message}\n  hint: ${this.hint}`;
  }

  toJSON(): { code: string; message: string; hint: string } {
    return { code: this.code, message: this.message, hint: this.hint };
  }
}

export function isMmevolveError(value: unknown): value is MmevolveError {
  return value instanceof MmevolveError;
}

/** Shorthand for the common case; keeps call sites to one line each. */
export function mmevolveError(code: ErrorCode, message: string, hint: string, cause?: unknown): MmevolveError {
  return new MmevolveError(cause === undefined ? { code, message, hint } : { code, message, hint, cause });
}
