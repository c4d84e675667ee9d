import { access, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createMask } from '../core/index.js';
import { encodeRle } from '../vision/index.js';
import { digestCalls } from './call-digest.js';
import { writeTrainingExport } from './trainer-exports.js';
import { internvlMetaSchema, internvlMpoRowSchema, trlDpoRowSchema, trlGspoRowSchema } from './trainer-formats.js';

const root = await mkdtemp(path.join(tmpdir(), 'mmevolve-trainer-exports-'));
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const WIDTH = 200;
const HEIGHT = 100;

/** A WIDTH×HEIGHT mask with one pixel set: distinct RLEs per phrase. */
function rle(index: number) {
  const mask = createMask(WIDTH, HEIGHT);
  mask.data[index] = 1;
  return encodeRle(mask);
}

const gate = { passed: true, reason: 'confident', cached: false };

async function runFolder(name: string, imageExists = true): Promise<string> {
  const run = path.join(root, name);
  await mkdir(path.join(run, 'traces'), { recursive: true });
  const imagePath = path.join(root, `${name}-cat.jpg`);
  if (imageExists) await writeFile(imagePath, Buffer.from('not really a jpeg, copied byte for byte'));
  const trace = {
    name: 'cat',
    imagePath,
    query: 'what keeps the rain off',
    isSentence: true,
    method: 'evol',
    rle: rle(0),
    trace: {
      variant: 'evol-published',
      phrases: [
        { generation: 1, phrase: 'umbrella', rle: rle(1), gate },
        { generation: 1, phrase: 'red umbrella', rle: rle(2), gate },
      ],
      generations: [
        {
          index: 1,
          population: [
            { phrase: 'umbrella', valid: true, fitness: 8 },
            { phrase: 'red umbrella', valid: true, fitness: 12 },
          ],
          fights: [{ champion: 'umbrella', challenger: 'red umbrella', winner: 'challenger', reason: '', unparsable: false }],
        },
      ],
      arbitration: {
        textPhrase: 'red umbrella',
        textRle: rle(2),
        box: [20, 10, 120.4, 60],
        boxRle: rle(5),
        verdicts: [
          { winner: 'box', reason: '' },
          { winner: 'box', reason: '' },
        ],
        decision: 'box',
        reason: 'consistent',
      },
    },
  };
  await writeFile(path.join(run, 'traces', 'cat.json'), JSON.stringify(trace));
  const line = { kind: 'segmentation', id: 'cat', status: 'ok', query: trace.query, isSentence: true, intersection: 1, union: 1, iou: 1, area: 1, wallMs: 1, calls: digestCalls([]), counters: {}, trace: 'traces/cat.json', warnings: [] };
  await writeFile(path.join(run, 'results.jsonl'), `${JSON.stringify(line)}\n`);
  return run;
}

async function rows(file: string): Promise<unknown[]> {
  return (await readFile(file, 'utf8'))
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as unknown);
}

