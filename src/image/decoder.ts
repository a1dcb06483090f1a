/**
 * The contract shared by the in-thread decoder and the worker pool, so a loader can switch between them with a
 * number (`workers: 0` or more) and nothing else.
 */
import type { ImageDecodeError } from "./image_decode_error.js";
import type { DecodePoolError } from "./decode_pool_error.js";
import type { ImageSource } from "./source.js";
import type { TransformSpec } from "./spec.js";

export interface DecodeJob {
  source: ImageSource;
  spec: TransformSpec;
  /** Seed of the random crop for train specs (augmentSeed(seed, epoch, index)); ignored by eval specs. */
  seed?: number;
}

/** One job's outcome: (3, size, size) float32 or the reason it failed; bad images never throw out of `imap`. */
export type DecodeResult =
  | { index: number; ok: true; data: Float32Array }
  | { index: number; ok: false; error: ImageDecodeError | DecodePoolError };

export interface ImageDecoder {
  /** Threads decoding at once (0 for the in-thread decoder). */
  readonly workers: number;
  /** Decodes one image; rejects with ImageDecodeError (bad image) or DecodePoolError (pool trouble). */
  run(job: DecodeJob): Promise<Float32Array>;
  /** Like `run`, but resolves to a result instead of rejecting. */
  settle(job: DecodeJob, index?: number): Promise<DecodeResult>;
  /** Writes one image at out[offset...] instead of allocating (a batch slot). */
  runInto(job: DecodeJob, out: Float32Array, offset: number): Promise<void>;
  /**
   * Results in job order with at most `window` jobs in flight; jobs are pulled from the source only when there
   * is room, which is the backpressure: a slow consumer stops the reading of new inputs.
   */
  imap(jobs: Iterable<DecodeJob> | AsyncIterable<DecodeJob>, window?: number): AsyncGenerator<DecodeResult>;
  /** Finishes the jobs in flight, refuses the rest, stops the threads. Idempotent. */
  close(): Promise<void>;
}
