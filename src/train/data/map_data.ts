/**
 * `TrainData` over a random-access source (CSV, JSONL): fixed-size batches from the seeded epoch order of
 * partition.ts. A row that cannot be used is counted, logged and replaced by a seeded random row chosen from
 * (seed, epoch, position, attempt) alone, so every batch keeps its size and a resumed run makes the same choice.
 */
import { LaclipError } from "../../errors/laclip_error.js";
import { Rng, deriveSeed } from "../../util/rng.js";
import { BadSamples } from "./bad_samples.js";
import type { IndexedSource } from "./indexed_source.js";
import { EpochOrder, rankPosition, stepsPerEpoch, type Tail } from "./partition.js";
import { SampleError } from "./sample_error.js";
import type { DataPosition, Sample, SampleBatch, TrainData } from "./types.js";

export interface RankSpec {
  rank: number;
  world: number;
  /** Samples per rank per step. */
  batchSize: number;
  seed: number;
}

export interface MapDataOptions extends RankSpec {
  tail?: Tail;
  bad?: BadSamples;
  /** Replacement draws for one slot before giving up (a dataset that is mostly broken). Default 32. */
  maxAttempts?: number;
  /** Batches read ahead of the one being consumed. Default 1. */
  prefetch?: number;
}

export class MapStyleData implements TrainData {
  readonly stepsPerEpoch: number;
  readonly bad: BadSamples;
  private order: EpochOrder | undefined;

  constructor(
    readonly source: IndexedSource,
    private readonly options: MapDataOptions,
  ) {
    const { rank, world } = options;
    if (!(Number.isInteger(world) && world >= 1 && Number.isInteger(rank) && rank >= 0 && rank < world)) {
      throw new RangeError(`rank ${rank} is not in 0..${world - 1}`);
    }
    this.stepsPerEpoch = stepsPerEpoch(source.size, world, options.batchSize, options.tail ?? "drop");
    this.bad = options.bad ?? new BadSamples();
  }

  get size(): number {
    return this.source.size;
  }

  async *batches(from: DataPosition): AsyncGenerator<SampleBatch> {
    const ahead: Promise<SampleBatch>[] = [];
    const depth = 1 + (this.options.prefetch ?? 1);
    let next = from.step;
    for (;;) {
      while (ahead.length < depth && next < this.stepsPerEpoch) {
        const p = this.batchAt(from.epoch, next++);
        p.catch(() => {}); // a read-ahead that fails is reported when its turn comes, or dropped with the generator
        ahead.push(p);
      }
      const batch = ahead.shift();
      if (!batch) return;
      yield await batch;
    }
  }

  /** The batch of `step` in `epoch` on this rank, read from scratch. */
  async batchAt(epoch: number, step: number): Promise<SampleBatch> {
    const { rank, world, batchSize } = this.options;
    const order = this.orderOf(epoch);
    const samples = await Promise.all(
      Array.from({ length: batchSize }, (_, j) => this.sampleAt(order, rankPosition(step, j, rank, world, batchSize))),
    );
    return { epoch, step, samples, next: { epoch, step: step + 1 } };
  }

  async replace(batch: SampleBatch, slot: number, reason: string, attempt = 0): Promise<Sample> {
    const s = batch.samples[slot]!;
    const file = this.source.file;
    this.bad.record({ reason, file, row: s.index, key: s.key, message: `${file}, row ${s.index}, key '${s.key}': ${reason}; replaced` });
    const { rank, world, batchSize } = this.options;
    const position = rankPosition(batch.step, slot, rank, world, batchSize);
    return this.substitute(batch.epoch, position, `replace${attempt}`);
  }

  private orderOf(epoch: number): EpochOrder {
    if (this.order?.epoch !== epoch) this.order = new EpochOrder(this.source.size, this.options.seed, epoch);
    return this.order;
  }

  private async sampleAt(order: EpochOrder, position: number): Promise<Sample> {
    try {
      return await this.source.read(order.at(position));
    } catch (err) {
      if (!(err instanceof SampleError)) throw err;
      this.bad.recordError(err);
      return this.substitute(order.epoch, position, "read");
    }
  }

  private async substitute(epoch: number, position: number, why: string): Promise<Sample> {
    const attempts = this.options.maxAttempts ?? 32;
    const rng = new Rng(deriveSeed(this.options.seed, "substitute", why, epoch, position));
    for (let a = 0; a < attempts; a++) {
      try {
        return await this.source.read(rng.int(this.source.size));
      } catch (err) {
        if (!(err instanceof SampleError)) throw err;
        this.bad.recordError(err);
      }
    }
    throw new LaclipError(
      `${this.source.file}: ${attempts} random rows in a row were unusable (see the skipped-sample lines and counts ` +
        `${JSON.stringify(this.bad.counts())}); fix the data or the image root before training`,
    );
  }

  async close(): Promise<void> {
    await this.source.close();
  }
}
