import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeImage } from '../vision/index.js';
import { blurredSvg, dataUrl } from './hostile-inputs.js';
import { createTestServer, errorOf } from './server-test-support.js';
import type { TestServer } from './server-test-support.js';

let listener: Server;
let port = 0;
let listenerHits = 0;
let png: Buffer;
const upstreamBodies: string[] = [];

const upstreamFetch: typeof fetch = (_input, init) => {
  upstreamBodies.push(typeof init?.body === 'string' ? init.body : '');
  return Promise.resolve(new Response(JSON.stringify({ choices: [{ message: { role: 'assistant', content: 'ok' } }] }), { headers: { 'content-type': 'application/json' } }));
};

async function proxyServer(imageUrls: 'off' | 'public' | 'any'): Promise<{ server: TestServer; key: string }> {
  const server = await createTestServer({ upstream: { baseURL: 'http://127.0.0.1:9/v1', fetch: upstreamFetch }, limits: { imageUrls, imageUrlTimeoutMs: 2000 } });
  return { server, key: await server.keyFor('alice') };
}

function chatWithImage(server: TestServer, key: string, url: string, type = 'image_url'): Promise<Response> {
  const part = type === 'image_url' ? { type, image_url: { url } } : { type, [type]: { url } };
  return server.request('/v1/chat/completions', { method: 'POST', key, json: { model: 'm', messages: [{ role: 'user', content: [{ type: 'text', text: 'what is this?' }, part] }] } });
}

beforeAll(async () => {
  png = await encodeImage({ width: 3, height: 2, data: new Uint8Array(18).fill(120) }, 'png');
  listener = createServer((_request, response) => {
    listenerHits += 1;
    response.writeHead(200, { 'content-type': 'image/png' }).end(png);
  });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  port = (listener.address() as AddressInfo).port;
});

afterAll(() => new Promise<void>((resolve) => listener.close(() => resolve())));

describe('the chat proxy forwards no URL it has not vetted', () => {
  it('refuses an http image URL under the default --image-urls off: neither the proxy nor the model server is sent to the loopback listener', async () => {
    const { server, key } = await proxyServer('off');
    try {
      const before = upstreamBodies.length;
      const response = await chatWithImage(server, key, `http://127.0.0.1:${port}/internal.png`);
      expect(response.status).toBe(400);
      expect((await errorOf(response)).message).toContain('does not fetch image URLs');
      expect(upstreamBodies.length, 'nothing went upstream').toBe(before);
      expect(listenerHits, 'the loopback listener received nothing').toBe(0);
    } finally {
      await server.close();
    }
  });

  it('under --image-urls public refuses loopback in every spelling, IPv6 forms embedding 127.0.0.1 included, and never connects', async () => {
    const { server, key } = await proxyServer('public');
    try {
      const before = upstreamBodies.length;
      for (const host of ['127.0.0.1', 'localhost', '[::1]', '[::127.0.0.1]', '[::ffff:127.0.0.1]', '[64:ff9b::7f00:1]', '[2002:7f00:1::]', '[::ffff:0:127.0.0.1]', '2130706433', '0x7f.1']) {
        const response = await chatWithImage(server, key, `http://${host}:${port}/internal.png`);
        expect(response.status, host).toBe(400);
        expect((await errorOf(response)).message, host).toContain('non-public address');
      }
      expect(listenerHits, 'the loopback listener received nothing').toBe(0);
      expect(upstreamBodies.length, 'nothing went upstream').toBe(before);
    } finally {
      await server.close();
    }
  });

  it('refuses parts the model server would fetch on its own (video_url, audio_url) and images in formats outside the gate', async () => {
    const { server, key } = await proxyServer('any');
    try {
      for (const type of ['video_url', 'audio_url']) {
        const response = await chatWithImage(server, key, `http://127.0.0.1:${port}/clip`, type);
        expect(response.status, type).toBe(400);
        expect((await errorOf(response)).message).toContain(type);
      }
      const svg = await chatWithImage(server, key, dataUrl(blurredSvg(2000), 'image/png'));
      expect(svg.status).toBe(415);
      expect(listenerHits).toBe(0);
    } finally {
      await server.close();
    }
  });

  it('under --image-urls any fetches the image itself, through the gate, and forwards it as a data: URL', async () => {
    const { server, key } = await proxyServer('any');
    try {
      const response = await chatWithImage(server, key, `http://127.0.0.1:${port}/allowed.png`);
      expect(response.status).toBe(200);
      expect(listenerHits, 'mmevolve fetched the image once').toBe(1);
      const sent = upstreamBodies.at(-1) ?? '';
      expect(sent).not.toContain('http://127.0.0.1');
      expect(sent).toContain(`data:image/png;base64,${png.toString('base64')}`);
    } finally {
      listenerHits = 0;
      await server.close();
    }
  });
});
