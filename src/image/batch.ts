/**
 * Many images into one (B, 3, size, size) float32 batch, each written into its own slot. With a pool the batch
 * lives in a SharedArrayBuffer so workers write their slots directly; without one, in an ordinary ArrayBuffer.
 */
import type { DecodeJob, ImageDecoder } from "./decoder.js";
import { InlineDecoder } from "./inline_decoder.js";
import type { ImageSource } from "./source.js";
import type { TransformSpec } from "./spec.js";

export interface BatchOptions {
  /** Decoder to use (a DecodePool for parallel decoding); an in-thread decoder when absent. */
  decoder?: ImageDecoder;
  /** Per-image crop seeds for train specs, in input order (see augmentSeed). */
  seeds?: readonly number[];
  /** Destination of B * 3 * size * size floats; allocated when absent. */
  out?: Float32Array;
}

/** Resolves to (B, 3, size, size); rejects with the first failure in input order (an ImageDecodeError naming the file). */
export async function preprocessBatch(sources: readonly ImageSource[], spec: TransformSpec, options: BatchOptions = {}): Promise<Float32Array> {
  const per = 3 * spec.size * spec.size;
  const n = sources.length;
  if (options.seeds && options.seeds.length !== n) throw new RangeError(`preprocessBatch: ${options.seeds.length} seeds for ${n} images`);
  const decoder = options.decoder ?? new InlineDecoder();
  const shared = decoder.workers > 0 && typeof SharedArrayBuffer === "function";
  const out = options.out ?? new Float32Array(shared ? new SharedArrayBuffer(n * per * 4) : new ArrayBuffer(n * per * 4));
  if (out.length !== n * per) throw new RangeError(`preprocessBatch: out holds ${out.length} floats, the batch needs ${n} x ${per}`);
  const jobs = sources.map((source, i): DecodeJob => ({ source, spec, seed: options.seeds?.[i] }));
  // All jobs are started at once: the decoder's own queue and per-worker limit pace them.
  const settled = await Promise.allSettled(jobs.map((job, i) => decoder.runInto(job, out, i * per)));
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
  if (failed) throw failed.reason;
  return out;
}
