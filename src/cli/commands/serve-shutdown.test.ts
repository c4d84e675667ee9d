/** SIGTERM stops `mmevolve serve` within a bounded time and cancels in-flight work through its AbortSignal (issue 15). */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../../bin/mmevolve.js', import.meta.url));
let root: string;
let upstream: Server;
let upstreamPort: number;
const held: IncomingMessage[] = [];

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'mmevolve-serve-stop-'));
  // A model server that takes every request and never answers.
  upstream = createServer((request) => held.push(request));
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  upstreamPort = (upstream.address() as AddressInfo).port;
  const config = { backends: { mllm: { baseURL: `http://127.0.0.1:${upstreamPort}/v1`, model: 'm', profile: 'qwen2.5-vl' } }, cache: { enabled: false } };
  await writeFile(path.join(root, 'mmevolve.config.json'), JSON.stringify(config));
});

afterAll(async () => {
  upstream.closeAllConnections();
  await new Promise<void>((resolve) => upstream.close(() => resolve()));
  await rm(root, { recursive: true, force: true });
});

describe('mmevolve serve shutdown', () => {
  it('exits within the deadline on SIGTERM while a chat request hangs upstream, and the upstream request is cancelled', async () => {
    const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--dev', '--config', 'mmevolve.config.json', '--db', 'memory.db', '--keys-db', 'keys.db', '--runs-dir', 'runs'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        const found = /listening on (http:\/\/\S+)/u.exec(stdout)?.[1];
        if (found !== undefined) resolve(found);
      });
      child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${stderr}`)));
    });
    const pending = fetch(`${url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-mmevolve-memory': 'off' }, body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }) }).catch((error: unknown) => error);
    while (held.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    const request = held[0] as IncomingMessage;
    // The proxy aborting its upstream call resets this connection ('aborted' / ECONNRESET, then 'close').
    request.on('error', () => undefined);
    const cancelled = new Promise((resolve) => request.socket.once('close', resolve));
    const exited = once(child, 'exit');
    const started = performance.now();
    child.kill('SIGTERM');
    const [code] = (await exited) as [number | null];
    const seconds = (performance.now() - started) / 1000;
    await cancelled;
    await pending;
    expect(seconds, `serve took ${seconds.toFixed(1)} s to stop`).toBeLessThan(12);
    expect(code, stderr).toBe(0);
    expect(stderr).toContain('mmevolve serve stopped');
  }, 60_000);
});
