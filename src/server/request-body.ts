/** Request bodies validated with zod; a bad body is a 400 that names the offending fields. */
import type { Context } from 'hono';
import type { z } from 'zod';
import { mmevolveError } from '../core/index.js';
import { parseBoundedJson } from './json-depth.js';

export async function readJson<T>(context: Context, schema: z.ZodType<T>, what: string): Promise<T> {
  let text: string;
  try {
    text = await context.req.text();
  } catch (cause) {
    throw mmevolveError('invalid-input', `${what}: the body cannot be read`, 'Send Content-Type: application/json with a JSON object.', cause);
  }
  return parseValue(parseBoundedJson(text, what), schema, what);
}

export function parseValue<T>(value: unknown, schema: z.ZodType<T>, what: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((issue) => `${issue.path.length > 0 ? issue.path.map(String).join('.') : '(body)'}: ${issue.message}`).join('; ');
    throw mmevolveError('invalid-input', `${what}: ${fields}`, 'See /openapi.json for the request schema.');
  }
  return parsed.data;
}

/** A query-string integer in [min, max], or the default when absent. */
export function queryInteger(context: Context, name: string, fallback: number, min: number, max: number): number {
  const text = context.req.query(name);
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw mmevolveError('invalid-input', `query parameter ${name} must be an integer in ${min}..${max}, got ${JSON.stringify(text.slice(0, 40))}`, `e.g. ?${name}=${fallback}`);
  }
  return value;
}
