/**
 * Ctrl-C for long evaluations: the first SIGINT aborts the run's signal (in-flight samples are cancelled
 * and not written), a second one exits at once. Exit code 130 is the shell's convention for SIGINT.
 */
export const INTERRUPTED_EXIT_CODE = 130;

export interface InterruptScope {
  signal: AbortSignal;
  /** Remove the SIGINT handler (always call it, e.g. in finally). */
  dispose(): void;
}

export function interruptOnSigint(process: NodeJS.Process = globalThis.process, onFirst?: () => void): InterruptScope {
  const controller = new AbortController();
  const handler = (): void => {
    if (controller.signal.aborted) {
      process.exit(INTERRUPTED_EXIT_CODE);
    }
    onFirst?.();
    controller.abort(new Error('interrupted by SIGINT'));
  };
  process.on('SIGINT', handler);
  return { signal: controller.signal, dispose: () => process.off('SIGINT', handler) };
}

/** Combine an optional caller signal with another (either aborts the result). */
export function anySignal(signals: ReadonlyArray<AbortSignal | undefined>): AbortSignal {
  return AbortSignal.any(signals.filter((signal): signal is AbortSignal => signal !== undefined));
}

/** The message after an interrupted run: what was kept and how to continue. */
export function resumeMessage(done: number, total: number, command: string): string {
  return `interrupted: ${done} of ${total} samples are saved (in-flight samples were discarded); rerun the same command to resume:\n  ${command}\n`;
}
