/**
 * Server-sent events over fetch (EventSource cannot POST an image): an incremental parser following the
 * WHATWG event-stream rules that matter here (event/data/id fields, multi-line data, comments, CRLF).
 */

export interface ServerSentEvent {
  event: string;
  data: string;
  id?: string;
}

export class SseParser {
  private buffer = '';
  private eventName = '';
  private dataLines: string[] = [];
  private lastId: string | undefined;

  /** Feeds a chunk of text; returns the events completed by it. */
  push(chunk: string): ServerSentEvent[] {
    this.buffer += chunk;
    const events: ServerSentEvent[] = [];
    for (;;) {
      const match = /\r\n|\r|\n/u.exec(this.buffer);
      if (match === null) break;
      // A lone \r at the end of the buffer may be the first half of \r\n: wait for more text.
      if (match[0] === '\r' && match.index === this.buffer.length - 1) break;
      const line = this.buffer.slice(0, match.index);
      this.buffer = this.buffer.slice(match.index + match[0].length);
      const event = this.line(line);
      if (event !== undefined) events.push(event);
    }
    return events;
  }

  /** Ends the stream: a final event without its blank line is still delivered. */
  finish(): ServerSentEvent[] {
    const events = this.buffer === '' ? [] : this.push('\n');
    const last = this.line('');
    return last === undefined ? events : [...events, last];
  }

  private line(line: string): ServerSentEvent | undefined {
    if (line === '') {
      if (this.dataLines.length === 0) {
        this.eventName = '';
        return undefined;
      }
      const event: ServerSentEvent = { event: this.eventName === '' ? 'message' : this.eventName, data: this.dataLines.join('\n') };
      if (this.lastId !== undefined) event.id = this.lastId;
      this.eventName = '';
      this.dataLines = [];
      return event;
    }
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') this.eventName = value;
    else if (field === 'data') this.dataLines.push(value);
    else if (field === 'id') this.lastId = value;
    return undefined;
  }
}

/** Reads a fetch Response body as server-sent events. */
export async function* readEventStream(response: Response, signal?: AbortSignal): AsyncGenerator<ServerSentEvent> {
  if (response.body === null) return;
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  const parser = new SseParser();
  try {
    for (;;) {
      if (signal?.aborted === true) return;
      const { done, value } = await reader.read();
      if (done) break;
      yield* parser.push(value);
    }
    yield* parser.finish();
  } finally {
    reader.releaseLock();
  }
}
