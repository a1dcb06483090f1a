/**
 * The batching pipeline: TrainData's sample batches → decoded, augmented images and tokenised texts, `prefetch`
 * batches ahead of the trainer (bounded: at most that many batches' pixels exist besides the one in use).
 * Everything a batch holds is a function of (seed, epoch, step) and the data, so a resumed run gets exactly
 * the batches an uninterrupted one would have.
 *
 *   const loader = new TrainLoader({ data, decoder, transform, tokenizer, contextLength: 77, text, seed });
 *   for await (const b of loader.epoch({ epoch: 0, step: 0 })) { ...; b.dispose(); }
 */
import { fromHost, type Device } from "../../engine/index.js";
import type { ImageDecoder, TrainTransformSpec } from "../../image/index.js";
import { batchToHostTensor } from "../../image/index.js";
import type { DataPosition, SampleBatch, TrainData } from "../data/index.js";
import type { TextAugOptions } from "../text_aug.js";
import { decodeBatch } from "./decode_batch.js";
import { tokenizeBatch, type BatchTokenizer } from "./tokens.js";
import type { HostBatch, TrainBatch } from "./types.js";

export interface LoaderOptions {
  data: TrainData;
  /** A DecodePool (workers) or InlineDecoder; the loader does not close it. */
  decoder: ImageDecoder;
  transform: TrainTransformSpec;
  tokenizer: BatchTokenizer;
  contextLength: number;
  text: TextAugOptions;
  /** Texts per sample: 1, or K + 1 for laclip-mt (samples with fewer repeat the original). Default 1. */
  textsPerSample?: number;
  /** Seed of the crops (text draws use text.seed). */
  seed: number;
  /** Batches prepared ahead of the one the trainer holds. Default 2. */
  prefetch?: number;
  maxReplacements?: number;
  device?: Device;
  log?: (line: string) => void;
}

export class TrainLoader {
  constructor(readonly options: LoaderOptions) {
    const k = options.textsPerSample ?? 1;
    if (!(Number.isInteger(k) && k >= 1)) throw new RangeError(`textsPerSample must be a positive integer, got ${k}`);
    if (options.text.mode !== "laclip-mt" && k !== 1) throw new RangeError(`textsPerSample ${k} needs text mode laclip-mt, got ${options.text.mode}`);
  }

  /** One batch as host memory. */
  async prepare(batch: SampleBatch): Promise<HostBatch> {
    const o = this.options;
    const decoded = await decodeBatch(batch, { data: o.data, decoder: o.decoder, transform: o.transform, seed: o.seed, maxReplacements: o.maxReplacements, log: o.log });
    const texts = tokenizeBatch(decoded.samples, batch.epoch, o.text, o.textsPerSample ?? 1, o.tokenizer, o.contextLength);
    const images = batchToHostTensor(decoded.pixels, o.transform.size); // (B, 3, S, S)
    // The engine's fromHost refuses views of a SharedArrayBuffer (what pool workers write into), so the batch
    // is copied out here, off the step's critical path; the copy can go once the engine accepts shared memory.
    if (images.data.buffer instanceof SharedArrayBuffer) images.data = images.data.slice();
    return {
      epoch: batch.epoch,
      step: batch.step,
      next: batch.next,
      images,
      texts,
      indices: decoded.samples.map((s) => s.index),
      replaced: decoded.replaced,
    };
  }

  /**
   * The batches of `from.epoch` from step `from.step` up to (not including) step `end` (default: the epoch's
   * end), as tensors. The caller disposes each batch. Leaving the loop early stops the read-ahead.
   */
  async *epoch(from: DataPosition, end = this.options.data.stepsPerEpoch): AsyncGenerator<TrainBatch> {
    const source = this.options.data.batches(from);
    const ahead: Promise<HostBatch | undefined>[] = [];
    let requested = from.step;
    const depth = Math.max(1, this.options.prefetch ?? 2);
    const pull = (): Promise<HostBatch | undefined> => {
      // async generators queue next() calls, so the batches come in order even with several pulls in flight
      const p = source.next().then((r) => (r.done ? undefined : this.prepare(r.value)));
      p.catch(() => {}); // a failed read-ahead is reported when its turn comes
      return p;
    };
    try {
      for (;;) {
        while (ahead.length < depth && requested < end) {
          ahead.push(pull());
          requested += 1;
        }
        const next = ahead.shift();
        if (next === undefined) return;
        const t0 = performance.now();
        const host = await next;
        const waitSeconds = (performance.now() - t0) / 1000;
        if (host === undefined) return;
        yield this.toTensors(host, waitSeconds);
      }
    } finally {
      await Promise.allSettled(ahead);
      await source.return(undefined);
    }
  }

  toTensors(host: HostBatch, waitSeconds = 0): TrainBatch {
    const device = this.options.device;
    const images = fromHost(host.images, { device });
    const texts = fromHost(host.texts, { device });
    return {
      epoch: host.epoch,
      step: host.step,
      position: host.next,
      images,
      texts,
      indices: host.indices,
      replaced: host.replaced,
      waitSeconds,
      dispose: () => {
        images.dispose();
        texts.dispose();
      },
    };
  }
}
