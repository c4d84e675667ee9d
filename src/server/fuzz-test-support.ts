/**
 * The fuzz and fault suite's table of hostile requests (issue 15; tests only, not product code). Each row
 * is one attack the hardening audit made, sent through the HTTP API as a client would send it, with the
 * status every response must have. To grow the suite, add a row: the harness (fuzz-and-faults.test.ts)
 * sends it beside a normal request, bounds its time, and checks that no response names a server path.
 */
import type { TestServer } from './server-test-support.js';
import { blurredSvg, bombPng, dataUrl, deepJson, pngClaiming } from './hostile-inputs.js';
import type { otherFormats } from './hostile-inputs.js';

/** The three URL policies a server can run under (`--image-urls`); each row picks the one it attacks. */
export type FuzzServerName = 'off' | 'public' | 'any';

export interface FuzzTarget {
  servers: Record<FuzzServerName, TestServer>;
  /** A key of the attacking tenant on each server, with every scope. */
  keys: Record<FuzzServerName, string>;
  /** Port of a loopback listener no request may ever reach (it counts connections). */
  trapPort: number;
  /** Port of an image server on 127.0.0.1: /image.png is the PNG below, /drip sends one byte every 200 ms and never finishes. */
  imagePort: number;
  /** A finished run of the attacking tenant on the "public" server, and one of its lessons. */
  runId: string;
  lessonId: string;
  png: Buffer;
  others: Awaited<ReturnType<typeof otherFormats>>;
}

export interface FuzzCase {
  name: string;
  /** The audit's defect (issue 15, 1–7) the row replays. */
  defect: string;
  /** The dedicated test that covers the defect in depth, where one exists. */
  seeAlso?: string;
  server: FuzzServerName;
  /** Every response of the row must have one of these statuses. */
  status: readonly number[];
  /** Text every response's error message must contain, when the status alone is not specific enough. */
  says?: string;
  send(target: FuzzTarget, server: TestServer, key: string): Promise<Response[]>;
}

type Sender = FuzzCase['send'];

const post = (path: string, json: unknown): Sender => async (_target, server, key) => [await server.request(path, { method: 'POST', key, json })];
const raw = (method: string, path: string, body: string, contentType = 'application/json'): Sender => async (_target, server, key) => [await server.request(path, { method, key, body, headers: { 'Content-Type': contentType } })];

export const solveBody = (image: string): Record<string, unknown> => ({ question: 'How many shapes are red?', options: ['0', '1', '2'], mode: 'baseline', image });
const segmentBody = (image: string): Record<string, unknown> => ({ query: 'the red square', method: 'single', image });
const chatBody = (url: string, type = 'image_url'): Record<string, unknown> => ({
  model: 'm',
  messages: [{ role: 'user', content: [{ type: 'text', text: 'what is this?' }, type === 'image_url' ? { type, image_url: { url } } : { type, [type]: { url } }] }],
});

/** The same image URL or data: URL through every entry that takes one: /v1/solve, /v1/segment and the chat proxy. */
const everyEntry = (url: (target: FuzzTarget) => string): Sender => async (target, server, key) => {
  const image = url(target);
  return Promise.all([post('/v1/solve', solveBody(image)), post('/v1/segment', segmentBody(image)), post('/v1/chat/completions', chatBody(image))].map((send) => send(target, server, key))).then((all) => all.flat());
};

/** The bytes as a multipart upload to /v1/solve and /v1/segment. */
const upload = (bytes: (target: FuzzTarget) => Uint8Array, name: string): Sender => async (target, server, key) => {
  const sends = [
    ['/v1/solve', { question: 'How many shapes are red?', mode: 'baseline' }],
    ['/v1/segment', { query: 'the red square', method: 'single' }],
  ] as const;
  return Promise.all(
    sends.map(([path, fields]) => {
      const form = new FormData();
      for (const [field, value] of Object.entries(fields)) form.set(field, value);
      form.set('image', new Blob([new Uint8Array(bytes(target))]), name);
      return server.request(path, { method: 'POST', key, body: form });
    }),
  );
};

/** JSON text of `body` with a `depth`-deep array in one extra field (JSON.parse takes it; walkers overflow). */
export function withDeepField(body: Record<string, unknown>, depth = 5000): string {
  return `${JSON.stringify(body).slice(0, -1)},"extra":${deepJson(depth)}}`;
}

