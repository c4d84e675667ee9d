import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBrowser } from './browser.js';
import type { BrowserSession } from './browser.js';
import { startTestStack } from './stack.js';
import type { TestStack } from './stack.js';

let stack: TestStack;
let session: BrowserSession;

beforeAll(async () => {
  stack = await startTestStack();
  session = await openBrowser();
}, 120_000);

afterAll(async () => {
  await session?.close();
  await stack?.close();
});

describe('Memory view in Chromium', () => {
  it('shows the SIMULATED banner, lists a lesson, and keeps an edit after a reload', async () => {
    const { page } = session;
    const memory = stack.memoryStore.forTenant('dev');
    const [vector] = (await stack.backends.embedder?.embedTexts(['Count overlapping shapes by their outlines.'])) ?? [];
    if (vector === undefined) throw new Error('the simulated embedder returned no vector');
    const created = await memory.insert({
      stream: 'logic',
      text: 'Count overlapping shapes by their outlines.',
      subject: 'counting',
      concepts: ['overlap'],
      source: { problemId: 'p-1', question: 'How many circles?', imageRefs: [] },
      textVector: vector,
      provenance: { kind: 'written', fromLessonIds: [], fromVersions: [], note: 'browser test' },
    });
    await page.goto(`${stack.url}/#/memory`);
    await expect.poll(() => page.getByTestId('sim-banner').isVisible(), { message: 'SIMULATED banner visible' }).toBe(true);
    const row = page.locator(`[data-testid="lesson-row"][data-id="${created.lesson.id}"]`);
    await row.waitFor({ timeout: 10_000 });
    await row.click();
    await page.getByTestId('lesson-text').fill('Count overlapping shapes by their outlines, never by fill colour.');
    await page.getByTestId('lesson-save').click();
    await page.getByTestId('lesson-versions').locator('li').nth(1).waitFor({ timeout: 10_000 });
    await page.screenshot({ path: join(session.screenshotDir, 'memory-edited.png'), fullPage: true });

    await page.reload();
    await row.waitFor({ timeout: 10_000 });
    expect(await row.textContent(), 'the edited text is listed after a reload').toContain('never by fill colour');
    expect(await row.textContent(), 'an edit is a new version').toContain('v2');
    const stored = await memory.get(created.lesson.id);
    expect(stored?.text, 'the edit reached the store').toBe('Count overlapping shapes by their outlines, never by fill colour.');
    expect(session.pageErrors, 'no errors in the page').toEqual([]);
  }, 90_000);

  it('finds a lesson by searching and deletes it for good', async () => {
    const { page } = session;
    const memory = stack.memoryStore.forTenant('dev');
    const texts = ['Read the legend before comparing bar heights.', 'Zoom in on small text before reading numbers.'];
    const vectors = (await stack.backends.embedder?.embedTexts(texts)) ?? [];
    const ids: string[] = [];
    for (const [index, text] of texts.entries()) {
      const textVector = vectors[index];
      if (textVector === undefined) throw new Error('the simulated embedder returned too few vectors');
      ids.push((await memory.insert({ stream: index === 0 ? 'logic' : 'visual', text, subject: 'charts', concepts: [], source: { problemId: `p-${index}`, question: '', imageRefs: [] }, textVector })).lesson.id);
    }
    await page.goto(`${stack.url}/#/memory`);
    await page.getByTestId('memory-search').fill('legend bar heights');
    await expect.poll(() => page.getByTestId('memory-status').textContent(), { message: 'search ran' }).toContain('found');
    const first = page.getByTestId('lesson-row').first();
    expect(await first.getAttribute('data-id'), 'the closest lesson comes first').toBe(ids[0]);
    expect(await first.textContent(), 'search results show their score').toMatch(/score -?\d\.\d{3}/u);

    page.once('dialog', (dialog) => void dialog.accept());
    await first.click();
    await page.getByTestId('lesson-delete').click();
    await expect.poll(() => page.getByTestId('lesson-detail').textContent(), { message: 'deleted' }).toContain('Deleted.');
    expect(await memory.get(ids[0] ?? ''), 'the lesson is gone from the store').toBeUndefined();
    expect(await memory.get(ids[1] ?? ''), 'the other lesson is untouched').toBeDefined();
    expect(session.pageErrors, 'no errors in the page').toEqual([]);
  }, 90_000);
});
