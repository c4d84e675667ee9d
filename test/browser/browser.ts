/**
 * A headless Chromium driven by playwright-core, with nothing to install by hand: Debian's /usr/bin/chromium
 * when the machine has it, else the Chromium that the @sparticuz/chromium npm package ships inside itself
 * (a devDependency, so `npm ci` brings it). MMEVOLVE_BROWSER=packaged forces the packaged one (the fallback
 * path, tested in packaged-browser.test.ts); MMEVOLVE_CHROMIUM=/path picks any other binary.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { mmevolveError } from '../../src/core/index.js';
import type { BrowserContext, Page } from 'playwright-core';

export const DEBIAN_CHROMIUM = '/usr/bin/chromium';

export type BrowserChoice = { kind: 'debian' | 'custom'; path: string } | { kind: 'packaged' };

/** Which browser the tests drive, from the environment: see the file comment. */
export function chooseBrowser(env: NodeJS.ProcessEnv = process.env, debianPath = DEBIAN_CHROMIUM): BrowserChoice {
  const custom = env['MMEVOLVE_CHROMIUM'];
  const forced = env['MMEVOLVE_BROWSER'];
  if (forced !== undefined && forced !== '' && forced !== 'packaged' && forced !== 'debian') {
    throw mmevolveError('bad-browser-choice', `MMEVOLVE_BROWSER=${forced} is not a browser choice`, 'Use MMEVOLVE_BROWSER=packaged (the npm-shipped Chromium) or debian, or unset it.');
  }
  if (custom !== undefined && custom !== '') return { kind: 'custom', path: custom };
  if (forced === 'packaged') return { kind: 'packaged' };
  if (forced === 'debian' || existsSync(debianPath)) return { kind: 'debian', path: debianPath };
  return { kind: 'packaged' };
}

/**
 * The packaged Chromium's path. The package unpacks its brotli-compressed binary into the temp folder on first
 * use, non-atomically and without a lock, and returns an existing file as is; so the first unpacking is done
 * under a folder lock shared by every test worker (and every concurrent test run) on the machine.
 */
export async function packagedChromiumPath(): Promise<string> {
  const { default: packaged } = await import('@sparticuz/chromium');
  const lock = join(tmpdir(), 'mmevolve-packaged-chromium.lock');
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      await mkdir(lock);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      // A lock older than the unpacking could ever take was left by a killed run.
      const age = Date.now() - (await stat(lock).catch(() => ({ mtimeMs: Date.now() }))).mtimeMs;
      if (age > 300_000) await rm(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw mmevolveError('chromium-lock', `waited 3 minutes for ${lock}`, `Another test run is unpacking the packaged Chromium; if none is, delete ${lock}.`);
      await new Promise((done) => setTimeout(done, 250));
    }
  }
  try {
    return await packaged.executablePath();
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}

async function executablePathFor(choice: BrowserChoice): Promise<string> {
  if (choice.kind === 'packaged') return packagedChromiumPath();
  if (!existsSync(choice.path)) {
    throw mmevolveError('chromium-missing', `Chromium not found at ${choice.path}`, 'Unset MMEVOLVE_CHROMIUM / MMEVOLVE_BROWSER to use Debian’s chromium when present, else the one @sparticuz/chromium ships (npm ci installs it).');
  }
  return choice.path;
}

export interface BrowserSession {
  context: BrowserContext;
  page: Page;
  /** Which browser this session drives ('debian', 'packaged' or 'custom') and its binary. */
  browser: { kind: BrowserChoice['kind']; executablePath: string };
  /** Where screenshots go (kept after the run so a person can look at them). */
  screenshotDir: string;
  /** Console errors and failed requests seen by the page. */
  pageErrors: string[];
  close(): Promise<void>;
}

export async function openBrowser(choice: BrowserChoice = chooseBrowser()): Promise<BrowserSession> {
  const executablePath = await executablePathFor(choice);
  const userDataDir = await mkdtemp(join(tmpdir(), 'mmevolve-chromium-'));
  const screenshotDir = await mkdtemp(join(tmpdir(), 'mmevolve-screens-'));
  // A fresh profile per session: launchPersistentContext is playwright's way to pass --user-data-dir. As root
  // Chromium needs --no-sandbox; the background-networking flags keep it off every non-loopback address.
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 900 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') pageErrors.push(`console: ${message.text()}`);
  });
  return {
    context,
    page,
    browser: { kind: choice.kind, executablePath },
    screenshotDir,
    pageErrors,
    async close() {
      await context.close();
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
}