/**
 * Every route that reads a JSON body, with a body that is valid but for a 5,000-deep extra field. The suite
 * checks this list against the app's routes, so a new body-reading route without a row fails it.
 */
export const DEEP_JSON_ROUTES: readonly { route: string; send: Sender }[] = [
  { route: 'POST /v1/solve', send: raw('POST', '/v1/solve', withDeepField(solveBody('data:image/png;base64,AAAA'))) },
  { route: 'POST /v1/segment', send: raw('POST', '/v1/segment', withDeepField(segmentBody('data:image/png;base64,AAAA'))) },
  { route: 'POST /v1/chat/completions', send: raw('POST', '/v1/chat/completions', withDeepField({ model: 'm', messages: [{ role: 'user', content: 'hello' }] })) },
  { route: 'POST /v1/runs', send: raw('POST', '/v1/runs', withDeepField({ dataset: 'synth', method: 'single' })) },
  { route: 'POST /v1/memories', send: raw('POST', '/v1/memories', withDeepField({ stream: 'logic', text: 'a lesson' })) },
  { route: 'POST /v1/feedback', send: raw('POST', '/v1/feedback', withDeepField({ responseId: 'chatcmpl-unknown', verdict: 'correct' })) },
  { route: 'POST /v1/memories/import', send: raw('POST', '/v1/memories/import', `${withDeepField({ type: 'lesson' })}\n`, 'application/x-ndjson') },
  { route: 'PATCH /v1/memories/:id', send: async (target, server, key) => [await server.request(`/v1/memories/${target.lessonId}`, { method: 'PATCH', key, body: withDeepField({ text: 'edited' }), headers: { 'Content-Type': 'application/json' } })] },
  { route: 'POST /v1/memories/:id/restore', send: async (target, server, key) => [await server.request(`/v1/memories/${target.lessonId}/restore`, { method: 'POST', key, body: withDeepField({ version: 1 }), headers: { 'Content-Type': 'application/json' } })] },
];

/** Routes that take POST but read no body (a body sent to them is ignored, never parsed). */
export const BODYLESS_POST_ROUTES: readonly string[] = ['POST /v1/runs/:id/cancel', 'POST /v1/runs/:id/resume'];

/** DNS names the suite's resolver answers: one mixing a public and a loopback address, one changing its answer. */
export const REBINDING_HOST = 'rebind.example.test';
export const PINNED_HOST = 'pinned.example.test';

/** Loopback in every spelling the audit tried: names, shorthand IPv4, and IPv6 forms embedding 127.0.0.1. */
export const LOOPBACK_HOSTS: readonly string[] = ['127.0.0.1', 'localhost', '127.1', '2130706433', '0x7f.1', '0', '[::1]', '[::]', '[::127.0.0.1]', '[::ffff:127.0.0.1]', '[::ffff:7f00:1]', '[64:ff9b::7f00:1]', '[64:ff9b::127.0.0.1]', '[2002:7f00:1::]', '[::ffff:0:127.0.0.1]'];

const trapUrl = (host: string) => (target: FuzzTarget) => `http://${host}:${target.trapPort}/internal.png`;

