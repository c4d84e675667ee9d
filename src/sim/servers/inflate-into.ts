/**
 * zlib inflate into a buffer the caller reuses (issue 4). node:zlib's inflateSync allocates a fresh output
 * buffer per call; for a 640×480 PNG that is 0.9 MB of new external memory per request, which made V8 run
 * a full mark-compact GC every ~20 fresh images in the simulated segmenter (its JS heap was ~25 MB).
 * Node has no public way to inflate into an existing buffer, so this drives the handle behind a
 * zlib.Inflate the way Node's own inflateSync does (lib/zlib.js processChunkSync: `_handle.writeSync`,
 * then `_writeState` = [avail_out, avail_in]). It is used only when that shape is present, and it
 * answers only in the plain case — no zlib error, all input consumed, the output not filled — else
 * undefined, and the caller inflates with inflateSync as before: results are always inflateSync's.
 */
import { constants, createInflate } from 'node:zlib';
import type { Inflate } from 'node:zlib';

/** The parts of Node's zlib handle used here (checked at run time, never assumed). */
interface ZlibHandle {
  reset(): void;
  writeSync(flush: number, input: Uint8Array, inOffset: number, inLength: number, output: Uint8Array, outOffset: number, outLength: number): void;
}

interface Engine {
  stream: Inflate;
  handle: ZlibHandle;
  /** [avail_out, avail_in] after each writeSync. */
  state: Uint32Array;
}

let engine: Engine | undefined;
/** Set once the handle's shape was missing: this Node is not the one this was written against. */
let unsupported = false;

function handleOf(stream: Inflate): Engine | undefined {
  const internals = stream as unknown as { _handle?: unknown; _writeState?: unknown };
  const handle = internals._handle;
  const state = internals._writeState;
  if (typeof handle !== 'object' || handle === null || !(state instanceof Uint32Array) || state.length < 2) return undefined;
  const { reset, writeSync } = handle as Partial<Record<keyof ZlibHandle, unknown>>;
  if (typeof reset !== 'function' || typeof writeSync !== 'function') return undefined;
  return { stream, handle: handle as ZlibHandle, state };
}

function currentEngine(): Engine | undefined {
  if (unsupported) return undefined;
  if (engine === undefined || engine.stream.destroyed) {
    const stream = createInflate();
    // A zlib error destroys the stream, which emits 'error' on the next tick. The error is not lost:
    // inflateInto then answers undefined and the caller's inflateSync meets (and throws) it itself.
    stream.on('error', () => undefined);
    engine = handleOf(stream);
    if (engine === undefined) unsupported = true;
  }
  return engine;
}

/**
 * Inflate a whole zlib stream into `output`: the number of bytes written when the stream inflated
 * without error, consumed all of `input` and left room in `output`; otherwise undefined (use inflateSync).
 */
export function inflateInto(input: Uint8Array, output: Uint8Array): number | undefined {
  const current = currentEngine();
  if (current === undefined || output.length === 0) return undefined;
  current.handle.reset();
  current.handle.writeSync(constants.Z_FINISH, input, 0, input.length, output, 0, output.length);
  if (current.stream.destroyed) {
    engine = undefined;
    return undefined;
  }
  const [availOut = 0, availIn = 1] = current.state;
  if (availIn !== 0 || availOut === 0) return undefined;
  return output.length - availOut;
}
