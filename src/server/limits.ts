/**
 * Request limits: body size, image pixels (read from the header before any decode, so a small file that
 * claims gigapixels is refused), query length, and a token bucket per key.
 */
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { MmevolveError } from '../core/index.js';
import { apiError } from './api-errors.js';
import { DEFAULT_AUTH_FAILURE_LIMITS } from './auth-limits.js';
import type { AuthFailureLimits } from './auth-limits.js';
import type { ImageGateLimits } from './image-gate.js';
import type { ServerEnv } from './principal.js';
import type { RemoteImagePolicy } from './remote-image.js';
import type { IntakeLimits } from './tenant-intake.js';
import { MemoryTokenBuckets } from './token-buckets.js';
import type { TokenBuckets } from './token-buckets.js';

/** The image gate's limits (image-gate.ts), fair intake's (tenant-intake.ts) and the request limits. */
export interface ServerLimits extends ImageGateLimits, IntakeLimits {
  maxBodyBytes: number;
  maxQueryLength: number;
  /** Token bucket per key: burst size and sustained requests per second. */
  rateLimit: { burst: number; perSecond: number };
  /** How many images one /v1/solve or chat request may carry. */
  maxImagesPerRequest: number;
  /** http(s) image URLs in bodies: not fetched, fetched from public hosts only, or fetched from any host. */
  imageUrls: RemoteImagePolicy;
  imageUrlTimeoutMs: number;
  /** Name → addresses for fetched image URLs; default the system resolver (the fault suite plays a rebinding DNS server). */
  resolveHost?: ((hostname: string) => Promise<string[]>) | undefined;
  /** Failed authentications allowed per key id and per client address before 429, checked before any scrypt. */
  authFailures: AuthFailureLimits;
}

export const DEFAULT_LIMITS: ServerLimits = {
  maxBodyBytes: 25 * 1024 * 1024,
  // 40 MP: above any camera photo a user would send to an MLLM, far below a decompression bomb.
  maxImagePixels: 40_000_000,
  // Photos and scans carry well under 100 pixels per byte; a PNG bomb carries thousands.
  maxPixelsPerByte: 1000,
  bombCheckPixels: 4_000_000,
  decodeTimeoutMs: 5000,
  // The machine's libvips already spreads one decode over its threads; two at once keep a core for the rest.
  decodeConcurrency: 2,
  decodeQueue: 32,
  // Two per tenant: a flood of hostile requests from one tenant gets two turns of the event loop, not dozens.
  intakePerTenant: 2,
  intakeQueue: 256,
  intakePenaltyMs: 250,
  maxQueryLength: 4000,
  rateLimit: { burst: 60, perSecond: 20 },
  maxImagesPerRequest: 8,
  imageUrls: 'off',
  imageUrlTimeoutMs: 10_000,
  authFailures: DEFAULT_AUTH_FAILURE_LIMITS,
};

export function resolveLimits(overrides: Partial<ServerLimits> = {}): ServerLimits {
  return { ...DEFAULT_LIMITS, ...overrides, rateLimit: { ...DEFAULT_LIMITS.rateLimit, ...overrides.rateLimit }, authFailures: { ...DEFAULT_LIMITS.authFailures, ...overrides.authFailures } };
}

export function limitBody(limits: ServerLimits): MiddlewareHandler<ServerEnv> {
  return bodyLimit({
    maxSize: limits.maxBodyBytes,
    onError: () => {
      throw apiError('payload-too-large', `request body exceeds ${limits.maxBodyBytes} bytes`, 'Send a smaller image (downscale or JPEG-compress it) or raise --max-body-mb on the server.');
    },
  });
}

export function checkQueryLength(text: string, limits: ServerLimits, field: string): void {
  if (text.length > limits.maxQueryLength) {
    throw apiError('query-too-long', `${field} has ${text.length} characters, above the limit of ${limits.maxQueryLength}`, `Shorten ${field}.`);
  }
}

/** One bucket per key id, in `buckets` (in memory, or on Postgres shared by replicas). */
export function rateLimit(limits: ServerLimits, buckets: TokenBuckets = new MemoryTokenBuckets()): MiddlewareHandler<ServerEnv> {
  const { burst, perSecond } = limits.rateLimit;
  return async (context, next) => {
    const keyId = context.get('principal').keyId;
    const empty = await buckets.take([{ name: `rate:${keyId}`, burst, perSecond }]);
    if (empty !== undefined) {
      const waitSeconds = Math.max(1, Math.ceil((1 - empty.tokens) / perSecond));
      throw new MmevolveError({
        code: 'rate-limited',
        message: `rate limit of ${perSecond} requests/s (burst ${burst}) exceeded for this key`,
        hint: `Retry after ${waitSeconds} s, or spread requests out.`,
        retryAfterMs: waitSeconds * 1000,
      });
    }
    await next();
  };
}
