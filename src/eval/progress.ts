/**
 * Progress of an evaluation on stderr: a cli-progress bar with ETA and the running metric on a terminal,
 * plain lines ("12/60 (20%) ETA 1m05s gIoU 61.20") at about every 5% otherwise (logs, CI, pipes).
 */
import { Presets, SingleBar } from 'cli-progress';

export interface ProgressReporter {
  start(total: number, done: number, metric: string): void;
  update(done: number, metric: string): void;
  stop(): void;
}

export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

export function createProgressReporter(label: string, stream: ProgressStream = process.stderr, now: () => number = () => Date.now()): ProgressReporter {
  return stream.isTTY === true ? barReporter(label, stream) : lineReporter(label, stream, now);
}

function barReporter(label: string, stream: ProgressStream): ProgressReporter {
  const bar = new SingleBar(
    {
      format: `${label} [{bar}] {value}/{total} {percentage}% | ETA {eta_formatted} | {metric}`,
      stream: stream as NodeJS.WritableStream,
      hideCursor: true,
      etaBuffer: 20,
    },
    Presets.shades_classic,
  );
  return {
    start: (total, done, metric) => bar.start(total, done, { metric }),
    update: (done, metric) => bar.update(done, { metric }),
    stop: () => bar.stop(),
  };
}

/** Plain lines; the ETA extrapolates the rate of samples finished by this invocation. */
export function lineReporter(label: string, stream: ProgressStream, now: () => number = () => Date.now()): ProgressReporter {
  let total = 0;
  let startDone = 0;
  let startTime = 0;
  let lastPrinted = -1;
  const print = (done: number, metric: string): void => {
    const percent = total === 0 ? 100 : Math.floor((done / total) * 100);
    const ranHere = done - startDone;
    const elapsed = now() - startTime;
    const eta = ranHere > 0 && done < total ? ` ETA ${formatDuration((elapsed / ranHere) * (total - done))}` : '';
    stream.write(`${label} ${done}/${total} (${percent}%)${eta}${metric.length > 0 ? ` ${metric}` : ''}\n`);
    lastPrinted = done;
  };
  return {
    start(newTotal, done, metric) {
      total = newTotal;
      startDone = done;
      startTime = now();
      print(done, metric);
    },
    update(done, metric) {
      const step = Math.max(1, Math.round(total / 20));
      if (done === total || done - lastPrinted >= step) print(done, metric);
    },
    stop() {
      // Nothing buffered: every line was written when it was printed.
    },
  };
}

export function formatDuration(milliseconds: number): string {
  const seconds = Math.max(0, Math.round(milliseconds / 1000));
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const rest = seconds % 60;
  if (hours > 0) return `${hours}h${String(minutes).padStart(2, '0')}m`;
  if (minutes > 0) return `${minutes}m${String(rest).padStart(2, '0')}s`;
  return `${rest}s`;
}

/** A reporter that shows nothing (library use, tests). */
export const silentProgress: ProgressReporter = { start: () => undefined, update: () => undefined, stop: () => undefined };
