/**
 * Debian's Chromium driven by playwright-core (no bundled browser download). A missing /usr/bin/chromium
 * is a failure with a clear message, never a silent skip: CI installs it in .ci/run.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { mmevolveError } from '../../src/core/index.js';
import type { BrowserContext, Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env['MMEVOLVE_CHROMIUM'] ?? '/usr/bin/chromium';

export interface BrowserSession {
  context: BrowserContext;
  page: Page;
  /** Where screenshots go (kept after the run so a person can look at them). */
  screenshotDir: string;
  /** Console errors and failed requests seen by the page. */
  pageErrors: string[];
  close(): Promise<void>;
}

export async function openBrowser(): Promise<BrowserSession> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw mmevolveError('chromium-missing', `Chromium not found at ${CHROMIUM_PATH}: the browser tests need Debian's chromium (apt-get install -y chromium)`, 'apt-get install -y chromium (as .ci/run does), or set MMEVOLVE_CHROMIUM to its path.');
  }
  const userDataDir = await mkdtemp(join(tmpdir(), 'mmevolve-chromium-'));
  const screenshotDir = await mkdtemp(join(tmpdir(), 'mmevolve-screens-'));
  // A fresh profile per session: launchPersistentContext is playwright's way to pass --user-data-dir.
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH,
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
    screenshotDir,
    pageErrors,
    async close() {
      await context.close();
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
}