export const FUZZ_CASES: readonly FuzzCase[] = [
  // 1. Formats outside JPEG/PNG/WebP, whatever the data: URL or file name claims.
  { name: 'an SVG of blurred shapes declaring 6000×6000, as a data: URL claiming PNG', defect: '1', seeAlso: 'image-gate.test.ts', server: 'public', status: [415], says: 'JPEG, PNG or WebP', send: everyEntry(() => dataUrl(blurredSvg(6000), 'image/png')) },
  { name: 'the same SVG as a multipart upload named .png', defect: '1', server: 'public', status: [415], send: upload(() => blurredSvg(6000), 'photo.png') },
  { name: 'a GIF', defect: '1', server: 'public', status: [415], says: 'GIF', send: everyEntry((target) => dataUrl(target.others.gif, 'image/gif')) },
  { name: 'a TIFF', defect: '1', server: 'public', status: [415], says: 'TIFF', send: everyEntry((target) => dataUrl(target.others.tiff, 'image/tiff')) },
  { name: 'an AVIF', defect: '1', server: 'public', status: [415], says: 'AVIF', send: everyEntry((target) => dataUrl(target.others.avif, 'image/avif')) },
  // 6. Decompression bombs under the pixel limit; images whose header claims more than the limit.
  { name: 'the 4.9 KB 1-bit PNG of 7000×5700 (decompression bomb) as a data: URL', defect: '6', seeAlso: 'image-gate.test.ts', server: 'public', status: [413], says: 'decompression bomb', send: everyEntry(() => dataUrl(bombPng())) },
  { name: 'the same bomb as a multipart upload', defect: '6', server: 'public', status: [413], send: upload(() => bombPng(), 'bomb.png') },
  { name: 'a PNG whose header claims 100000×100000', defect: '6', seeAlso: 'limits.test.ts', server: 'public', status: [413], says: '100000×100000', send: everyEntry(() => dataUrl(pngClaiming(100_000, 100_000))) },
  { name: 'a body over the size limit', defect: '6', seeAlso: 'limits.test.ts', server: 'public', status: [413], send: post('/v1/solve', solveBody(`data:image/png;base64,${'A'.repeat(3 * 1024 * 1024)}`)) },
  // 3. The chat proxy must not pass on URLs the model server would fetch (default --image-urls off).
  { name: 'an image_url at a loopback listener under --image-urls off', defect: '3', seeAlso: 'proxy-ssrf.test.ts', server: 'off', status: [400], says: 'does not fetch image URLs', send: everyEntry(trapUrl('127.0.0.1')) },
  { name: 'video_url and audio_url parts, which vLLM fetches itself', defect: '3', seeAlso: 'proxy-ssrf.test.ts', server: 'any', status: [400], says: 'not forwarded', send: async (target, server, key) => Promise.all(['video_url', 'audio_url'].map((type) => post('/v1/chat/completions', chatBody(trapUrl('127.0.0.1')(target), type))(target, server, key))).then((all) => all.flat()) },
  // 4. Loopback in every spelling under --image-urls public, and a DNS name that resolves there.
  ...LOOPBACK_HOSTS.map((host): FuzzCase => ({ name: `an image URL at loopback spelled ${host} under --image-urls public`, defect: '4', seeAlso: 'proxy-ssrf.test.ts, remote-image.test.ts', server: 'public', status: [400], says: 'non-public address', send: everyEntry(trapUrl(host)) })),
  { name: 'a DNS name whose answers mix a public and a loopback address (rebinding) under --image-urls public', defect: '4', seeAlso: 'remote-image.test.ts', server: 'public', status: [400], says: 'non-public address 127.0.0.1', send: everyEntry((target) => `http://${REBINDING_HOST}:${target.trapPort}/internal.png`) },
  // 5. Wrong secrets for a live key id: limited before any scrypt.
  {
    name: '60 wrong secrets for a live key id',
    defect: '5',
    seeAlso: 'auth-limits.test.ts',
    server: 'public',
    status: [401, 429],
    send: async (_target, server, key) => Promise.all(Array.from({ length: 60 }, (_, index) => server.request('/v1/memories', { key: `${key.slice(0, 'mmev_'.length + 17)}${String(index).padStart(43, 'x')}` }))),
  },
  // 7. The smaller defects.
  ...DEEP_JSON_ROUTES.map(({ route, send }): FuzzCase => ({ name: `5,000-deep JSON in an extra field of ${route}`, defect: '7 deep JSON', seeAlso: 'json-depth.test.ts', server: 'public', status: [400], says: 'nested more than', send })),
  {
    name: '5,000-deep JSON in a multipart field of /v1/solve',
    defect: '7 deep JSON',
    server: 'public',
    status: [400],
    says: 'nests JSON more than',
    send: async (target, server, key) => {
      const form = new FormData();
      form.set('question', 'How many?');
      form.set('options', deepJson(5000));
      form.set('image', new Blob([new Uint8Array(target.png)]), 'image.png');
      return [await server.request('/v1/solve', { method: 'POST', key, body: form })];
    },
  },
  { name: 'a slow-drip image URL (one byte every 200 ms)', defect: '7 slow drip', seeAlso: 'remote-image.test.ts', server: 'any', status: [400], says: 'no complete answer within', send: everyEntry((target) => `http://127.0.0.1:${target.imagePort}/drip`) },
  { name: 'a data: URL of another media type', defect: '7 data URLs', server: 'public', status: [400], send: everyEntry((target) => dataUrl(target.png, 'text/html')) },
  { name: 'a data: URL that is not base64', defect: '7 data URLs', server: 'public', status: [400], send: everyEntry(() => 'data:image/png,%89PNG') },
  { name: 'a data: URL with characters outside base64', defect: '7 data URLs', server: 'public', status: [400], send: everyEntry(() => 'data:image/png;base64,<script>') },
  { name: 'a truncated PNG', defect: '7 data URLs', seeAlso: 'limits.test.ts', server: 'public', status: [422], send: everyEntry((target) => dataUrl(target.png.subarray(0, 40))) },
  { name: 'a body that is not JSON', defect: '7 bad bodies', server: 'public', status: [400], send: raw('POST', '/v1/solve', '{"question": ') },
  { name: 'a run of a dataset that does not exist', defect: '7 missing dataset', seeAlso: 'runs.test.ts', server: 'public', status: [400], says: 'no-such-dataset', send: post('/v1/runs', { dataset: 'no-such-dataset', method: 'single' }) },
  { name: 'ablate on a segmentation run', defect: '7 ablate', seeAlso: 'runs.test.ts', server: 'public', status: [400], says: 'ablate', send: post('/v1/runs', { dataset: 'synth', method: 'single', ablate: 'visual' }) },
  {
    name: 'datasets outside the datasets folder',
    defect: '7 paths',
    seeAlso: 'runs.test.ts',
    server: 'public',
    status: [400],
    send: async (target, server, key) => Promise.all(['../datasets/synth', '/etc', 'synth/../../x', '%2e%2e/%2e%2e/etc', 'C:\\Windows'].map((dataset) => post('/v1/runs', { dataset, method: 'single' })(target, server, key))).then((all) => all.flat()),
  },
  {
    name: 'path traversal through run, file, sample and lesson ids, and run.json through /files/',
    defect: '7 paths',
    seeAlso: 'runs.test.ts, run-samples.test.ts',
    server: 'public',
    status: [404],
    send: async (target, server, key) => {
      const run = `/v1/runs/${target.runId}`;
      const paths = ['/v1/runs/..%2F..%2Fetc', '/v1/runs/..', `${run}/files/run.json`, `${run}/files/..%2Frun.json`, `${run}/files/..%2F..%2F..%2Fetc%2Fpasswd`, `${run}/files/server-run.json`, `${run}/traces/..%2Frun`, `${run}/samples/..%2F..%2Fkeys.db/image`, `${run}/samples/%2Fetc%2Fpasswd/ground-truth`, '/v1/memories/..%2F..%2Fkeys.db'];
      return Promise.all(paths.map((path) => server.request(path, { key })));
    },
  },
];

