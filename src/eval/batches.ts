/**
 * The evaluation images as decoded batches, in set order, one batch decoding while the caller encodes the
 * previous one: at most two batches of pixels exist at a time, whatever the size of the set. An image that
 * cannot be decoded is dropped from its batch and reported; trouble with the decoder itself is thrown.
 */
import { DecodePoolError, ImageDecodeError, type EvalTransformSpec, type ImageDecoder } from "../image/index.js";
import { sampleName, sampleSource } from "./sample_source.js";
import type { EvalSample } from "./types.js";

export interface SkippedImage {
  path: string;
  reason: string;
}

export interface DecodedBatch {
  /** rows x (3, size, size) floats at the start of a reused buffer: read it before asking for the next batch. */
  pixels: Float32Array;
  rows: number;
  labels: Int32Array;
  skipped: SkippedImage[];
}

async function decodeInto(samples: readonly EvalSample[], spec: EvalTransformSpec, decoder: ImageDecoder, buf: Float32Array): Promise<DecodedBatch> {
  const per = 3 * spec.size * spec.size;
  const errors = await Promise.all(
    samples.map(async (s, k) => decoder.runInto({ source: await sampleSource(s), spec }, buf, k * per).then(() => undefined, (err: unknown) => err)),
  );
  const labels = new Int32Array(samples.length);
  const skipped: SkippedImage[] = [];
  let rows = 0;
  errors.forEach((err, k) => {
    if (err === undefined) {
      if (rows !== k) buf.copyWithin(rows * per, k * per, (k + 1) * per); // close the gap a bad image left
      labels[rows++] = samples[k]!.label;
    } else if (err instanceof ImageDecodeError) {
      skipped.push({ path: sampleName(samples[k]!), reason: err.reason });
    } else {
      throw err instanceof DecodePoolError ? err : new DecodePoolError(`decoding ${sampleName(samples[k]!)} failed: ${String(err)}`, { cause: err });
    }
  });
  return { pixels: buf, rows, labels: labels.subarray(0, rows), skipped };
}

export async function* decodedBatches(samples: readonly EvalSample[], spec: EvalTransformSpec, decoder: ImageDecoder, batchSize: number): AsyncGenerator<DecodedBatch> {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batch size must be a positive integer, got ${batchSize}`);
  const per = 3 * spec.size * spec.size;
  const size = Math.min(batchSize, samples.length) * per;
  // Two buffers, alternating: batch i+1 decodes into one while the caller reads batch i from the other.
  const buffers = [new Float32Array(size), new Float32Array(size)];
  const start = (i: number): Promise<DecodedBatch> => decodeInto(samples.slice(i * batchSize, (i + 1) * batchSize), spec, decoder, buffers[i % 2]!);
  const count = Math.ceil(samples.length / batchSize);
  let next: Promise<DecodedBatch> | undefined = count > 0 ? start(0) : undefined;
  try {
    for (let i = 0; i < count; i++) {
      const current = await next!;
      next = i + 1 < count ? start(i + 1) : undefined;
      yield current;
    }
  } finally {
    next?.catch(() => undefined); // abandoned early: the prefetch's outcome no longer matters
  }
}
