/**
 * The UI from anywhere: `mmevolve serve` started in an unrelated folder serves the package's built UI
 * (found beside the code, not in the working directory) and names where it came from; a missing build is
 * made on the spot and said so.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WEB_DIST_DIR } from '../../web/build-web.js';
import { webDirectory } from './serve.js';

const BIN = fileURLToPath(new URL('../../../bin/mmevolve.js', import.meta.url));
let elsewhere: string;
let child: ChildProcess | undefined;

beforeAll(async () => {
  elsewhere = await mkdtemp(path.join(tmpdir(), 'mmevolve-serve-elsewhere-'));
});

afterAll(async () => {
  if (child !== undefined && child.exitCode === null) {
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    await exited;
  }
  await rm(elsewhere, { recursive: true, force: true });
});

describe('mmevolve serve and its web UI', () => {
  it('serves the package’s built UI when started in another folder, and says where it came from', async () => {
    // No config and no model variables: only /v1/memories works, which is enough to serve the UI.
    const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('OPENAI_') && !name.startsWith('MMEVOLVE_')));
    const started = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--dev', '--db', 'memory.db', '--keys-db', 'keys.db', '--runs-dir', 'runs'], { cwd: elsewhere, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child = started;
    let stdout = '';
    let stderr = '';
    started.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    await new Promise<void>((resolve, reject) => {
      started.stdout?.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        if (/web UI: .*\n/u.test(stdout)) resolve();
      });
      started.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${stderr}`)));
    });
    const url = /listening on (http:\/\/\S+)/u.exec(stdout)?.[1] ?? '';
    expect(stdout, 'the UI line names the package’s dist/web, not the working directory').toContain(`${url}/ from ${WEB_DIST_DIR}`);
    expect(existsSync(path.join(elsewhere, 'dist')), 'nothing is built in the working directory').toBe(false);
    const page = await fetch(`${url}/`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html, 'the UI’s page').toContain('<div id="app">');
    const script = /src="\.?\/?(assets\/[^"]+\.js)"/u.exec(html)?.[1];
    expect(script, `the page loads a bundled script: ${html.slice(0, 400)}`).toBeDefined();
    expect((await fetch(`${url}/${script ?? ''}`)).status, 'its script is served too').toBe(200);
  }, 120_000);

  it('builds a missing UI on the spot and says so', async () => {
    const distDir = path.join(elsewhere, 'missing-dist', 'web');
    const said: string[] = [];
    const web = await webDirectory(undefined, (line) => said.push(line), distDir);
    expect(said.join('\n'), 'serve announces the build').toContain(`web UI: ${distDir} is missing; building it now`);
    expect(web, 'and reports it built').toEqual({ dir: distDir, note: ' (built just now)' });
    expect(existsSync(path.join(distDir, 'index.html')), 'the build is in place').toBe(true);
  }, 120_000);
});