/** Rows expected to be ACCEPTED: inputs the hardening must not break. */
export const ACCEPTED_CASES: readonly FuzzCase[] = [
  {
    name: "a finished run's record, list, report, results and files, which name datasets and run folders",
    defect: '7 paths',
    seeAlso: 'runs.test.ts',
    server: 'public',
    status: [200],
    send: async (target, server, key) => Promise.all(['', '/report', '/results', '/files/report.md'].map((suffix) => server.request(`/v1/runs/${target.runId}${suffix}`, { key })).concat(server.request('/v1/runs', { key }))),
  },
  {
    name: 'an image URL whose DNS name answers 127.0.0.1, then 127.0.0.2 (nothing listens there): fetched from the first, checked answer',
    defect: '4',
    seeAlso: 'remote-image.test.ts',
    server: 'any',
    status: [200],
    send: async (target, server, key) => [await server.request('/v1/solve', { method: 'POST', key, json: solveBody(`http://${PINNED_HOST}:${target.imagePort}/image.png`) })],
  },
  { name: 'a valid data: URL with ;charset= before ;base64', defect: '7 data URLs', seeAlso: 'image-gate.test.ts', server: 'public', status: [200], send: async (target, server, key) => [await server.request('/v1/solve', { method: 'POST', key, json: solveBody(`data:image/png;charset=utf-8;base64,${target.png.toString('base64')}`) })] },
];
