/**
 * Routes answer through the response schemas the web UI parses with (api-schemas.ts): `value` must fit the
 * schema's type at compile time and passes it at run time, so a drift is a logged 500 here, never a UI
 * guessing at fields. The value itself is sent (nothing stripped).
 */
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { z } from 'zod';

/** Checks `value` against `schema`; throws (→ 500, logged) when the server would break its own contract. */
export function checkedResponse<S extends z.ZodType>(schema: S, value: z.input<S>, what: string): z.input<S> {
  const checked = schema.safeParse(value);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    throw new Error(`the ${what} response does not fit its schema in api-schemas.ts at ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`);
  }
  return value;
}

export function sendJson<S extends z.ZodType>(context: Context, schema: S, value: z.input<S>, what: string, status: ContentfulStatusCode = 200): Response {
  return context.json(checkedResponse(schema, value, what) as object, status);
}
