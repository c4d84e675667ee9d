import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..', '..');
// As `npm run demo` runs it: node with tsx's loader and no tsx CLI in between (that CLI relays a Ctrl-C,
// waits 30 ms for the script to acknowledge it and SIGKILLs a script that is busy for longer).
const NODE_ARGS = ['--import', 'tsx', 'scripts/demo.ts'];
let dir: string | undefined;

afterAll(async () => {
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

describe('npm run demo (scripts/demo.ts)', () => {
  it('prints the URL, answers /healthz, and exits 0 soon after Ctrl-C (SIGINT to its whole process group)', async () => {
    dir = await mkdtemp(join(tmpdir(), 'mmevolve-demo-test-'));
    const child = spawn(process.execPath, [...NODE_ARGS, '--dir', dir, '--port', '0', '--samples', '2'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let output = '';
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => child.once('exit', (code, signal) => done({ code, signal })));
    const url = await new Promise<string>((done, fail) => {
      const timer = setTimeout(() => fail(new Error(`no URL line within 90 s; output so far:\n${output}`)), 90_000);
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString('utf8');
        const match = /Open (http:\/\/127\.0\.0\.1:\d+)\//u.exec(output);
        if (match?.[1] !== undefined) {
          clearTimeout(timer);
          done(match[1]);
        }
      });
      void exited.then(({ code }) => fail(new Error(`the demo exited (code ${code}) before printing its URL:\n${output}`)));
    });
    expect(output, 'the demo says its backends are simulated').toContain('SIMULATED');
    const health = await fetch(`${url}/healthz`);
    expect(health.status, `healthz: ${await health.clone().text()}`).toBe(200);
    const page = await fetch(`${url}/`);
    expect(await page.text(), 'the web UI is served at /').toContain('<div id="app">');

    const stopAsked = performance.now();
    // A terminal's Ctrl-C signals the whole foreground group: the demo and the `mmevolve serve` it started.
    if (child.pid === undefined) throw new Error('the demo has no pid');
    process.kill(-child.pid, 'SIGINT');
    const { code, signal } = await exited;
    const seconds = (performance.now() - stopAsked) / 1000;
    expect({ code, signal }, `exit after SIGINT; output:\n${output}`).toEqual({ code: 0, signal: null });
    expect(seconds, 'stopped within a few seconds').toBeLessThan(8);
    expect(output, 'the demo finished its own shutdown').toContain('[demo] stopped.');
    await expect(fetch(`${url}/healthz`), 'the server is gone').rejects.toThrow();
  }, 150_000);
});
