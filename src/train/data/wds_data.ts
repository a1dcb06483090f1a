/**
 * `TrainData` over local WebDataset shards, read sequentially.
 *
 * Order of epoch e: the shard list is shuffled from (seed, e), and rank r takes shards r, r+W, r+2W, ... of it
 * (more ranks than shards is an error). A rank streams its shards' samples through a shuffle buffer seeded from
 * (seed, e, r, pass). Every rank runs floor(N / (W*B)) steps, N being the samples counted in all shards, so all ranks
 * stop together even though their shards differ in size: a rank whose shards run out first starts another pass
 * over them (reshuffled from (seed, e, r, pass)); samples a rank does not reach are left for later epochs.
 *
 * Resuming at (epoch, step) replays the rank's stream up to step*B samples from the start of the epoch, reading
 * tar headers and the small text members but no image bytes (the buffer holds where each image is, not the
 * image), so the remaining order is exactly that of an uninterrupted run.
 *
 * An image the loader cannot decode is replaced by another sample of the same batch chosen from
 * (seed, epoch, step, slot, attempt): the batch keeps its size and the stream its position. Rare by nature
 * (damage the tar walk cannot see), and counted and logged like every other skip.
 */
import { ConfigError } from "../../errors/config_error.js";
import { LaclipError } from "../../errors/laclip_error.js";
import { Rng, deriveSeed } from "../../util/rng.js";
import { BadSamples } from "./bad_samples.js";
import type { RankSpec } from "./map_data.js";
import { TarReader } from "../../io/tar/reader.js";
import { shuffleBuffer } from "./shuffle_buffer.js";
import { countShard, shardSamples, type SampleRef } from "./wds_shard.js";
import type { WdsTextOptions } from "./wds_texts.js";
import type { DataPosition, Sample, SampleBatch, TrainData } from "./types.js";

export interface WdsDataOptions extends RankSpec {
  shards: string[];
  /** Samples held by the shuffle buffer (small records: where the image is, and the texts). Default 10000. */
  shuffleBuffer?: number;
  text?: WdsTextOptions;
  bad?: BadSamples;
  /** Shards counted at once when opening. Default 8. */
  countConcurrency?: number;
}

export class WdsData implements TrainData {
  readonly stepsPerEpoch: number;
  /** Samples that lacked each json text key, so far. */
  readonly missingTextKeys = new Map<string, number>();

  private constructor(
    private readonly options: WdsDataOptions,
    readonly shardSizes: number[],
    private readonly shardStarts: number[],
    readonly size: number,
    readonly bad: BadSamples,
  ) {
    const { world, batchSize } = options;
    this.stepsPerEpoch = Math.floor(size / (world * batchSize));
    if (this.stepsPerEpoch < 1) {
      throw new ConfigError(`the shards hold ${size} samples, fewer than one global batch (${world} ranks x ${batchSize})`, "train.batch_size");
    }
  }

  static async open(options: WdsDataOptions): Promise<WdsData> {
    const { shards, world, rank } = options;
    if (!(Number.isInteger(world) && world >= 1 && rank >= 0 && rank < world)) throw new RangeError(`rank ${rank} is not in 0..${world - 1}`);
    if (shards.length < world) {
      throw new ConfigError(`${shards.length} shards cannot feed ${world} ranks (each rank needs at least one); split the data into more shards`, "data.train");
    }
    const bad = options.bad ?? new BadSamples();
    const sizes = new Array<number>(shards.length);
    let next = 0;
    const worker = async () => {
      while (next < shards.length) {
        const i = next++;
        let counted;
        try {
          counted = await countShard(shards[i]!);
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          if (code === "ENOENT") throw new ConfigError(`shard ${shards[i]} does not exist`, "data.train", { cause: err });
          throw err;
        }
        sizes[i] = counted.count;
        if (counted.error) bad.record({ reason: "bad_shard", file: shards[i]!, message: `${counted.error.message} (counted the ${counted.count} samples before it)` });
      }
    };
    await Promise.all(Array.from({ length: Math.min(options.countConcurrency ?? 8, shards.length) }, worker));
    const starts: number[] = [];
    let total = 0;
    for (const n of sizes) {
      starts.push(total);
      total += n;
    }
    return new WdsData(options, sizes, starts, total, bad);
  }

