import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalPhrase, generateScene, renderScene } from '../../src/sim/index.js';
import { encodeImage } from '../../src/vision/index.js';
import { openBrowser } from './browser.js';
import type { BrowserSession } from './browser.js';
import { startTestStack } from './stack.js';
import type { TestStack } from './stack.js';

let stack: TestStack;
let session: BrowserSession;

beforeAll(async () => {
  stack = await startTestStack({ latencyMs: 25 });
  session = await openBrowser();
}, 120_000);

afterAll(async () => {
  await session?.close();
  await stack?.close();
});

describe('Segment view in Chromium', () => {
  it('uploads an image and a query, shows progress live while the search runs, then the final mask', async () => {
    const { page } = session;
    const rendered = renderScene(generateScene(11, { width: 320, height: 240 }));
    const query = canonicalPhrase(rendered.objects, 0);
    const imagePath = join(session.screenshotDir, 'scene.png');
    await writeFile(imagePath, await encodeImage(rendered.image, 'png'));

    await page.goto(`${stack.url}/#/segment`);
    await expect.poll(() => page.getByTestId('sim-banner').isVisible(), { message: 'SIMULATED banner visible' }).toBe(true);
    await page.getByTestId('image-input').setInputFiles(imagePath);
    await page.locator('[data-testid="preview"] img').waitFor();
    await page.getByTestId('query-input').fill(query);
    await page.getByTestId('method-select').selectOption('evol');
    // Record every stage line and card the page renders, in order, to see that progress arrived before the result.
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { seen: string[] }).seen = seen;
      const observer = new MutationObserver((records) => {
        for (const record of records) {
          for (const node of Array.from(record.addedNodes)) {
            if (!(node instanceof HTMLElement)) continue;
            const testId = node.getAttribute('data-testid');
            if (testId === 'segment-stage') seen.push(`stage: ${node.textContent ?? ''}`);
            for (const card of Array.from(node.querySelectorAll('[data-testid="phrase-card"]'))) seen.push(`card: ${card.querySelector('.phrase')?.textContent ?? ''}`);
            // Counted only while no final mask is in the document: thumbnails drawn from the final trace do not count.
            const thumbnail = node.matches('[data-testid="phrase-card"] canvas') || node.querySelector('[data-testid="phrase-card"] canvas') !== null;
            if (thumbnail && document.querySelector('[data-testid="final-mask"]') === null) seen.push('thumbnail');
            if (testId === 'final-mask' || node.querySelector('[data-testid="final-mask"]') !== null) seen.push('final mask');
          }
        }
      });
      observer.observe(document.body, { childList: true, subtree: true });
    });
    await page.getByTestId('segment-run').click();
    await page.getByTestId('phrase-card').first().waitFor({ timeout: 20_000 });
    await page.screenshot({ path: join(session.screenshotDir, 'segment-running.png'), fullPage: true });
    await page.getByTestId('final-mask').waitFor({ timeout: 60_000 });
    await page.screenshot({ path: join(session.screenshotDir, 'segment-done.png'), fullPage: true });

    const seen = await page.evaluate(() => (window as unknown as { seen: string[] }).seen);
    const firstCard = seen.findIndex((entry) => entry.startsWith('card: '));
    const finalMask = seen.indexOf('final mask');
    expect(firstCard, `a phrase card was rendered; seen: ${seen.slice(0, 30).join(' | ')}`).toBeGreaterThanOrEqual(0);
    expect(finalMask, 'the final mask was rendered').toBeGreaterThan(firstCard);
    const firstThumbnail = seen.indexOf('thumbnail');
    expect(firstThumbnail, `a live mask thumbnail was drawn; seen: ${seen.slice(0, 30).join(' | ')}`).toBeGreaterThanOrEqual(0);
    expect(firstThumbnail, 'a mask thumbnail appeared before the final result (from phrase-evaluated, not the trace)').toBeLessThan(finalMask);
    const runningStages = seen.slice(0, finalMask).filter((entry) => entry.startsWith('stage: running'));
    expect(runningStages.length, `several progress states before the result: ${runningStages.join(' | ')}`).toBeGreaterThanOrEqual(3);
    expect(runningStages.some((entry) => entry.includes('generation 1')), 'a generation was shown while running').toBe(true);

    expect(await page.getByTestId('segment-stage').textContent()).toContain('done');
    const summary = await page.locator('[data-testid="segment-result"] .meta').textContent();
    const pixels = Number(/(\d+) pixels/u.exec(summary ?? '')?.[1] ?? 0);
    expect(pixels, `the final mask is not empty (${summary})`).toBeGreaterThan(0);
    expect(await page.locator('[data-testid="phrase-card"] canvas').count(), 'phrase cards got mask thumbnails from the trace').toBeGreaterThan(0);
    const download = page.waitForEvent('download');
    await page.getByTestId('download-trace').click();
    expect((await download).suggestedFilename()).toBe('trace.json');
    expect(stack.serverErrors, 'no server errors').toEqual([]);
    expect(session.pageErrors, 'no errors in the page').toEqual([]);
  }, 120_000);
});
