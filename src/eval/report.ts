/**
 * RUN/report.json + RUN/report.md + SVG plots, every number recomputed from RUN/results.jsonl (never from
 * in-memory state of the run), so a report can always be traced to the per-sample lines. Reports of
 * simulated runs say SIMULATED in their title.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { mmevolveError } from '../core/index.js';
import { readResultLines, requireManifest } from './run-store.js';
import type { RunManifest } from './run-store.js';
import { segmentationLineSchema } from './segmentation-run.js';
import type { SegmentationLine } from './segmentation-run.js';
import { summarizeSegmentation } from './segmentation-summary.js';
import type { SegmentationSummary } from './segmentation-summary.js';
import { histogramSvg, scatterSvg } from './svg-plots.js';
import { vqaLineSchema } from './vqa-lines.js';
import type { VqaLine } from './vqa-lines.js';
import { loadHiddenTags, summarizeVqa } from './vqa-summary.js';
import type { VqaSummary } from './vqa-summary.js';
import { segmentationMarkdown, vqaMarkdown } from './report-markdown.js';

export interface RunReport {
  title: string;
  simulated: boolean;
  run: RunManifest;
  summary: SegmentationSummary | VqaSummary;
  /** Plot files written beside the report (relative to the run folder). */
  plots: string[];
  warnings: string[];
}

export function reportTitle(manifest: RunManifest): string {
  const prefix = manifest.simulated ? 'SIMULATED — ' : '';
  return `${prefix}mmevolve ${manifest.command} report: ${manifest.method} on ${path.basename(manifest.dataset)}`;
}

/** One line per sample id (the last one wins); duplicates only arise from hand edits or concurrent writers. */
function latestById<Line extends { id: string }>(lines: readonly Line[], warnings: string[]): Line[] {
  const byId = new Map<string, Line>();
  for (const line of lines) byId.set(line.id, line);
  if (byId.size < lines.length) warnings.push(`results.jsonl has ${lines.length - byId.size} duplicate sample line(s); the last line of each sample is used`);
  const kept = new Set(byId.values());
  return lines.filter((line) => kept.has(line));
}

/** Load a run and recompute its summary from results.jsonl. */
export async function loadRunSummary(directory: string): Promise<{ manifest: RunManifest; summary: SegmentationSummary | VqaSummary; warnings: string[] }> {
  const manifest = await requireManifest(directory);
  if (manifest.command === 'eval') {
    const read = await readResultLines(directory, segmentationLineSchema);
    const warnings = read.warnings.map((warning) => warning.message);
    return { manifest, summary: summarizeSegmentation(latestById(read.lines, warnings)), warnings };
  }
  if (manifest.command === 'eval-vqa') {
    const read = await readResultLines(directory, vqaLineSchema);
    const tags = await loadHiddenTags(manifest.dataset);
    const warnings = read.warnings.map((warning) => warning.message);
    return { manifest, summary: summarizeVqa(latestById(read.lines, warnings), tags), warnings };
  }
  throw mmevolveError('invalid-dataset', `${directory}: unknown run command "${manifest.command}"`, 'Reports are made for runs of mmevolve eval and eval-vqa.');
}

export async function buildRunReport(directory: string): Promise<{ report: RunReport; files: Map<string, string> }> {
  const { manifest, summary, warnings } = await loadRunSummary(directory);
  return reportFiles(manifest, summary, warnings);
}

/** The report of a segmentation run from its lines wherever they are stored (a Postgres run, pg-run-store.ts). */
export function buildSegmentationReport(manifest: RunManifest, lines: readonly SegmentationLine[]): { report: RunReport; files: Map<string, string> } {
  const warnings: string[] = [];
  return reportFiles(manifest, summarizeSegmentation(latestById(lines, warnings)), warnings);
}

/** The report of a VQA run from its lines wherever they are stored (the dataset's hidden tags are read from disk). */
export async function buildVqaReport(manifest: RunManifest, lines: readonly VqaLine[]): Promise<{ report: RunReport; files: Map<string, string> }> {
  const warnings: string[] = [];
  return reportFiles(manifest, summarizeVqa(latestById(lines, warnings), await loadHiddenTags(manifest.dataset)), warnings);
}

/** Write report files (report.json, report.md, plots) into a folder. */
export async function writeReportFiles(directory: string, files: ReadonlyMap<string, string>): Promise<void> {
  for (const [name, content] of files) await writeFile(path.join(directory, name), content);
}

function reportFiles(manifest: RunManifest, summary: SegmentationSummary | VqaSummary, warnings: string[]): { report: RunReport; files: Map<string, string> } {
  const title = reportTitle(manifest);
  const files = new Map<string, string>();
  if (summary.kind === 'segmentation') {
    const suffix = manifest.simulated ? ' (SIMULATED)' : '';
    files.set(
      'iou-histogram.svg',
      histogramSvg(`Per-image IoU, ${manifest.method}, n = ${summary.n}${suffix}`, summary.iouHistogram.edges, summary.iouHistogram.counts, 'IoU'),
    );
    files.set(
      'quality-vs-calls.svg',
      scatterSvg(
        `IoU vs backend calls per sample, ${manifest.method}${suffix}`,
        summary.perSample.map((sample) => ({ x: sample.calls, y: sample.iou, series: sample.isSentence ? 'long (sentence)' : 'short', label: sample.id })),
        'backend calls',
        'IoU',
        { yRange: [0, 1] },
      ),
    );
  }
  if (summary.kind === 'vqa') {
    let correct = 0;
    const points = summary.perSample.map((sample, index) => {
      if (sample.correct) correct += 1;
      return { x: index + 1, y: correct / (index + 1), series: 'running accuracy', label: sample.id };
    });
    files.set('accuracy-over-stream.svg', scatterSvg(`Running accuracy along the stream, ${manifest.method}${manifest.simulated ? ' (SIMULATED)' : ''}`, points, 'problems solved (dataset order)', 'accuracy so far', { yRange: [0, 1] }));
  }
  const report: RunReport = { title, simulated: manifest.simulated, run: manifest, summary, plots: [...files.keys()], warnings };
  const markdown = summary.kind === 'segmentation' ? segmentationMarkdown(report, summary) : vqaMarkdown(report, summary);
  files.set('report.json', `${JSON.stringify(report, null, 2)}\n`);
  files.set('report.md', markdown);
  return { report, files };
}

/** Write report.json, report.md and the plots into the run folder; returns the report. */
export async function writeRunReport(directory: string): Promise<RunReport> {
  const { report, files } = await buildRunReport(directory);
  await writeReportFiles(directory, files);
  return report;
}
