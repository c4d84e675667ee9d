/**
 * Which IP addresses a server that fetches URLs for its clients may connect to under `--image-urls
 * public`. IPv6 forms that carry an IPv4 address inside them are judged by that IPv4 address: mapped
 * (::ffff:a.b.c.d), SIIT (::ffff:0:a.b.c.d), compatible (::a.b.c.d), NAT64 (64:ff9b::/96) and 6to4
 * (2002:AABB:CCDD::/48) all reach the embedded address on a dual-stack or translating network. Teredo
 * (2001::/32) and local-use NAT64 (64:ff9b:1::/48) are refused outright: what they reach depends on
 * relays we cannot see.
 */
import { BlockList, isIP } from 'node:net';

const NON_PUBLIC_V4 = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24], ['203.0.113.0', 24],
  ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) NON_PUBLIC_V4.addSubnet(network, prefix, 'ipv4');

const NON_PUBLIC_V6 = new BlockList();
for (const [network, prefix] of [
  ['::', 128], ['::1', 128], ['100::', 64], ['2001::', 32], ['2001:db8::', 32], ['64:ff9b:1::', 48], ['fc00::', 7], ['fe80::', 10], ['fec0::', 10], ['ff00::', 8],
] as const) NON_PUBLIC_V6.addSubnet(network, prefix, 'ipv6');

/** The 16 bytes of an IPv6 address (any textual form, zone id dropped); undefined when it is not one. */
export function ipv6Bytes(address: string): Uint8Array | undefined {
  const bare = address.replace(/^\[|\]$/gu, '').split('%')[0] ?? '';
  if (isIP(bare) !== 6) return undefined;
  // The WHATWG serializer rewrites every form (dotted tails included) as at most eight hex groups.
  const hostname = new URL(`http://[${bare}]/`).hostname.slice(1, -1);
  const [head = '', tail] = hostname.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  const bytes = new Uint8Array(16);
  groups.forEach((group, index) => {
    const value = Number.parseInt(group, 16);
    bytes[index * 2] = value >> 8;
    bytes[index * 2 + 1] = value & 0xff;
  });
  return bytes;
}

function dotted(bytes: Uint8Array, at: number): string {
  return [...bytes.subarray(at, at + 4)].join('.');
}

const zeros = (bytes: Uint8Array, from: number, to: number): boolean => bytes.subarray(from, to).every((byte) => byte === 0);

/** The IPv4 address an IPv6 address carries (mapped, SIIT, compatible, NAT64 /96, 6to4), if any. */
export function embeddedIpv4(bytes: Uint8Array): string | undefined {
  const word = (index: number): number => ((bytes[index * 2] ?? 0) << 8) | (bytes[index * 2 + 1] ?? 0);
  if (zeros(bytes, 0, 10) && word(5) === 0xffff) return dotted(bytes, 12);
  if (zeros(bytes, 0, 8) && word(4) === 0xffff && word(5) === 0) return dotted(bytes, 12);
  // ::a.b.c.d, except :: and ::1 themselves (judged as IPv6 below).
  if (zeros(bytes, 0, 12) && !zeros(bytes, 12, 15)) return dotted(bytes, 12);
  if (word(0) === 0x64 && word(1) === 0xff9b && zeros(bytes, 4, 12)) return dotted(bytes, 12);
  if (word(0) === 0x2002) return dotted(bytes, 2);
  return undefined;
}

export function isPublicAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/gu, '');
  const family = isIP(bare.split('%')[0] ?? '');
  if (family === 4) return !NON_PUBLIC_V4.check(bare, 'ipv4');
  if (family !== 6) return false;
  const bytes = ipv6Bytes(bare);
  if (bytes === undefined) return false;
  const inner = embeddedIpv4(bytes);
  if (inner !== undefined) return isPublicAddress(inner);
  const canonical = new URL(`http://[${bare.split('%')[0] ?? ''}]/`).hostname.slice(1, -1);
  return !NON_PUBLIC_V6.check(canonical, 'ipv6');
}
