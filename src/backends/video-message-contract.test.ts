/**
 * The message our client sends for a video query, checked against src/protocols/__contracts__/qwen3-vl-video.json
 * (written from Qwen3-VL's cookbook, transformers' Qwen3-VL processor and vLLM's chat_utils): every frame a
 * data-URL image_url part right after its timestamp text, the question last, only part types vLLM parses.
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { taskResponseSchema } from '../core/index.js';
import { qwen3VlProfile } from '../protocols/index.js';
import type { RgbImage } from '../core/index.js';
import { chatCompletion, startFakeServer } from './__tests__/fake-servers.js';
import type { FakeServer } from './__tests__/fake-servers.js';
import { createOpenAICompatibleClient } from './openai-client.js';
import { qwen3VlVideoChatRequest } from './qwen3-vl-video-input.js';
import type { VideoSamplePlan } from './qwen3-vl-video-input.js';

interface Part {
  type: string;
  text?: string;
  image_url?: { url: string };
}

const contract = JSON.parse(readFileSync(new URL('../protocols/__contracts__/qwen3-vl-video.json', import.meta.url), 'utf8')) as {
  upstream: { repo: string; commit: string; file: string }[];
  contentPartTypes: string[];
  timestampPatterns: Record<'seconds' | 'hms', string>;
  cookbookMessage: { role: string; content: Part[] };
};

const servers: FakeServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
});

/** 10 s at 25 fps: Qwen3-VL samples 20 frames; we send the first four. */
const plan: VideoSamplePlan = {
  path: 'clip.mp4',
  ffmpeg: 'ffmpeg',
  info: { totalFrames: 250, fps: 25, width: 8, height: 8 },
  frameIndices: [0, 13, 26, 39],
  frameSeconds: [0, 0.52, 1.04, 1.56],
  groupSeconds: [0.26, 1.3],
};

function frame(shade: number): RgbImage {
  return { width: 8, height: 8, data: new Uint8Array(8 * 8 * 3).fill(shade) };
}

/** The user content our client puts on the wire for a locate_time video query. */
async function sentContent(timestamps: 'seconds' | 'hms'): Promise<Part[]> {
  const server = await startFakeServer(() => ({ json: chatCompletion('{"time": "<1.0 seconds>"}') }));
  servers.push(server);
  const client = createOpenAICompatibleClient({ baseURL: `${server.url}/v1`, model: 'Qwen/Qwen3-VL-8B-Instruct', profile: qwen3VlProfile, timeoutMs: 2000 });
  const video = qwen3VlVideoChatRequest(plan, [frame(10), frame(20), frame(30), frame(40)], [], { timestamps });
  await client.chat({
    ...video,
    messages: [{ role: 'user', content: 'Query: the red ball\nAt which timestamp is the target of the query best visible?' }],
    schema: { name: 'locate_time', schema: taskResponseSchema('locate_time') },
  });
  const body = server.requests.find((request) => request.path.endsWith('/chat/completions'))?.body as { messages: { role: string; content: Part[] }[] };
  const user = body.messages.find((message) => message.role === 'user');
  if (user === undefined) throw new Error('no user message was sent');
  return user.content;
}

describe('the video message, against the Qwen3-VL / vLLM contract fixture', () => {
  it('names the upstream files it was written from', () => {
    expect(contract.upstream.map((source) => source.file)).toEqual([
      'cookbooks/video_understanding.ipynb',
      'src/transformers/models/qwen3_vl/processing_qwen3_vl.py',
      'vllm/entrypoints/chat_utils.py',
    ]);
    for (const source of contract.upstream) expect(source.commit, `${source.repo} pinned to a commit`).toMatch(/^[0-9a-f]{40}$/);
  });

  it("sends each frame right after its timestamp text, the question last, as the cookbook's message does", async () => {
    const content = await sentContent('seconds');
    const shape = (parts: readonly Part[]): string[] => parts.map((part) => (part.type === 'text' ? (new RegExp(contract.timestampPatterns.seconds).test(part.text ?? '') ? 'timestamp' : 'text') : part.type));
    expect(shape(content), 'our message').toEqual(['timestamp', 'image_url', 'timestamp', 'image_url', 'timestamp', 'image_url', 'timestamp', 'image_url', 'text']);
    expect(shape(contract.cookbookMessage.content), "the cookbook's message has the same form").toEqual(['timestamp', 'image_url', 'timestamp', 'image_url', 'timestamp', 'image_url', 'text']);
    expect(content.filter((part) => part.type === 'text').slice(0, 4).map((part) => part.text), 'each frame its own time, as Python formats .1f').toEqual(['<0.0 seconds>', '<0.5 seconds>', '<1.0 seconds>', '<1.6 seconds>']);
    for (const part of content) expect(contract.contentPartTypes, `part type ${part.type} is one vLLM parses`).toContain(part.type);
    for (const part of content.filter((item) => item.type === 'image_url')) expect(part.image_url?.url, 'frames go inline, never as a URL the server fetches').toMatch(/^data:image\/(png|jpeg);base64,/);
    expect(content.at(-1)?.text).toContain('Query: the red ball');
  });

  it('writes the HH:MM:SS form when asked', async () => {
    const content = await sentContent('hms');
    const stamps = content.filter((part) => part.type === 'text').slice(0, 4).map((part) => part.text ?? '');
    for (const stamp of stamps) expect(stamp).toMatch(new RegExp(contract.timestampPatterns.hms));
    expect(stamps[3]).toBe('<00:00:01.6>');
  });
});
