/** Human-readable output of `mmevolve memory`: aligned tables and a lesson's full record with its versions. */
import type { Lesson, LessonVersion, ScoredLesson } from '../../core/index.js';

const TEXT_WIDTH = 72;

function clip(text: string, width: number): string {
  const flat = text.replace(/\s+/gu, ' ');
  return flat.length <= width ? flat : `${flat.slice(0, width - 1)}…`;
}

/** Left-aligned columns separated by two spaces; the last column is not padded. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: string[]): string =>
    cells.map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0))).join('  ').trimEnd();
  return [line(headers), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n');
}

export function lessonTable(lessons: readonly Lesson[]): string {
  return table(
    ['id', 'stream', 'ver', 'uses', 'subject', 'updated', 'text'],
    lessons.map((lesson) => [lesson.id, lesson.stream, String(lesson.version), String(lesson.usageCount), lesson.subject, lesson.updatedAt.slice(0, 19), clip(lesson.text, TEXT_WIDTH)]),
  );
}

export function scoredTable(hits: readonly ScoredLesson[]): string {
  return table(
    ['score', 'id', 'stream', 'subject', 'text'],
    hits.map((hit) => [hit.score.toFixed(3), hit.lesson.id, hit.lesson.stream, hit.lesson.subject, clip(hit.lesson.text, TEXT_WIDTH)]),
  );
}

function provenanceLine(version: LessonVersion): string {
  const { provenance } = version;
  const sources = provenance.fromLessonIds.map((id, index) => `${id}@v${provenance.fromVersions[index] ?? '?'}`).join(', ');
  return `${provenance.kind}${provenance.signal === undefined ? '' : ` (${provenance.signal})`}${sources === '' ? '' : ` from ${sources}`}${provenance.note === undefined ? '' : ` — ${provenance.note}`}`;
}

export function lessonDetails(lesson: Lesson, versions: readonly LessonVersion[]): string {
  const lines = [
    `id:          ${lesson.id}`,
    `tenant:      ${lesson.tenant}`,
    `stream:      ${lesson.stream}`,
    `subject:     ${lesson.subject}`,
    `concepts:    ${lesson.concepts.join(', ')}`,
    `version:     ${lesson.version} (${versions.length} kept)`,
    `uses:        ${lesson.usageCount}`,
    `created:     ${lesson.createdAt}`,
    `updated:     ${lesson.updatedAt}`,
    `embedding:   ${lesson.embeddingModel}`,
    `source:      problem ${lesson.source.problemId}${lesson.source.imageRefs.length > 0 ? `, images ${lesson.source.imageRefs.join(', ')}` : ''}`,
    `question:    ${clip(lesson.source.question, 200)}`,
    '',
    lesson.text,
    '',
    'versions:',
  ];
  for (const version of [...versions].reverse()) {
    lines.push(`  v${version.version}  ${version.createdAt.slice(0, 19)}  ${provenanceLine(version)}`);
    lines.push(`       ${clip(version.text, TEXT_WIDTH + 20)}`);
  }
  return lines.join('\n');
}
