import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isMmevolveError } from '../core/index.js';
import { encodeImage } from '../vision/index.js';
import { imageFromUrl } from './image-input.js';
import { resolveLimits } from './limits.js';
import { fetchRemoteImage, isPublicAddress } from './remote-image.js';

let server: Server;
let base: string;
let png: Buffer;

beforeAll(async () => {
  png = await encodeImage({ width: 3, height: 2, data: new Uint8Array(18).fill(200) }, 'png');
  server = createServer((request, response) => {
    if (request.url === '/image.png') response.writeHead(200, { 'content-type': 'image/png' }).end(png);
    else if (request.url === '/moved') response.writeHead(302, { location: '/image.png' }).end();
    else if (request.url === '/big') response.writeHead(200).end(Buffer.alloc(5000));
    else if (request.url === '/drip') {
      // A slow-drip server: headers at once, then one byte every 200 ms, never finishing in time.
      response.writeHead(200, { 'content-type': 'image/png' });
      const timer = setInterval(() => response.write(Buffer.from([0x89])), 200);
      response.on('close', () => clearInterval(timer));
    }
    else response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function errorOf(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  const error = await promise.then(() => undefined, (caught: unknown) => caught);
  if (!isMmevolveError(error)) throw new Error(`expected a typed error, got ${String(error)}`);
  return { code: error.code, message: error.message };
}

const any = { policy: 'any' as const, maxBytes: 1_000_000, timeoutMs: 5000 };

describe('image URLs in request bodies', () => {
  it('tells public addresses from loopback, private, link-local and mapped ones', () => {
    for (const address of ['127.0.0.1', '10.1.2.3', '172.20.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', 'fe80::1', 'fd00::1', '::ffff:127.0.0.1', '::ffff:7f00:1']) {
      expect(isPublicAddress(address), address).toBe(false);
    }
    for (const address of ['8.8.8.8', '93.184.216.34', '2001:4860:4860::8888', '::ffff:8.8.8.8']) expect(isPublicAddress(address), address).toBe(true);
  });

  it('judges IPv6 forms that embed an IPv4 address by the embedded address (compatible, NAT64, 6to4, SIIT)', () => {
    for (const address of ['::127.0.0.1', '[::127.0.0.1]', '::7f00:1', '64:ff9b::7f00:1', '[64:ff9b::127.0.0.1]', '64:ff9b::a9fe:a9fe', '2002:7f00:1::', '2002:c0a8:101::1', '::ffff:0:127.0.0.1', '::ffff:0:a00:1', '2001:0:4136:e378:8000:63bf:3fff:fdd2', '64:ff9b:1::1', 'fe80::1%eth0']) {
      expect(isPublicAddress(address), address).toBe(false);
    }
    for (const address of ['64:ff9b::808:808', '2002:808:808::1', '::8.8.8.8', '[2606:4700::1111]']) expect(isPublicAddress(address), address).toBe(true);
  });

  it('resolves a host name once and connects to the address it checked (no second lookup to rebind)', async () => {
    const { port } = new URL(base);
    const answers = ['127.0.0.1', '127.0.0.9'];
    const asked: string[] = [];
    const resolve = (hostname: string): Promise<string[]> => {
      asked.push(hostname);
      return Promise.resolve([answers.shift() ?? '127.0.0.9']);
    };
    const bytes = await fetchRemoteImage(`http://images.example.test:${port}/image.png`, { ...any, resolve }, 'image 1');
    expect(Buffer.from(bytes).equals(png), 'the connection went to the first (checked) answer').toBe(true);
    expect(asked, 'the name was resolved exactly once').toEqual(['images.example.test']);
    const rebinding = (): Promise<string[]> => Promise.resolve(['93.184.216.34', '127.0.0.1']);
    const refusedMixed = await errorOf(fetchRemoteImage(`http://images.example.test:${port}/image.png`, { ...any, policy: 'public', resolve: rebinding }, 'image 1'));
    expect(refusedMixed.message, 'any non-public answer refuses the name').toContain('non-public address 127.0.0.1');
  });

  it('answers a slow-drip URL with a 4xx error once the timeout passes, not a 500', async () => {
    const started = performance.now();
    const slow = await errorOf(imageFromUrl(`${base}/drip`, resolveLimits({ imageUrls: 'any', imageUrlTimeoutMs: 600 }), 'image 1'));
    expect(slow.code).toBe('invalid-input');
    expect(slow.message).toContain('within 600 ms');
    expect(performance.now() - started).toBeLessThan(3000);
  });

  it('fetches the bytes of an http image URL when the policy allows any host, and decodes them like an upload', async () => {
    expect(Buffer.from(await fetchRemoteImage(`${base}/image.png`, any, 'image 1')).equals(png)).toBe(true);
    const image = await imageFromUrl(`${base}/image.png`, resolveLimits({ imageUrls: 'any' }), 'image 1');
    expect([image.width, image.height, image.data[0]]).toEqual([3, 2, 200]);
  });

  it('refuses URLs by default, loopback hosts under the public policy, redirects, errors and oversize bodies', async () => {
    expect((await errorOf(imageFromUrl(`${base}/image.png`, resolveLimits(), 'image 1'))).message).toContain('does not fetch image URLs');
    const loopback = await errorOf(fetchRemoteImage(`${base}/image.png`, { ...any, policy: 'public' }, 'image 1'));
    expect(loopback).toMatchObject({ code: 'invalid-input' });
    expect(loopback.message).toContain('non-public address 127.0.0.1');
    expect((await errorOf(fetchRemoteImage(`${base}/moved`, any, 'image 1'))).message, 'a redirect is not followed').toContain('failed');
    expect((await errorOf(fetchRemoteImage(`${base}/missing`, any, 'image 1'))).message).toContain('HTTP 404');
    expect(await errorOf(fetchRemoteImage(`${base}/big`, { ...any, maxBytes: 1000 }, 'image 1'))).toMatchObject({ code: 'payload-too-large' });
    expect((await errorOf(fetchRemoteImage('file:///etc/passwd', any, 'image 1'))).message).toContain('file: URLs are not fetched');
  });
});
