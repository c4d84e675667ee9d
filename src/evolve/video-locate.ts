/**
 * The temporal question of `segment --video`: ask the MLLM, shown every sampled frame after its timestamp,
 * when the query's target is best visible (task locate_time), and read its answer back to seconds and to
 * the nearest sampled frame. Prompts are then evolved on that key frame and its neighbours (cli).
 */
import type { CallRecord, ChatRequest, MllmClient, Warning } from '../core/index.js';
import { mmevolveError, taskResponseSchema } from '../core/index.js';
import { nearestTimePosition, parseTemporalPoint } from '../protocols/index.js';
import { locateTimePrompt } from './prompts.js';

export interface TemporalLocation {
  /** The model's `time` as written (null: it sees the target in no frame). */
  answer: string | null;
  /** The answer read back to seconds (null with no target). */
  seconds: number | null;
  /** Index into the sampled frames nearest to `seconds` (null with no target). */
  position: number | null;
  call: CallRecord;
  warnings: Warning[];
}

/**
 * `video` is the request qwen3VlVideoChatRequest built (frames and their timestamp labels; its messages
 * are replaced by the locate_time prompt); `frameSeconds` the seconds of those frames, in order.
 */
export async function locateTargetTime(
  mllm: MllmClient,
  video: Pick<ChatRequest, 'images' | 'imageLabels'>,
  frameSeconds: readonly number[],
  query: string,
  signal?: AbortSignal,
): Promise<TemporalLocation> {
  const prompt = locateTimePrompt(query);
  const result = await mllm.chat({
    ...video,
    messages: [
      { role: 'system', content: prompt.system },
      { role: 'user', content: prompt.user },
    ],
    schema: { name: 'locate_time', schema: taskResponseSchema('locate_time') },
    temperature: 0,
    stage: 'locate-time',
    ...(signal === undefined ? {} : { signal }),
  });
  const answer = result.value.time;
  if (answer === null || answer.trim() === '') return { answer: null, seconds: null, position: null, call: result.call, warnings: result.warnings };
  const seconds = parseTemporalPoint(answer);
  const warnings = [...result.warnings];
  const last = frameSeconds[frameSeconds.length - 1];
  if (last === undefined) throw mmevolveError('invalid-input', 'no frames were sent to locate the target in', 'sample the video first');
  // A time past the clip is still read (the nearest frame is the last); say so, since it is the model's slip.
  if (seconds > last + 1) warnings.push({ code: 'time-outside-video', message: `the model answered ${JSON.stringify(answer)} (${seconds} s), past the last sampled frame at ${last.toFixed(2)} s` });
  return { answer, seconds, position: nearestTimePosition(frameSeconds, seconds), call: result.call, warnings };
}
