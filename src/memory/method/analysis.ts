/** analyze_problem: the subject and key concepts of a problem (retrieval query and lesson metadata). */
import { isMmevolveError, taskResponseSchema } from '../../core/index.js';
import { recordedChat } from './call-context.js';
import type { CallContext } from './call-context.js';
import type { MemoryProblem } from './problem.js';
import { analyzeProblemMessages } from './prompts.js';

export interface ProblemAnalysis {
  subject: string;
  concepts: string[];
  /** false when the analysis answer was unusable and the problem's own subject was used. */
  fromModel: boolean;
}

export async function analyseProblem(context: CallContext, problem: MemoryProblem): Promise<ProblemAnalysis> {
  try {
    const result = await recordedChat(context, {
      messages: analyzeProblemMessages(problem),
      images: [problem.image],
      schema: { name: 'analyze_problem', schema: taskResponseSchema('analyze_problem') },
      stage: 'memory-analysis',
    });
    return { subject: result.value.subject.trim(), concepts: result.value.concepts.map((concept) => concept.trim()).filter((concept) => concept !== ''), fromModel: true };
  } catch (error) {
    if (isMmevolveError(error) && error.code === 'invalid-model-output') {
      context.warnings.push({ code: 'analysis-invalid-output', message: `analyze_problem answer unusable (${error.message}); retrieval uses the question alone` });
      return { subject: problem.subject ?? '', concepts: [], fromModel: false };
    }
    throw error;
  }
}
