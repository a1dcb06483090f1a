/**
 * Decodes and augments the images of one batch into one (B, 3, S, S) float32 block, each slot written in place
 * by the decoder (a SharedArrayBuffer with a worker pool). The crop of a sample is seeded by (seed, epoch,
 * sample index) alone, so it does not depend on which worker runs it or when.
 *
 * An image that cannot be decoded never stops the run: the slot gets the dataset's deterministic replacement
 * (TrainData.replace, which counts and logs the bad sample), decoded in turn, up to `maxReplacements` times.
 * A pool failure (a worker died; the image may be fine) is retried on the same sample a few times.
 */
import { LaclipError } from "../../errors/laclip_error.js";
import { augmentSeed, DecodePoolError, ImageDecodeError, type ImageDecoder, type ImageSource, type TrainTransformSpec } from "../../image/index.js";
import type { ImageRef, Sample, SampleBatch, TrainData } from "../data/index.js";

export interface DecodeBatchOptions {
  data: TrainData;
  decoder: ImageDecoder;
  transform: TrainTransformSpec;
  seed: number;
  /** Replacement draws per slot before giving up. Default 16. */
  maxReplacements?: number;
  /** One line per undecodable image, with the decoder's reason. */
  log?: (line: string) => void;
}

export interface DecodedBatch {
  pixels: Float32Array;
  /** The samples the slots finally hold (replacements included). */
  samples: Sample[];
  replaced: number;
}

const POOL_RETRIES = 3;

const sourceOf = (ref: ImageRef): ImageSource => (ref.kind === "path" ? { path: ref.path } : { bytes: ref.bytes, name: ref.name });

export async function decodeBatch(batch: SampleBatch, o: DecodeBatchOptions): Promise<DecodedBatch> {
  const per = 3 * o.transform.size * o.transform.size;
  const n = batch.samples.length;
  const shared = o.decoder.workers > 0 && typeof SharedArrayBuffer === "function";
  const pixels = new Float32Array(shared ? new SharedArrayBuffer(n * per * 4) : new ArrayBuffer(n * per * 4));
  const samples = [...batch.samples];
  let replaced = 0;

  const decodeSlot = async (slot: number): Promise<void> => {
    for (let attempt = 0; ; attempt++) {
      const sample = samples[slot]!;
      const err = await decodeWithRetries(o, sample, batch.epoch, pixels, slot * per);
      if (err === undefined) return;
      if (attempt >= (o.maxReplacements ?? 16)) {
        throw new LaclipError(
          `epoch ${batch.epoch} step ${batch.step} slot ${slot}: ${attempt + 1} images in a row could not be decoded ` +
            `(last: ${err.message}); check the image files or the image root`,
          { cause: err },
        );
      }
      o.log?.(`undecodable image ${err.file} (sample ${sample.key}): ${err.reason}`);
      // replace() logs the bad sample named by the batch's slot, so the slot must hold the one that failed
      samples[slot] = await o.data.replace({ ...batch, samples }, slot, "undecodable_image", attempt);
      replaced += 1;
    }
  };
  await Promise.all(Array.from({ length: n }, (_, slot) => decodeSlot(slot)));
  return { pixels, samples, replaced };
}

/** Undefined when the image is in place; the decode error when the image itself is bad. */
async function decodeWithRetries(o: DecodeBatchOptions, sample: Sample, epoch: number, out: Float32Array, offset: number): Promise<ImageDecodeError | undefined> {
  const job = { source: sourceOf(sample.image), spec: o.transform, seed: augmentSeed(o.seed, epoch, sample.index) };
  for (let tries = 1; ; tries++) {
    try {
      await o.decoder.runInto(job, out, offset);
      return undefined;
    } catch (err) {
      if (err instanceof ImageDecodeError) return err;
      if (err instanceof DecodePoolError && tries < POOL_RETRIES) continue;
      throw err;
    }
  }
}
