/** Test support: scripted recording mocks answering by task name, and rectangle masks on a small image. */
import { createRecordingMllmClient, createRecordingSegmenter } from '../../backends/__tests__/recording-mocks.js';
import type { RecordingMllmClient, RecordingSegmenter, SegmenterCall } from '../../backends/__tests__/recording-mocks.js';
import { createMask, messageText } from '../../core/index.js';
import type { ChatRequest, Mask, RgbImage, SegmentInstance, TaskName } from '../../core/index.js';
import { maskBox } from '../../vision/index.js';

export const WIDTH = 64;
export const HEIGHT = 48;

export function testImage(): RgbImage {
  const data = new Uint8Array(WIDTH * HEIGHT * 3);
  for (let index = 0; index < data.length; index += 1) data[index] = (index * 37) % 251;
  return { width: WIDTH, height: HEIGHT, data };
}

export function rectangle(x: number, y: number, width: number, height: number): Mask {
  const mask = createMask(WIDTH, HEIGHT);
  for (let row = y; row < y + height; row += 1) for (let column = x; column < x + width; column += 1) mask.data[row * WIDTH + column] = 1;
  return mask;
}

export function instance(mask: Mask, score: number): SegmentInstance {
  return { mask, score, box: maskBox(mask) ?? [0, 0, 0, 0] };
}

export function taskOf(request: ChatRequest<unknown>): TaskName | undefined {
  return request.schema?.name as TaskName | undefined;
}

export function userText(request: ChatRequest<unknown>): string {
  const users = request.messages.filter((message) => message.role === 'user');
  return messageText(users.at(-1)?.content ?? '');
}

export type TaskHandlers = Partial<Record<TaskName, (request: ChatRequest<unknown>, index: number) => unknown>>;

/** An MLLM mock answering each task with its handler's value as JSON; an unscripted task fails the test. */
export function scriptedMllm(handlers: TaskHandlers): RecordingMllmClient {
  const counts = new Map<string, number>();
  return createRecordingMllmClient((request) => {
    const task = taskOf(request);
    const handler = task === undefined ? undefined : handlers[task];
    if (task === undefined || handler === undefined) throw new Error(`unscripted MLLM task ${String(task)}`);
    const index = counts.get(task) ?? 0;
    counts.set(task, index + 1);
    return JSON.stringify(handler(request, index));
  });
}

export function tasksCalled(client: RecordingMllmClient): (TaskName | undefined)[] {
  return client.calls.map(taskOf);
}

/** A segmenter mock: text prompts by exact phrase, box prompts answered by `boxes`. */
export function phraseSegmenter(phrases: Record<string, SegmentInstance[]>, boxes: (call: SegmenterCall) => SegmentInstance[] = () => []): RecordingSegmenter {
  return createRecordingSegmenter((call) => (call.kind === 'text' ? (phrases[call.phrase] ?? []) : boxes(call)));
}
