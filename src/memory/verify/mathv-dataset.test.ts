import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadMathVDataset } from './mathv-dataset.js';
import type { MathVRecord } from './mathv-dataset.js';
import { verifyMathVAnswer } from './verify-answer.js';

// The real MATH-V testmini lives beside the repository (../shared), never inside it.
const DATASET = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../shared/data/mathv-testmini/testmini.jsonl');
const present = existsSync(DATASET);
if (!present) console.warn(`MATH-V testmini not found at ${DATASET}: skipping the real-data verifier tests`);

const letter = (index: number): string => String.fromCharCode(65 + index);

describe.skipIf(!present)('MATH-V testmini (real data)', () => {
  let records: MathVRecord[] = [];

  it('loads all 304 records with their images resolved', async () => {
    records = await loadMathVDataset(DATASET);
    expect(records).toHaveLength(304);
    const missing = records.filter((record) => !existsSync(record.imagePath)).map((record) => record.id);
    expect(missing, 'records whose image file is missing').toEqual([]);
    expect(records.filter((record) => record.options.length > 0)).toHaveLength(190);
  });

  it('accepts the gold answer of every record, boxed', () => {
    const rejected = records.filter((record) => !verifyMathVAnswer(`So the answer is \\boxed{${record.answer}}.`, record).correct).map((record) => record.id);
    expect(rejected, 'ids whose gold answer was rejected').toEqual([]);
  });

  it('accepts the gold option text and rejects every other option text of every multiple-choice record', () => {
    const wrong: string[] = [];
    for (const record of records.filter((item) => item.options.length > 0)) {
      const goldIndex = record.answer.charCodeAt(0) - 65;
      record.options.forEach((option, index) => {
        const verdict = verifyMathVAnswer(`Therefore \\boxed{${option}}`, record);
        if (verdict.correct !== (index === goldIndex)) wrong.push(`${record.id}:${letter(index)} (${verdict.rule})`);
      });
    }
    expect(wrong, 'record:option pairs judged wrongly').toEqual([]);
  });

  it('rejects every other option letter, except where that letter is itself the gold option text', () => {
    const wrong: string[] = [];
    for (const record of records.filter((item) => item.options.length > 0)) {
      const goldIndex = record.answer.charCodeAt(0) - 65;
      record.options.forEach((_, index) => {
        // id 742: options ["A","B","C","E",…] with gold D, whose text is "E": the letter E is the gold text.
        if (index !== goldIndex && record.options[goldIndex]?.trim().toUpperCase() === letter(index)) return;
        const verdict = verifyMathVAnswer(`Checking all of them, the answer is \\boxed{${letter(index)}}`, record);
        if (verdict.correct !== (index === goldIndex)) wrong.push(`${record.id}:${letter(index)} (${verdict.rule})`);
      });
    }
    expect(wrong, 'record:letter pairs judged wrongly').toEqual([]);
  });

  it("keeps MATH-V's own verdict beside ours where they differ (id 90: options that all evaluate to -5)", () => {
    const record = records.find((item) => item.id === '90');
    expect(record).toBeDefined();
    if (record === undefined) return;
    const other = record.options.find((_, index) => index !== record.answer.charCodeAt(0) - 65) ?? '';
    const verdict = verifyMathVAnswer(`\\boxed{${other}}`, record);
    expect(verdict).toMatchObject({ correct: false, mathvCorrect: true, rule: 'other-option' });
    expect(verifyMathVAnswer(`\\boxed{${other}}`, record, { strict: true }).correct).toBe(true);
  });
});
