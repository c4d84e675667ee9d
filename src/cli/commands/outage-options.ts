/**
 * The options both eval commands share for riding out backend outages: `--outage-window <seconds>` (how
 * long a sample is paused and retried while its backend is unreachable or failing with 5xx) and
 * `--retry-failed` (rerun the samples an earlier invocation recorded as failed, whatever the cause;
 * transport failures are rerun on resume in any case).
 */
import type { Command } from 'commander';
import { mmevolveError } from '../../core/index.js';
import { DEFAULT_OUTAGE_POLICY } from '../../eval/index.js';
import type { VqaRunOptions } from '../../eval/index.js';

export interface OutageFlags {
  outageWindow: number;
  retryFailed?: boolean;
}

function seconds(value: string): number {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < 0) throw mmevolveError('invalid-input', `--outage-window must be a number of seconds ≥ 0, got "${value}"`, 'e.g. --outage-window 300 (0 fails a sample at its first outage)');
  return parsed;
}

export function addOutageOptions(command: Command): Command {
  return command
    .option('--outage-window <seconds>', 'how long a sample is paused and retried while a backend is unreachable or answering 5xx, before it counts as failed', seconds, DEFAULT_OUTAGE_POLICY.windowMs / 1000)
    .option('--retry-failed', 'rerun samples recorded as failed by an earlier invocation (outage failures are rerun anyway)');
}

export function outageRunOptions(flags: Partial<OutageFlags>, stderr: (text: string) => void): Pick<VqaRunOptions, 'outage' | 'retryFailed' | 'onOutagePause'> {
  let lastNotice = Number.NEGATIVE_INFINITY;
  return {
    outage: { ...DEFAULT_OUTAGE_POLICY, windowMs: (flags.outageWindow ?? DEFAULT_OUTAGE_POLICY.windowMs / 1000) * 1000 },
    ...(flags.retryFailed === true ? { retryFailed: true } : {}),
    onOutagePause: (sampleId, error, delayMs) => {
      // One line per second at most: with many samples in flight every one of them pauses.
      if (performance.now() - lastNotice < 1000) return;
      lastNotice = performance.now();
      const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
      stderr(`backend outage (${reason}): pausing ${sampleId} and others for ${Math.round(delayMs)} ms, up to the ${flags.outageWindow ?? DEFAULT_OUTAGE_POLICY.windowMs / 1000} s outage window\n`);
    },
  };
}
