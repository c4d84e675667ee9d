/**
 * http(s) image URLs in request bodies, fetched by the server only when its operator allows it
 * (`mmevolve serve --image-urls public|any`; off by default: a server that fetches URLs for its clients
 * can be aimed at the machines behind it). `public` refuses hosts that resolve to loopback, private,
 * link-local or other non-public addresses (public-address.ts); redirects are refused (they could lead
 * there). The name is resolved ONCE and the connection made to that checked address (http.request's
 * `lookup`), so a DNS answer that changes between the check and the connect (rebinding) cannot redirect
 * it. The body is read up to the request body limit within the timeout, then goes through the image
 * gate like uploaded bytes. Every failure is the client's URL, so every failure is a 4xx.
 */
import { lookup } from 'node:dns/promises';
import http from 'node:http';
import type { IncomingMessage } from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import type { LookupFunction } from 'node:net';
import { mmevolveError } from '../core/index.js';
import { isPublicAddress } from './public-address.js';

export { isPublicAddress } from './public-address.js';

export type RemoteImagePolicy = 'off' | 'public' | 'any';

export interface RemoteImageOptions {
  policy: RemoteImagePolicy;
  maxBytes: number;
  timeoutMs: number;
  /** The caller's request: when it goes away, the download stops. */
  signal?: AbortSignal;
  /** Name → addresses (tests inject one to play a rebinding DNS server); default the system resolver. */
  resolve?: (hostname: string) => Promise<string[]>;
}

const systemResolve = async (hostname: string): Promise<string[]> => (await lookup(hostname, { all: true, verbatim: true })).map((entry) => entry.address);

function refused(source: string, message: string, hint: string): Error {
  return mmevolveError('invalid-input', `${source}: ${message}`, hint);
}

/** The one address this URL's connection will use, checked against the policy. */
async function pinnedAddress(url: URL, options: RemoteImageOptions, source: string): Promise<string> {
  const host = url.hostname.replace(/^\[|\]$/gu, '');
  const addresses = isIP(host) === 0 ? await (options.resolve ?? systemResolve)(host).catch(() => [] as string[]) : [host];
  const [first] = addresses;
  if (first === undefined) throw refused(source, `cannot resolve ${host}`, 'Check the image URL, or send the image bytes instead.');
  if (options.policy === 'public') {
    const blocked = addresses.find((address) => !isPublicAddress(address));
    if (blocked !== undefined) {
      throw refused(source, `${host} resolves to the non-public address ${blocked}`, 'This server fetches only public image URLs (--image-urls public); send the bytes, or start it with --image-urls any.');
    }
  }
  return first;
}

function fetchFailed(source: string, url: URL, reason: string, cause?: unknown): Error {
  return mmevolveError('invalid-input', `${source}: fetching ${url.origin}${url.pathname} failed (${reason})`, 'Check that the URL serves the image directly and quickly, or send the bytes.', cause);
}

/** GET the URL over a connection to `address` only, reading at most maxBytes within the timeout. */
function download(url: URL, address: string, options: RemoteImageOptions, source: string): Promise<Uint8Array> {
  const family = isIP(address);
  const pinned: LookupFunction = (_hostname, lookupOptions, callback) => {
    if (lookupOptions.all === true) callback(null, [{ address, family }]);
    else callback(null, address, family);
  };
  const signals = [AbortSignal.timeout(options.timeoutMs), ...(options.signal === undefined ? [] : [options.signal])];
  const signal = AbortSignal.any(signals);
  return new Promise<Uint8Array>((resolve, reject) => {
    const client = url.protocol === 'https:' ? https : http;
    const request = client.get(url, { lookup: pinned, signal, headers: { accept: 'image/jpeg, image/png, image/webp' }, agent: false }, (response: IncomingMessage) => {
      const status = response.statusCode ?? 0;
      if (status !== 200) {
        response.resume();
        request.destroy();
        reject(status >= 300 && status < 400 ? fetchFailed(source, url, `a redirect (HTTP ${status}) is not followed`) : refused(source, `${url.origin}${url.pathname} answered HTTP ${status}`, 'Check the image URL, or send the bytes.'));
        return;
      }
      const declared = Number(response.headers['content-length'] ?? Number.NaN);
      if (declared > options.maxBytes) {
        request.destroy();
        reject(mmevolveError('payload-too-large', `${source}: the image is ${declared} bytes, over ${options.maxBytes}`, 'Use a smaller image.'));
        return;
      }
      const chunks: Buffer[] = [];
      let total = 0;
      response.on('data', (part: Buffer) => {
        total += part.length;
        if (total > options.maxBytes) {
          request.destroy();
          reject(mmevolveError('payload-too-large', `${source}: the image is over ${options.maxBytes} bytes`, 'Use a smaller image.'));
          return;
        }
        chunks.push(part);
      });
      response.on('end', () => resolve(Buffer.concat(chunks)));
      response.on('error', (cause) => reject(fetchFailed(source, url, describe(cause, signal, options), cause)));
    });
    request.on('error', (cause) => reject(fetchFailed(source, url, describe(cause, signal, options), cause)));
  });
}

function describe(cause: Error, signal: AbortSignal, options: RemoteImageOptions): string {
  if (options.signal?.aborted === true) return 'the request was cancelled';
  if (signal.aborted) return `no complete answer within ${options.timeoutMs} ms`;
  return `no answer: ${cause.message.split('\n')[0] ?? ''}`;
}

/** The bytes behind an http(s) image URL, under the server's policy and limits. */
export async function fetchRemoteImage(value: string, options: RemoteImageOptions, source: string): Promise<Uint8Array> {
  if (options.policy === 'off') {
    throw refused(source, 'this server does not fetch image URLs', 'Send the image bytes as a data:image/…;base64 URL or a multipart file, or start the server with --image-urls public.');
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw refused(source, 'is neither a data: URL nor a valid http(s) URL', 'Send data:image/png;base64,… or an https:// image URL.');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw refused(source, `${url.protocol} URLs are not fetched`, 'Use an http(s) URL or send the bytes.');
  if (url.username !== '' || url.password !== '') throw refused(source, 'URLs with credentials are not fetched', 'Use a plain http(s) URL or send the bytes.');
  return download(url, await pinnedAddress(url, options, source), options, source);
}
