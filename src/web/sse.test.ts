import { describe, expect, it } from 'vitest';
import { SseParser } from './sse.js';

describe('SseParser', () => {
  it('joins multi-line data and names events, whatever the chunk boundaries', () => {
    const text = 'event: phrase-evaluated\ndata: {"a":\ndata: 1}\n\n: keep-alive comment\n\ndata: plain\r\n\r\n';
    for (let cut = 0; cut <= text.length; cut += 1) {
      const parser = new SseParser();
      const events = [...parser.push(text.slice(0, cut)), ...parser.push(text.slice(cut)), ...parser.finish()];
      expect(events, `split at ${cut}`).toEqual([
        { event: 'phrase-evaluated', data: '{"a":\n1}' },
        { event: 'message', data: 'plain' },
      ]);
    }
  });

  it('delivers a last event that has no blank line after it and keeps the last id', () => {
    const parser = new SseParser();
    const events = [...parser.push('id: 7\nevent: result\ndata: {}'), ...parser.finish()];
    expect(events).toEqual([{ event: 'result', data: '{}', id: '7' }]);
  });
});
