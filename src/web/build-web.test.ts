import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureWebBuild, isWebBuildFresh } from './build-web.js';

const root = await mkdtemp(join(tmpdir(), 'mmevolve-web-build-'));

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('web build', () => {
  it('builds a missing UI once, then reuses it while it is fresh', async () => {
    const distDir = join(root, 'web');
    expect(isWebBuildFresh(distDir), 'nothing built yet').toBe(false);
    const first = await ensureWebBuild({ distDir });
    expect(first.built, 'the first call builds').toBe(true);
    const html = await readFile(join(distDir, 'index.html'), 'utf8');
    expect(html, 'index.html loads a bundled script, not a CDN').toMatch(/<script type="module" crossorigin src="\.\/assets\/index-[\w-]+\.js"><\/script>/u);
    expect(html).not.toMatch(/https?:\/\//u);
    expect(isWebBuildFresh(distDir)).toBe(true);
    expect((await ensureWebBuild({ distDir })).built, 'a fresh build is reused').toBe(false);
  }, 120_000);

  it('takes over the lock of a builder that died instead of waiting for it', async () => {
    const distDir = join(root, 'web-locked');
    await mkdir(`${distDir}.lock`, { recursive: true });
    // A pid that cannot be alive (above the kernel's pid_max).
    await writeFile(join(`${distDir}.lock`, 'pid'), '99999999');
    // Waiting for the 120 s stale-lock age instead would overrun this test's 60 s timeout.
    expect((await ensureWebBuild({ distDir })).built).toBe(true);
    expect(isWebBuildFresh(distDir)).toBe(true);
  }, 60_000);
});