describe('trainer exports', () => {
  it('trl-dpo rows are TRL conversational vision preference rows (trl/data_utils.py, dpo_trainer.py), images copied beside the jsonl', async () => {
    const out = path.join(root, 'trl', 'train.jsonl');
    const written = await writeTrainingExport(await runFolder('trl'), 'trl-dpo', out);
    const parsed = (await rows(out)).map((row) => trlDpoRowSchema.parse(row));
    expect(parsed.map((row) => row.id)).toEqual(['cat:arena:g1:0', 'cat:final']);
    const [arena, final] = parsed;
    expect(arena?.prompt[0]?.content[0], 'image placeholder first, as prepare_multimodal_messages puts it').toEqual({ type: 'image' });
    expect(arena?.prompt[0]?.content[1]).toEqual({ type: 'text', text: expect.stringContaining('Query: what keeps the rain off') as unknown });
    expect(arena?.chosen).toEqual([{ role: 'assistant', content: [{ type: 'text', text: 'red umbrella' }] }]);
    expect(arena?.rejected[0]?.content[0]?.text).toBe('umbrella');
    expect(final?.chosen[0]?.content[0]?.text, 'the box in original pixels').toBe('{"bbox_2d": [20, 10, 120, 60]}');
    expect(arena?.images[0]).toMatch(/^images\/cat-[0-9a-f]{10}\.jpg$/);
    await access(path.join(path.dirname(out), arena?.images[0] ?? ''));
    expect(written.images, 'one image for both rows').toBe(1);
  });

  it('internvl-mpo rows carry question, chosen and rejected as strings and an image path under the meta root (internvl_chat_mpo.py)', async () => {
    const out = path.join(root, 'internvl', 'seg_pairs.jsonl');
    const written = await writeTrainingExport(await runFolder('internvl'), 'internvl-mpo', out);
    const parsed = (await rows(out)).map((row) => internvlMpoRowSchema.parse(row));
    const meta = internvlMetaSchema.parse(JSON.parse(await readFile(written.files.meta ?? '', 'utf8')));
    const entry = meta['seg_pairs'];
    expect(entry).toEqual({ root: path.dirname(out), annotation: out, data_augment: false, repeat_time: 1, length: 2 });
    // LazySupervisedDataset.get_image_path: os.path.join(root, image).
    for (const row of parsed) await access(path.join(entry?.root ?? '', row.image));
    expect(parsed[0]?.question.startsWith('<image>\nQuery: what keeps the rain off')).toBe(true);
    expect([parsed[0]?.chosen, parsed[0]?.rejected]).toEqual(['red umbrella', 'umbrella']);
    // 20/200·1000 = 100, 10/100·1000 = 100, 120.4/200·1000 = 602, 60/100·1000 = 600: InternVL's 0–1000 box syntax.
    expect(parsed[1]?.chosen).toBe('<box>[[100, 100, 602, 600]]</box>');
  });

  it('gspo rows are TRL prompt-only vision rows with the scored group in columns a reward function receives', async () => {
    const out = path.join(root, 'gspo', 'groups.jsonl');
    await writeTrainingExport(await runFolder('gspo'), 'gspo', out);
    const [row] = (await rows(out)).map((value) => trlGspoRowSchema.parse(value));
    expect(row?.group_phrases).toEqual(['umbrella', 'red umbrella']);
    expect(row?.group_rewards).toEqual([8, 12]);
    expect(row?.group_advantages).toEqual([-1, 1]);
    const columns = Object.keys(row ?? {});
    for (const reserved of ['prompts', 'completions', 'completion_ids', 'completion']) expect(columns, `${reserved} is the trainer's own argument`).not.toContain(reserved);
  });

  it('the schemas refuse what the trainers refuse: the old object-valued chosen, a missing image, a count mismatch', () => {
    const good = {
      id: 'x',
      prompt: [{ role: 'user', content: [{ type: 'image' }, { type: 'text', text: 'q' }] }],
      chosen: [{ role: 'assistant', content: [{ type: 'text', text: 'a' }] }],
      rejected: [{ role: 'assistant', content: [{ type: 'text', text: 'b' }] }],
      images: ['images/x.jpg'],
    };
    expect(trlDpoRowSchema.safeParse(good).success).toBe(true);
    expect(trlDpoRowSchema.safeParse({ ...good, images: ['a.jpg', 'b.jpg'] }).success, 'ValueError in prepare_multimodal_messages').toBe(false);
    expect(trlDpoRowSchema.safeParse({ ...good, chosen: { phrase: 'a', text: 'a' } }).success, 'the old dpo layout').toBe(false);
    expect(internvlMpoRowSchema.safeParse({ id: 'x', image: 'i.jpg', question: '<image>\nq', chosen: { text: 'a' }, rejected: 'b' }).success).toBe(false);
    expect(internvlMetaSchema.safeParse({ d: { root: '/r', annotation: '/r/a.json', data_augment: false, repeat_time: 1, length: 1 } }).success, 'annotation must be jsonl').toBe(false);
  });

  it('fails with the image path when a source image is gone, and leaves no output file', async () => {
    const out = path.join(root, 'missing', 'train.jsonl');
    await expect(writeTrainingExport(await runFolder('missing', false), 'trl-dpo', out)).rejects.toMatchObject({ code: 'not-found', message: expect.stringContaining('missing-cat.jpg') as unknown });
    await expect(access(out)).rejects.toThrow();
  });
});
