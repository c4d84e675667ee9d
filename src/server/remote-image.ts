/**
 * http(s) image URLs in request bodies, fetched by the server only when its operator allows it
 * (`mmevolve serve --image-urls public|any`; off by default: a server that fetches URLs for its clients
 * can be aimed at the machines behind it). `public` refuses hosts that resolve to loopback, private,
 * link-local or other non-public addresses; redirects are refused (they could lead there); the body is
 * read up to the request body limit and then goes through the same header check as uploaded bytes.
 */
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { mmevolveError } from '../core/index.js';

export type RemoteImagePolicy = 'off' | 'public' | 'any';

export interface RemoteImageOptions {
  policy: RemoteImagePolicy;
  maxBytes: number;
  timeoutMs: number;
}

const NON_PUBLIC = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) NON_PUBLIC.addSubnet(network, prefix, 'ipv4');
// IPv4-mapped IPv6 (::ffff:a.b.c.d) is judged by its IPv4 part below: a ::ffff:0:0/96 rule here would also
// match every plain IPv4 address in Node's BlockList.
for (const [network, prefix] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8]] as const) {
  NON_PUBLIC.addSubnet(network, prefix, 'ipv6');
}

export function isPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  if (family === 4) return !NON_PUBLIC.check(address, 'ipv4');
  const lower = address.toLowerCase();
  if (lower.startsWith('::ffff:')) {
    const mapped = lower.slice('::ffff:'.length);
    return isIP(mapped) === 4 && isPublicAddress(mapped);
  }
  return !NON_PUBLIC.check(address, 'ipv6');
}

function refused(source: string, message: string, hint: string): Error {
  return mmevolveError('invalid-input', `${source}: ${message}`, hint);
}

async function checkHost(url: URL, source: string): Promise<void> {
  const host = url.hostname.replace(/^\[|\]$/gu, '');
  const addresses = isIP(host) === 0 ? (await lookup(host, { all: true }).catch(() => [])).map((entry) => entry.address) : [host];
  if (addresses.length === 0) throw refused(source, `cannot resolve ${host}`, 'Check the image URL, or send the image bytes instead.');
  const blocked = addresses.find((address) => !isPublicAddress(address));
  if (blocked !== undefined) {
    throw refused(source, `${host} resolves to the non-public address ${blocked}`, 'This server fetches only public image URLs (--image-urls public); send the bytes, or start it with --image-urls any.');
  }
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
  if (options.policy === 'public') await checkHost(url, source);
  let response: Response;
  try {
    response = await fetch(url, { redirect: 'error', signal: AbortSignal.timeout(options.timeoutMs) });
  } catch (cause) {
    throw mmevolveError('invalid-input', `${source}: fetching ${url.origin}${url.pathname} failed (no answer, a redirect, or over ${options.timeoutMs} ms)`, 'Check that the URL serves the image directly, or send the bytes.', cause);
  }
  if (!response.ok) throw refused(source, `${url.origin}${url.pathname} answered HTTP ${response.status}`, 'Check the image URL, or send the bytes.');
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (declared > options.maxBytes) throw mmevolveError('payload-too-large', `${source}: the image is ${declared} bytes, over ${options.maxBytes}`, 'Use a smaller image.');
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = response.body?.getReader();
  for (let part = await reader?.read(); part !== undefined && !part.done; part = await reader?.read()) {
    total += part.value.length;
    if (total > options.maxBytes) {
      await reader?.cancel();
      throw mmevolveError('payload-too-large', `${source}: the image is over ${options.maxBytes} bytes`, 'Use a smaller image.');
    }
    chunks.push(part.value);
  }
  return Buffer.concat(chunks);
}
