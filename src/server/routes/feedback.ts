/**
 * POST /v1/feedback: a verdict or the gold answer for an answer the chat proxy gave earlier, named by the
 * response id the proxy returned (the completion's `id`, also in X-Mmevolve-Response-Id). A wrong answer
 * writes lessons through the memory method's write path, with provenance signal `feedback`. The id is
 * looked up in the key's tenant only (another tenant's id is 404); each answer takes feedback once (409).
 */
import { Hono } from 'hono';
import { z } from 'zod';
import type { AnswerJudgement } from '../../memory/index.js';
import type { AnswerLearning } from '../answer-learning.js';
import { requireScope } from '../auth.js';
import type { RouteDoc } from '../openapi.js';
import type { ServerEnv } from '../principal.js';
import { readJson } from '../request-body.js';

export const feedbackBodySchema = z
  .strictObject({
    /** The `id` of the /v1/chat/completions response. */
    responseId: z.string().min(1).max(200),
    /** The answer was right or wrong (without the correct answer). */
    verdict: z.enum(['correct', 'incorrect']).optional(),
    /** The gold answer (a letter for multiple choice): the answer is verified against it, as /v1/solve does. */
    answer: z.string().min(1).max(2000).optional(),
  })
  .refine((body) => (body.verdict === undefined) !== (body.answer === undefined), { message: 'send exactly one of "verdict" and "answer"' });

export const FEEDBACK_ROUTE_DOCS: RouteDoc[] = [
  {
    method: 'post',
    path: '/v1/feedback',
    summary:
      'A verdict ("correct"/"incorrect") or the gold answer for an earlier /v1/chat/completions answer of this tenant, by its response id; a wrong answer writes lessons (provenance signal "feedback"). 404 for an id this tenant was not given (or no longer kept), 409 for a second feedback.',
    scope: 'write',
    body: feedbackBodySchema,
  },
];

export function feedbackRoutes(learning: AnswerLearning): Hono<ServerEnv> {
  const routes = new Hono<ServerEnv>();
  routes.post('/', requireScope('write'), async (context) => {
    const body = await readJson(context, feedbackBodySchema, 'feedback');
    const judgement: AnswerJudgement = body.answer !== undefined ? { signal: 'feedback', answer: body.answer } : { signal: 'feedback', verdict: body.verdict ?? 'incorrect' };
    // As /v1/solve: no abort on client disconnect, so lessons that reached the writers are written whole.
    const report = await learning.feedback(context.get('principal').tenant, body.responseId, judgement);
    return context.json(report);
  });
  return routes;
}
