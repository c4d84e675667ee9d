/**
 * Reading the proxied answer back out of the upstream response, for the answer log (answer-log.ts): the
 * response id and the first choice's text, from an OpenAI chat completion (JSON) or its SSE stream
 * (`data: {…}` chunks whose first choice carries `delta.content`, ended by `data: [DONE]`). Validated with
 * zod like every external input: an answer that does not parse is not kept (and the reason is returned).
 */
import { z } from 'zod';

const completionSchema = z.looseObject({
  id: z.string().min(1).max(200),
  choices: z.array(z.looseObject({ message: z.looseObject({ content: z.string().nullable().optional() }) })).min(1),
});

const chunkSchema = z.looseObject({
  id: z.string().min(1).max(200),
  choices: z.array(z.looseObject({ index: z.number().optional(), delta: z.looseObject({ content: z.string().nullable().optional() }).optional() })),
});

export type CapturedAnswer = { ok: true; id: string; text: string } | { ok: false; reason: string };

export function captureCompletion(text: string): CapturedAnswer {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, reason: `the upstream answer is not JSON (${error instanceof Error ? error.message : String(error)})` };
  }
  const parsed = completionSchema.safeParse(value);
  if (!parsed.success) return { ok: false, reason: `the upstream answer is not a chat completion (${parsed.error.issues[0]?.message ?? 'invalid'})` };
  return { ok: true, id: parsed.data.id, text: parsed.data.choices[0]?.message.content ?? '' };
}

/** Reads an SSE body to its end and joins the first choice's deltas. */
export async function captureStream(body: ReadableStream<Uint8Array>): Promise<CapturedAnswer> {
  const decoder = new TextDecoder();
  let buffer = '';
  let id: string | undefined;
  let text = '';
  let done = false;
  const take = (line: string): CapturedAnswer | undefined => {
    if (!line.startsWith('data:')) return undefined;
    const payload = line.slice(5).trim();
    if (payload === '[DONE]') {
      done = true;
      return undefined;
    }
    let value: unknown;
    try {
      value = JSON.parse(payload);
    } catch {
      return { ok: false, reason: 'a stream chunk is not JSON' };
    }
    const chunk = chunkSchema.safeParse(value);
    if (!chunk.success) return { ok: false, reason: `a stream chunk is not a chat completion chunk (${chunk.error.issues[0]?.message ?? 'invalid'})` };
    id ??= chunk.data.id;
    const first = chunk.data.choices.find((choice) => (choice.index ?? 0) === 0);
    text += first?.delta?.content ?? '';
    return undefined;
  };
  const reader = body.getReader();
  for (let next = await reader.read(); !next.done; next = await reader.read()) {
    buffer += decoder.decode(next.value, { stream: true });
    let newline = buffer.indexOf('\n');
    while (newline !== -1) {
      const failed = take(buffer.slice(0, newline).replace(/\r$/u, ''));
      if (failed !== undefined) {
        await reader.cancel();
        return failed;
      }
      buffer = buffer.slice(newline + 1);
      newline = buffer.indexOf('\n');
    }
  }
  const last = take((buffer + decoder.decode()).trim());
  if (last !== undefined) return last;
  if (!done) return { ok: false, reason: 'the stream ended without data: [DONE]' };
  if (id === undefined) return { ok: false, reason: 'the stream carried no response id' };
  return { ok: true, id, text };
}
