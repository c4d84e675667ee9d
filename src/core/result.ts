import type { MmevolveError } from './errors.js';

/** Expected failures are values: parsing a model's output returns a Result, the caller decides what to do. */
export type Result<T, E = MmevolveError> = { ok: true; value: T } | { ok: false; error: E };

export function ok<T>(value: T): { ok: true; value: T } {
  return { ok: true, value };
}

export function err<E>(error: E): { ok: false; error: E } {
  return { ok: false, error };
}

/** A warning travels with a result (into traces and reports) instead of being logged. */
export interface Warning {
  code: string;
  message: string;
}
