/**
 * The fallback path of browser.ts, run on every machine: the Chromium shipped inside @sparticuz/chromium drives
 * the real UI even where Debian's /usr/bin/chromium exists (the other browser tests then use Debian's). Run the
 * whole browser suite on it with `MMEVOLVE_BROWSER=packaged npx vitest run test/browser`.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chooseBrowser, openBrowser } from './browser.js';
import type { BrowserSession } from './browser.js';
import { startTestStack } from './stack.js';
import type { TestStack } from './stack.js';

describe('choosing the browser', () => {
  it('takes Debian’s chromium when present, the packaged one when not, and obeys the two variables', () => {
    expect(chooseBrowser({}, '/bin/sh'), 'an existing Debian path').toEqual({ kind: 'debian', path: '/bin/sh' });
    expect(chooseBrowser({}, '/nonexistent/chromium'), 'no Debian chromium').toEqual({ kind: 'packaged' });
    expect(chooseBrowser({ MMEVOLVE_BROWSER: 'packaged' }, '/bin/sh'), 'forced fallback').toEqual({ kind: 'packaged' });
    expect(chooseBrowser({ MMEVOLVE_CHROMIUM: '/opt/c' }, '/bin/sh'), 'an explicit binary').toEqual({ kind: 'custom', path: '/opt/c' });
    expect(() => chooseBrowser({ MMEVOLVE_BROWSER: 'firefox' }), 'an unknown choice').toThrow(/MMEVOLVE_BROWSER=firefox/u);
  });
});

let stack: TestStack;
let session: BrowserSession;

beforeAll(async () => {
  stack = await startTestStack();
  session = await openBrowser({ kind: 'packaged' });
}, 120_000);

afterAll(async () => {
  await session?.close();
  await stack?.close();
});

describe('the packaged Chromium (the fallback without /usr/bin/chromium)', () => {
  it('renders the Memory view with its script running and no console or server error', async () => {
    const { page } = session;
    expect(session.browser.kind, 'the session drives the packaged browser').toBe('packaged');
    expect(session.browser.executablePath, 'not Debian’s binary').not.toBe('/usr/bin/chromium');
    await page.goto(`${stack.url}/#/memory`);
    await expect.poll(() => page.getByTestId('sim-banner').isVisible(), { message: 'SIMULATED banner visible (the UI’s script ran and read /v1/models)' }).toBe(true);
    await expect.poll(() => page.getByTestId('memory-status').textContent(), { message: 'the Memory view loaded the (empty) lesson list' }).toMatch(/\S/u);
    await page.screenshot({ path: join(session.screenshotDir, 'packaged-chromium-memory.png'), fullPage: true });
    expect(session.pageErrors, 'no console errors').toEqual([]);
    expect(stack.serverErrors, 'no server errors').toEqual([]);
  }, 60_000);
});
