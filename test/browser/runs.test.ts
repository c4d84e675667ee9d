import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportReasonSeg } from '../../src/sim/index.js';
import { openBrowser } from './browser.js';
import type { BrowserSession } from './browser.js';
import { startTestStack } from './stack.js';
import type { TestStack } from './stack.js';

let stack: TestStack;
let session: BrowserSession;
let datasetsDir: string;

beforeAll(async () => {
  datasetsDir = await mkdtemp(join(tmpdir(), 'mmevolve-browser-datasets-'));
  await exportReasonSeg({ n: 3, seed: 5, out: join(datasetsDir, 'synth') });
  stack = await startTestStack({ datasetsDir });
  session = await openBrowser();
}, 120_000);

afterAll(async () => {
  await session?.close();
  await stack?.close();
  if (datasetsDir !== undefined) await rm(datasetsDir, { recursive: true, force: true });
});

async function startRunThroughApi(method: string): Promise<string> {
  const response = await fetch(`${stack.url}/v1/runs`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ dataset: 'synth', method }) });
  const body = (await response.json()) as { id?: string };
  expect(response.status, JSON.stringify(body)).toBe(202);
  if (body.id === undefined) throw new Error('POST /v1/runs answered without an id');
  return body.id;
}

describe('Runs view in Chromium', () => {
  it('starts a run from the form, follows it to its report with plots, opens a sample, lists it, and compares two runs', async () => {
    const { page } = session;
    await page.goto(`${stack.url}/#/runs`);
    await expect.poll(() => page.getByTestId('runs-status').textContent(), { message: 'empty run list' }).toContain('No runs yet');
    await page.getByTestId('run-dataset').fill('synth');
    await page.getByRole('button', { name: 'Start' }).click();
    await page.waitForURL(/#\/runs\/run_[0-9a-f]+$/u);
    const firstId = decodeURIComponent(page.url().split('/').pop() ?? '');
    await page.getByTestId('run-summary').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('run-title').textContent(), 'report labelled SIMULATED').toContain('SIMULATED');
    await expect.poll(() => page.getByTestId('run-plot').count(), { message: 'the report plots are shown' }).toBe(2);
    expect(await page.getByTestId('sample-row').count(), 'one row per sample').toBe(3);
    await page.getByTestId('sample-row').first().click();
    await page.getByTestId('sample-mask').waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('sample-detail').textContent(), 'the sample shows its query and IoU').toMatch(/Query: .+IoU: \d\.\d{3}/su);
    // Image, ground truth and prediction render side by side (the two PNGs come from the sample routes).
    const loaded = (testId: string) => page.getByTestId(testId).evaluate((element) => element instanceof HTMLImageElement && element.complete && element.naturalWidth > 0);
    await expect.poll(() => loaded('sample-image'), { message: 'the dataset image rendered', timeout: 10_000 }).toBe(true);
    await expect.poll(() => loaded('sample-ground-truth'), { message: 'the ground-truth mask rendered', timeout: 10_000 }).toBe(true);
    const boxes = await Promise.all(['sample-image', 'sample-ground-truth', 'sample-mask'].map((testId) => page.getByTestId(testId).boundingBox()));
    const tops = boxes.map((box) => box?.y ?? Number.NaN);
    const lefts = boxes.map((box) => box?.x ?? Number.NaN);
    expect(Math.max(...tops) - Math.min(...tops), `the three images share a row (tops ${tops.join(', ')})`).toBeLessThan(5);
    expect(lefts[0] ?? 0, 'image left of ground truth').toBeLessThan(lefts[1] ?? 0);
    expect(lefts[1] ?? 0, 'ground truth left of prediction').toBeLessThan(lefts[2] ?? 0);
    await page.screenshot({ path: join(session.screenshotDir, 'run-report.png'), fullPage: true });

    const secondId = await startRunThroughApi('single');
    await page.goto(`${stack.url}/#/runs`);
    await page.locator(`[data-testid="run-row"][data-id="${secondId}"]`).waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('run-row').count(), 'both runs listed').toBe(2);
    await page.screenshot({ path: join(session.screenshotDir, 'run-list.png'), fullPage: true });

    await expect.poll(async () => ((await (await fetch(`${stack.url}/v1/runs/${secondId}`)).json()) as { state: string }).state, { timeout: 60_000, message: 'second run finishes' }).toBe('done');
    await page.goto(`${stack.url}/#/runs/compare/${firstId}/${secondId}`);
    await page.getByTestId('compare-samples').waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('compare-samples').locator('tbody tr').count(), 'samples paired by id').toBe(3);
    await page.screenshot({ path: join(session.screenshotDir, 'run-compare.png'), fullPage: true });
    expect(stack.serverErrors, 'no server errors').toEqual([]);
    expect(session.pageErrors, 'no errors in the page').toEqual([]);
  }, 180_000);
});
