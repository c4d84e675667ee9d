/**
 * Node side of the web UI: build it with Vite when dist/web is missing or older than its sources, so the
 * server, the demo and the browser tests never serve a stale UI. One process builds at a time (a lock
 * folder), into a temporary folder renamed into place, so nobody serves a half-written build.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mmevolveError } from '../core/index.js';

// Both resolved from the package root, so they hold from src/web (tsx) and from lib/web (the built package).
export const WEB_SOURCE_DIR = fileURLToPath(new URL('../../src/web/', import.meta.url));
export const WEB_DIST_DIR = fileURLToPath(new URL('../../dist/web', import.meta.url));
const STAMP_FILE = '.build-stamp';

function newestSourceTime(directory: string): number {
  let newest = 0;
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSourceTime(path));
    else if (!entry.name.endsWith('.test.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** True when dist/web holds a build at least as new as every file under src/web. */
export function isWebBuildFresh(distDir: string = WEB_DIST_DIR): boolean {
  const stamp = join(distDir, STAMP_FILE);
  if (!existsSync(stamp) || !existsSync(join(distDir, 'index.html'))) return false;
  return statSync(stamp).mtimeMs >= newestSourceTime(WEB_SOURCE_DIR);
}

const LOCK_STALE_MS = 120_000;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return error instanceof Error && 'code' in error && error.code === 'EPERM';
  }
}

/** A lock left by a builder that died (its pid is gone) or that has held it implausibly long. */
async function isStaleLock(lock: string): Promise<boolean> {
  const age = await stat(lock).then((info) => Date.now() - info.mtimeMs, () => 0);
  if (age > LOCK_STALE_MS) return true;
  const pid = Number(await readFile(join(lock, 'pid'), 'utf8').catch(() => ''));
  // No pid file yet: the holder is between mkdir and writing it; give it a moment.
  return Number.isInteger(pid) && pid > 0 && !isAlive(pid);
}

/** One builder at a time (tests run in parallel processes): mkdir is atomic; a dead holder's lock is taken over. */
async function withBuildLock<T>(distDir: string, work: () => Promise<T>): Promise<T> {
  const lock = `${distDir}.lock`;
  await mkdir(dirname(distDir), { recursive: true });
  for (;;) {
    try {
      await mkdir(lock);
      await writeFile(join(lock, 'pid'), String(process.pid));
      break;
    } catch (error) {
      if (!(error instanceof Error && 'code' in error && error.code === 'EEXIST')) throw error;
      if (await isStaleLock(lock)) await rm(lock, { recursive: true, force: true });
      else await new Promise((done) => setTimeout(done, 200));
    }
  }
  try {
    return await work();
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}

/** Builds the UI into dist/web unless it is fresh; returns the folder and whether a build ran. */
export async function ensureWebBuild(options: { force?: boolean; distDir?: string } = {}): Promise<{ dir: string; built: boolean }> {
  const distDir = options.distDir ?? WEB_DIST_DIR;
  if (options.force !== true && isWebBuildFresh(distDir)) return { dir: distDir, built: false };
  return withBuildLock(distDir, async () => {
    // Another process may have built it while this one waited for the lock.
    if (options.force !== true && isWebBuildFresh(distDir)) return { dir: distDir, built: false };
    return buildInto(distDir);
  });
}

async function buildInto(distDir: string): Promise<{ dir: string; built: boolean }> {
  const temporary = `${distDir}.tmp-${process.pid}-${Date.now()}`;
  try {
    const { build } = await import('vite');
    await build({ configFile: join(WEB_SOURCE_DIR, 'vite.config.ts'), build: { outDir: temporary, emptyOutDir: true }, logLevel: 'warn' });
    await writeFile(join(temporary, STAMP_FILE), `${new Date().toISOString()}\n`);
    await rm(distDir, { recursive: true, force: true });
    await rename(temporary, distDir);
    return { dir: distDir, built: true };
  } catch (cause) {
    throw mmevolveError('web-build-failed', `building the web UI into ${distDir} failed: ${cause instanceof Error ? cause.message : String(cause)}`, 'Run `npm run build:web` to see the full Vite output; `npm ci` installs vite.', cause);
  } finally {
    await rm(temporary, { recursive: true, force: true });
  }
}
