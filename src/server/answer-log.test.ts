import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isMmevolveError } from '../core/index.js';
import { startTestPostgres } from '../memory/store/postgres/pglite-test-support.js';
import type { TestPostgres } from '../memory/store/postgres/pglite-test-support.js';
import { AnswerLog } from './answer-log.js';
import type { AnswerRetention, ProxiedAnswer } from './answer-log.js';
import { memoryAnswerRows, sqliteAnswerRows } from './answer-rows.js';
import type { AnswerRows } from './answer-rows.js';
import { openPostgresAnswerRows } from './answer-rows-postgres.js';

const answer = (id: string, text = 'x'): ProxiedAnswer => ({ id, question: 'q', images: [], answer: text, model: 'm' });
const directory = mkdtempSync(join(tmpdir(), 'mmevolve-answers-'));

afterAll(() => rmSync(directory, { recursive: true, force: true }));

async function codeOf(action: () => Promise<unknown>): Promise<string | undefined> {
  try {
    await action();
    return undefined;
  } catch (error) {
    return isMmevolveError(error) ? error.code : 'not an mmevolve error';
  }
}

describe.each(['memory', 'sqlite', 'postgres'] as const)('the answer log behind /v1/feedback (%s rows)', (kind) => {
  let postgres: TestPostgres | undefined;
  let opened = 0;
  const open: AnswerRows[] = [];
  if (kind === 'postgres') {
    beforeAll(async () => {
      postgres = await startTestPostgres();
    }, 120_000);
  }
  afterAll(async () => {
    await Promise.all(open.map((rows) => rows.close()));
    await postgres?.stop();
  });
  /** Fresh rows per test: a new file or schema each time (none shares another test's answers). */
  const freshRows = async (): Promise<{ rows: AnswerRows; reopen: () => Promise<AnswerRows> }> => {
    opened += 1;
    const path = join(directory, `answers-${opened}.db`);
    const schema = postgres?.freshSchema() ?? '';
    const connect = async (): Promise<AnswerRows> => {
      const rows = kind === 'memory' ? memoryAnswerRows() : kind === 'sqlite' ? sqliteAnswerRows(path) : await openPostgresAnswerRows({ url: postgres?.url ?? '', schema });
      open.push(rows);
      return rows;
    };
    return { rows: await connect(), reopen: connect };
  };
  const logOn = async (retention: Partial<AnswerRetention> = {}, now: () => number = Date.now): Promise<AnswerLog> => new AnswerLog(retention, now, (await freshRows()).rows);

  it('forgets an answer after ttlSeconds', async () => {
    let now = 0;
    const log = await logOn({ ttlSeconds: 10 }, () => now);
    await log.keep('t', answer('a'));
    now = 9_000;
    expect(await log.get('t', 'a'), 'still kept within the TTL').toBeDefined();
    now = 10_001;
    expect(await log.get('t', 'a'), 'gone after the TTL').toBeUndefined();
    expect(await codeOf(() => log.claim('t', 'a'))).toBe('not-found');
  });

  it('drops the oldest answers beyond the count and byte bounds, per tenant', async () => {
    const log = await logOn({ maxAnswersPerTenant: 2, maxBytesPerTenant: 100 });
    await log.keep('t', answer('a'));
    await log.keep('t', answer('b'));
    await log.keep('t', answer('c'));
    await log.keep('other', answer('a'));
    expect(await log.get('t', 'a'), 'the oldest of three went').toBeUndefined();
    expect((await log.size('t')).answers).toBe(2);
    expect(await log.get('other', 'a'), 'another tenant is bounded on its own').toBeDefined();
    await log.keep('t', answer('big', 'y'.repeat(90)));
    expect((await log.size('t')).bytes, 'bytes stay within the bound').toBeLessThanOrEqual(100);
    expect(await log.get('t', 'big')).toBeDefined();
    expect(await log.keep('t', answer('huge', 'z'.repeat(200))), 'an answer over the byte bound alone is not kept').toBe(false);
  });

  it('takes one feedback per answer, and reopens it when learning failed', async () => {
    const log = await logOn();
    await log.keep('t', answer('a'));
    expect(await codeOf(() => log.claim('u', 'a')), "another tenant's id").toBe('not-found');
    await log.claim('t', 'a');
    expect(await codeOf(() => log.claim('t', 'a')), 'while the first is being learned from').toBe('conflict');
    await log.settle('t', 'a', false);
    await log.claim('t', 'a');
    await log.settle('t', 'a', true);
    expect(await codeOf(() => log.claim('t', 'a')), 'after it was used').toBe('conflict');
  });

  it('lets an abandoned claim be taken again after staleClaimSeconds', async () => {
    let now = 0;
    const log = await logOn({ staleClaimSeconds: 60 }, () => now);
    await log.keep('t', answer('a'));
    await log.claim('t', 'a');
    now = 59_000;
    expect(await codeOf(() => log.claim('t', 'a')), 'a claim 59 s old is still held').toBe('conflict');
    now = 61_000;
    expect(await log.claim('t', 'a'), 'a claim 61 s old was abandoned (its replica stopped)').toEqual(answer('a'));
  });

  const persistenceTitle =
    kind === 'memory'
      ? 'keeps nothing across a reopen: memory rows live and die with one serve process'
      : 'finds an answer kept before a reopen (a restart of serve), with its feedback state';
  it(persistenceTitle, async () => {
    const { rows, reopen } = await freshRows();
    const before = new AnswerLog({}, Date.now, rows);
    const kept: ProxiedAnswer = { id: 'chatcmpl-1', question: 'How many?', images: ['data:image/png;base64,AAAA'], answer: '\\boxed{3}', model: 'qwen' };
    await before.keep('t', kept);
    if (kind === 'memory') {
      await before.close();
      expect(await new AnswerLog({}, Date.now, await reopen()).get('t', 'chatcmpl-1'), 'fresh memory rows start empty').toBeUndefined();
      return;
    }
    await before.keep('t', answer('used'));
    await before.claim('t', 'used');
    await before.settle('t', 'used', true);
    await before.close();
    const after = new AnswerLog({}, Date.now, await reopen());
    expect(await after.get('t', 'chatcmpl-1'), 'the answer read back whole').toEqual(kept);
    expect(await after.claim('t', 'chatcmpl-1')).toEqual(kept);
    expect(await codeOf(() => after.claim('t', 'used')), 'feedback given before the restart still counts once').toBe('conflict');
    expect(await after.get('u', 'chatcmpl-1'), "another tenant can't read it").toBeUndefined();
  });
});