  /** This rank's shards (indices into `shards`) in epoch `epoch`, in streaming order. */
  rankShards(epoch: number): number[] {
    const order = new Rng(deriveSeed(this.options.seed, "wds-shards", epoch)).shuffle(this.options.shards.map((_, i) => i));
    return order.filter((_, i) => i % this.options.world === this.options.rank);
  }

  async *batches(from: DataPosition): AsyncGenerator<SampleBatch> {
    const { batchSize } = this.options;
    const stream = this.rankStream(from.epoch)[Symbol.asyncIterator]();
    const take = async (): Promise<SampleRef> => {
      const r = await stream.next();
      if (r.done) throw new Error("unreachable: the rank stream is endless");
      return r.value;
    };
    try {
      for (let i = 0; i < from.step * batchSize; i++) await take();
      for (let step = from.step; step < this.stepsPerEpoch; step++) {
        const refs: SampleRef[] = [];
        for (let j = 0; j < batchSize; j++) refs.push(await take());
        const samples = await Promise.all(refs.map(loadImage));
        yield { epoch: from.epoch, step, samples, next: { epoch: from.epoch, step: step + 1 } };
      }
    } finally {
      await stream.return?.(undefined);
    }
  }

  async replace(batch: SampleBatch, slot: number, reason: string, attempt = 0): Promise<Sample> {
    const s = batch.samples[slot]!;
    const file = s.file ?? "?";
    this.bad.record({ reason, file, key: s.key, message: `${file}, key '${s.key}': ${reason}; replaced by another sample of its batch` });
    const n = batch.samples.length;
    if (n < 2) throw new LaclipError(`sample '${s.key}' is unusable (${reason}) and its batch has no other sample to stand in`);
    const j = new Rng(deriveSeed(this.options.seed, "wds-replace", batch.epoch, batch.step, slot, attempt)).int(n - 1);
    return batch.samples[j >= slot ? j + 1 : j]!;
  }

  private async *rankStream(epoch: number): AsyncGenerator<SampleRef> {
    const { seed, rank, shards } = this.options;
    const mine = this.rankShards(epoch);
    const text = { ...this.options.text, missing: this.missingTextKeys };
    const self = this;
    async function* pass(order: number[]): AsyncGenerator<SampleRef> {
      for (const s of order) yield* shardSamples(shards[s]!, self.shardStarts[s]!, text, self.bad);
    }
    for (let p = 0; ; p++) {
      const order = p === 0 ? mine : new Rng(deriveSeed(seed, "wds-pass", epoch, rank, p)).shuffle([...mine]);
      // one buffer per pass, drained at its end, so a pass never mixes with the next: no sample is seen twice
      // in an epoch before every sample of the rank's shards has been seen once
      let yielded = 0;
      for await (const ref of shuffleBuffer(pass(order), this.options.shuffleBuffer ?? 10000, new Rng(deriveSeed(seed, "wds-buffer", epoch, rank, p)))) {
        yielded++;
        yield ref;
      }
      if (yielded === 0) throw new LaclipError(`rank ${rank}: its shards (${order.map((s) => shards[s]).join(", ")}) hold no usable sample`);
    }
  }

  async close(): Promise<void> {}
}

async function loadImage(ref: SampleRef): Promise<Sample> {
  const tar = await TarReader.open(ref.shard);
  try {
    const bytes = await tar.body(ref.image);
    return { index: ref.index, key: ref.key, image: { kind: "bytes", bytes, name: ref.image.name }, texts: ref.texts, sources: ref.sources, file: ref.shard };
  } finally {
    await tar.close();
  }
}
