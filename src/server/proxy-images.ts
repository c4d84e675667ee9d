/**
 * What the chat proxy lets through to the model server. vLLM (entrypoints/chat_utils.py, MM_PARSER_MAP)
 * fetches any http(s) URL it finds in image_url, input_image, audio_url and video_url parts, so a proxy
 * that forwarded them would let its callers make the model server fetch internal addresses. Here:
 *   - image_url / input_image: a data: URL goes through the image gate's header checks; any other URL is
 *     refused unless `--image-urls` allows it, and is then fetched by mmevolve (pinned DNS, public check),
 *     gated, and forwarded as a data: URL. The model server never sees a URL it could fetch.
 *   - text-like parts (text, input_text, output_text, thinking, refusal) and input_audio (inline base64)
 *     pass unchanged.
 *   - every other part (audio_url, video_url, *_embeds, image_pil, untyped parts) is refused: nothing
 *     vets them.
 */
import { mmevolveError } from '../core/index.js';
import { admitImage } from './image-gate.js';
import { dataUrlBytes, imageUrlBytes, isDataUrl } from './image-input.js';
import type { ServerLimits } from './limits.js';

export interface ChatPart {
  type: string;
  image_url?: unknown;
  [field: string]: unknown;
}

export interface ChatMessage {
  role: string;
  content?: string | ChatPart[] | null | undefined;
  [field: string]: unknown;
}

const PASSED_AS_IS = new Set(['text', 'input_text', 'output_text', 'thinking', 'refusal', 'input_audio']);

/** The URL string of an image part: image_url.url (chat) or image_url as a string (responses' input_image). */
function partUrl(part: ChatPart): string | undefined {
  const value = part.image_url;
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null && 'url' in value && typeof value.url === 'string') return value.url;
  return undefined;
}

function withUrl(part: ChatPart, url: string): ChatPart {
  const value = part.image_url;
  if (typeof value === 'object' && value !== null) return { ...part, image_url: { ...value, url } };
  return { ...part, image_url: url };
}

export interface VettedChat {
  messages: ChatMessage[];
  /** Every image as vetted data: URL, per message index (the proxy's lesson retrieval reads the last user's). */
  imagesByMessage: Map<number, string[]>;
}

/** Vet every message's parts; throws a 4xx for anything refused. */
export async function vetChatMessages(messages: readonly ChatMessage[], limits: ServerLimits, signal?: AbortSignal): Promise<VettedChat> {
  const imagesByMessage = new Map<number, string[]>();
  let fetched = 0;
  const vetted: ChatMessage[] = [];
  for (const [messageIndex, message] of messages.entries()) {
    if (!Array.isArray(message.content)) {
      vetted.push(message);
      continue;
    }
    const parts: ChatPart[] = [];
    for (const [partIndex, part] of message.content.entries()) {
      const where = `messages.${messageIndex}.content.${partIndex}`;
      if (PASSED_AS_IS.has(part.type)) {
        parts.push(part);
        continue;
      }
      if (part.type !== 'image_url' && part.type !== 'input_image') {
        throw mmevolveError('invalid-input', `${where}: content parts of type ${JSON.stringify(part.type.slice(0, 40))} are not forwarded`, 'This proxy forwards text and images (image_url with a data: URL, or an http(s) URL the server may fetch); send other media to the model server directly.');
      }
      const url = partUrl(part);
      if (url === undefined) throw mmevolveError('invalid-input', `${where}: an image part without image_url.url`, 'Send {"type": "image_url", "image_url": {"url": "data:image/png;base64,…"}}.');
      let dataUrl = url;
      if (isDataUrl(url)) {
        await admitImage(dataUrlBytes(url, where), limits, where);
      } else {
        fetched += 1;
        if (fetched > limits.maxImagesPerRequest) throw mmevolveError('invalid-input', `more than ${limits.maxImagesPerRequest} image URLs to fetch in one request`, 'Send fewer image URLs, or the image bytes as data: URLs.');
        const bytes = await imageUrlBytes(url, limits, where, signal);
        const { format } = await admitImage(bytes, limits, where);
        dataUrl = `data:image/${format};base64,${Buffer.from(bytes).toString('base64')}`;
      }
      parts.push(withUrl(part, dataUrl));
      imagesByMessage.set(messageIndex, [...(imagesByMessage.get(messageIndex) ?? []), dataUrl]);
    }
    vetted.push({ ...message, content: parts });
  }
  return { messages: vetted, imagesByMessage };
}
