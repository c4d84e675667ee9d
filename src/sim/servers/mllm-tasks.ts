/** Dispatch of one request to the simulated answer of its task, with malformed-output noise applied. */
import type { TaskName } from '../../core/index.js';
import { malformJson } from '../noise/index.js';
import { agentStep } from './mllm-agent-task.js';
import { answerVqa, analyzeProblem, judgeAnswer, mergeLessons, writeLogicLesson, writeVisualLesson } from './mllm-memory-tasks.js';
import { checkResolution } from './mllm-resolution-task.js';
import type { ChoiceContent } from './mllm-response.js';
import { judgePair, judgePairForced, planPhrases, predictBox, refinePhrase, rephraseVariants, rewritePhrase, verifyMask, zoomRegion } from './mllm-seg-tasks.js';
import type { TaskAnswer, TaskContext } from './task-context.js';
import { locateTime } from './mllm-video-tasks.js';

const HANDLERS: Record<TaskName, (context: TaskContext) => TaskAnswer> = {
  plan_phrases: planPhrases,
  refine_phrase: refinePhrase,
  rephrase_variants: rephraseVariants,
  rewrite_phrase: rewritePhrase,
  verify_mask: verifyMask,
  judge_pair: judgePair,
  judge_pair_forced: judgePairForced,
  predict_box: predictBox,
  agent_step: agentStep,
  answer_vqa: answerVqa,
  analyze_problem: analyzeProblem,
  write_logic_lesson: writeLogicLesson,
  write_visual_lesson: writeVisualLesson,
  merge_lessons: mergeLessons,
  judge_answer: judgeAnswer,
  zoom_region: zoomRegion,
  locate_time: locateTime,
  check_resolution: checkResolution,
};

const UNKNOWN_TASK_TEXT =
  '(simulated MLLM) I cannot tell which task this is. Name it with response_format json_schema ' +
  '(name = a task of src/core/tasks.ts) or a first system line "Task: <name>".';

export function answerTask(task: TaskName | undefined, context: Omit<TaskContext, 'task'>): ChoiceContent {
  if (task === undefined) return { content: UNKNOWN_TASK_TEXT, finishReason: 'stop' };
  const answer = HANDLERS[task]({ ...context, task });
  if (answer.kind === 'text') return { content: answer.text, finishReason: 'stop' };
  const json = JSON.stringify(answer.value);
  const malformed = context.noise.malformed(context.rng);
  if (malformed === undefined) return { content: json, finishReason: 'stop' };
  return { content: malformJson(json, malformed), finishReason: malformed === 'truncated' ? 'length' : 'stop' };
}
