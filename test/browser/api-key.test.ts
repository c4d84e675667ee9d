import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBrowser } from './browser.js';
import type { BrowserSession } from './browser.js';
import { startTestStack } from './stack.js';
import type { TestStack } from './stack.js';

let stack: TestStack;
let session: BrowserSession;

beforeAll(async () => {
  stack = await startTestStack({ dev: false });
  session = await openBrowser();
}, 120_000);

afterAll(async () => {
  await session?.close();
  await stack?.close();
});

describe('the UI on a server that needs API keys', () => {
  it('shows the 401 with its hint, then the key tenant’s lessons (and only theirs) once a key is entered', async () => {
    const { page } = session;
    const [alphaVector, betaVector] = (await stack.backends.embedder?.embedTexts(['alpha lesson', 'beta lesson'])) ?? [];
    if (alphaVector === undefined || betaVector === undefined) throw new Error('the simulated embedder returned too few vectors');
    const source = { problemId: 'p', question: '', imageRefs: [] };
    await stack.memoryStore.forTenant('alpha').insert({ stream: 'logic', text: 'Alpha tenant lesson.', subject: '', concepts: [], source, textVector: alphaVector });
    await stack.memoryStore.forTenant('beta').insert({ stream: 'logic', text: 'Beta tenant lesson.', subject: '', concepts: [], source, textVector: betaVector });
    const key = (await stack.keyStore.create('alpha', ['read', 'write'])).key;

    await page.goto(`${stack.url}/#/memory`);
    await expect.poll(() => page.getByTestId('memory-status').textContent(), { message: 'a keyless request is refused with the hint' }).toContain('mmevolve keys create');
    await page.screenshot({ path: join(session.screenshotDir, 'memory-no-key.png'), fullPage: true });

    await page.getByTestId('api-key').fill(key);
    await page.getByTestId('api-key').press('Enter');
    await page.getByTestId('api-key').blur();
    await page.getByTestId('lesson-row').first().waitFor({ timeout: 10_000 });
    const rows = await page.getByTestId('lesson-row').allTextContents();
    expect(rows, 'only tenant alpha’s lesson').toHaveLength(1);
    expect(rows[0]).toContain('Alpha tenant lesson.');
    await expect.poll(() => page.getByTestId('sim-banner').isVisible(), { message: 'SIMULATED banner once the key can read the model list' }).toBe(true);

    await page.reload();
    await page.getByTestId('lesson-row').first().waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('lesson-row').allTextContents(), 'the key is remembered across a reload').toHaveLength(1);
    expect(stack.serverErrors, 'no server errors').toEqual([]);
  }, 90_000);
});
