/**
 * Writes refcoco-parquet/data/val-00000-of-00001.parquet: a tiny copy in the layout of the Hugging Face
 * lmms-lab/RefCOCO(+/g) parquet files (dataset card features: question_id string, image {bytes, path},
 * question string, answer list<string>, segmentation list<float32> — one flattened polygon —, bbox
 * list<float32> [x, y, w, h], iscrowd int8, file_name string; files data/<split>-NNNNN-of-NNNNN.parquet).
 * Run: npx tsx src/eval/datasets/__fixtures__/make-refcoco-parquet-fixture.ts
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { parquetWriteFile } from 'hyparquet-writer';
import sharp from 'sharp';

const here = path.join(import.meta.dirname, 'refcoco-parquet', 'data');
mkdirSync(here, { recursive: true });

async function png(width: number, height: number, seed: number): Promise<Uint8Array> {
  const data = Buffer.alloc(width * height * 3);
  for (let index = 0; index < data.length; index += 1) data[index] = (index * 37 + seed * 11) % 256;
  return new Uint8Array(await sharp(data, { raw: { width, height, channels: 3 } }).png().toBuffer());
}

const imageA = await png(8, 6, 1);
const imageB = await png(10, 10, 2);

// Two rows share image A (as RefCOCO rows of one COCO image do); row 2 is on image B.
const rows = [
  {
    question_id: '1001',
    image: { bytes: imageA, path: null },
    question: 'Please carefully observe the area circled in the image and come up with a caption for the area.',
    answer: ['left box', 'the box on the left'],
    segmentation: [1, 1, 5, 1, 5, 4, 1, 4],
    bbox: [1, 1, 4, 3],
    iscrowd: 0,
    file_name: 'COCO_train2014_000000000001.jpg',
  },
  {
    question_id: '1002',
    image: { bytes: imageA, path: null },
    question: 'Please carefully observe the area circled in the image and come up with a caption for the area.',
    answer: ['right corner'],
    segmentation: [6, 0, 8, 0, 8, 2, 6, 2],
    bbox: [6, 0, 2, 2],
    iscrowd: 0,
    file_name: 'COCO_train2014_000000000001.jpg',
  },
  {
    question_id: '2001',
    image: { bytes: imageB, path: null },
    question: 'Please carefully observe the area circled in the image and come up with a caption for the area.',
    answer: ['triangle', 'pointy thing', 'the triangle'],
    segmentation: [0, 0, 10, 0, 0, 10],
    bbox: [0, 0, 10, 10],
    iscrowd: 0,
    file_name: 'COCO_train2014_000000000002.jpg',
  },
];

const list = (name: string, element: { type: 'BYTE_ARRAY' | 'FLOAT'; converted_type?: 'UTF8' }) => [
  { name, repetition_type: 'OPTIONAL' as const, num_children: 1, converted_type: 'LIST' as const },
  { name: 'list', repetition_type: 'REPEATED' as const, num_children: 1 },
  { name: 'element', repetition_type: 'OPTIONAL' as const, ...element },
];

parquetWriteFile({
  filename: path.join(here, 'val-00000-of-00001.parquet'),
  schema: [
    { name: 'schema', num_children: 8 },
    { name: 'question_id', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
    { name: 'image', repetition_type: 'OPTIONAL', num_children: 2 },
    { name: 'bytes', type: 'BYTE_ARRAY', repetition_type: 'OPTIONAL' },
    { name: 'path', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
    { name: 'question', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
    ...list('answer', { type: 'BYTE_ARRAY', converted_type: 'UTF8' }),
    ...list('segmentation', { type: 'FLOAT' }),
    ...list('bbox', { type: 'FLOAT' }),
    { name: 'iscrowd', type: 'INT32', converted_type: 'INT_8', repetition_type: 'OPTIONAL' },
    { name: 'file_name', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
  ],
  columnData: [
    { name: 'question_id', data: rows.map((row) => row.question_id) },
    { name: 'image', data: rows.map((row) => row.image) },
    { name: 'question', data: rows.map((row) => row.question) },
    { name: 'answer', data: rows.map((row) => row.answer) },
    { name: 'segmentation', data: rows.map((row) => row.segmentation) },
    { name: 'bbox', data: rows.map((row) => row.bbox) },
    { name: 'iscrowd', data: rows.map((row) => row.iscrowd) },
    { name: 'file_name', data: rows.map((row) => row.file_name) },
  ],
});
process.stdout.write(`wrote ${rows.length} rows to ${path.join(here, 'val-00000-of-00001.parquet')}\n`);
