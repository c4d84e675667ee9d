/**
 * No absolute path of the server's machine in any response: run manifests, reports, traces and error
 * messages name datasets and run folders by their absolute paths (useful on the command line, a map of the
 * server's disk over HTTP). Responses are rewritten so the server's own roots read as `<datasets>`,
 * `<runs>` and `.` (its working directory); SSE streams carry run records, whose errors are redacted
 * when saved.
 */
import path from 'node:path';
import type { MiddlewareHandler } from 'hono';

export interface PathRoots {
  runsDir?: string | undefined;
  datasetsDir?: string | undefined;
  workingDir?: string | undefined;
}

export type Redactor = (text: string) => string;

export function pathRedactor(roots: PathRoots): Redactor {
  const given: [string | undefined, string][] = [
    [roots.datasetsDir, '<datasets>'],
    [roots.runsDir, '<runs>'],
    [roots.workingDir, '.'],
  ];
  const pairs = given
    .flatMap(([root, label]) => (root === undefined ? [] : [[path.resolve(root), label] as const]))
    // A root of "/" (or a one-letter one) would rewrite every slash: those are left alone.
    .filter(([root]) => root.length > 2)
    .sort((left, right) => right[0].length - left[0].length);
  return (text) => {
    let result = text;
    for (const [root, label] of pairs) if (result.includes(root)) result = result.split(root).join(label);
    return result;
  };
}

const REWRITTEN_TYPES = /^(application\/json|text\/(plain|markdown)|image\/svg\+xml)/u;

/** Rewrites complete (non-streamed) text responses through the redactor. */
export function redactResponses(redact: Redactor): MiddlewareHandler {
  return async (context, next) => {
    await next();
    const type = context.res.headers.get('content-type') ?? '';
    if (!REWRITTEN_TYPES.test(type) || context.res.body === null) return;
    const text = await context.res.text();
    const redacted = redact(text);
    if (redacted === text) {
      context.res = new Response(text, context.res);
      return;
    }
    const headers = new Headers(context.res.headers);
    headers.delete('content-length');
    const replacement = new Response(redacted, { status: context.res.status, headers });
    // Hono merges the old response's headers into a new one unless the old one is cleared first.
    context.res = undefined;
    context.res = replacement;
  };
}
