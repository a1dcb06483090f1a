/**
 * Map-style shuffling and rank partitions. Each epoch has its own seeded permutation of all N rows (4 bytes per
 * row); position p of the epoch reads row perm[p]. With W ranks and B samples per rank per step, rank r's slot j
 * of step s is position (s*B + j)*W + r. So step s of the whole job covers positions [s*W*B, (s+1)*W*B): the
 * ranks are disjoint, together complete, and the global batch of a step is the same set of rows whatever W is
 * (for the same W*B), which is what makes a 2-process run comparable with a 1-process run on the global batch.
 *
 * The tail (N mod W*B positions) cannot fill a step on every rank. `drop` (the default, like a DataLoader with
 * drop_last) leaves those positions out of the epoch: floor(N / (W*B)) steps, and since the permutation changes
 * each epoch, different rows miss out each time. `pad` runs ceil(N / (W*B)) steps and fills the last step by
 * wrapping around to the start of the permutation (some rows are seen twice that epoch).
 */
import { ConfigError } from "../../errors/config_error.js";
import { Rng, deriveSeed } from "../../util/rng.js";

export type Tail = "drop" | "pad";

export function stepsPerEpoch(size: number, world: number, batchSize: number, tail: Tail): number {
  const global = world * batchSize;
  const steps = tail === "pad" ? Math.ceil(size / global) : Math.floor(size / global);
  if (steps < 1) {
    throw new ConfigError(
      `the dataset has ${size} samples, fewer than one global batch (${world} ranks x ${batchSize}); lower the batch size`,
      "train.batch_size",
    );
  }
  return steps;
}

/** Position in the epoch of rank `rank`'s slot `slot` at step `step`. */
export function rankPosition(step: number, slot: number, rank: number, world: number, batchSize: number): number {
  return (step * batchSize + slot) * world + rank;
}

/** The rows of one epoch in order: a seeded Fisher-Yates permutation of 0..size-1. */
export class EpochOrder {
  private readonly perm: Uint32Array;

  constructor(
    readonly size: number,
    readonly seed: number,
    readonly epoch: number,
  ) {
    if (size > 0xffffffff) throw new RangeError(`map-style datasets hold at most 2^32-1 rows, got ${size}; use WebDataset shards`);
    const perm = new Uint32Array(size);
    for (let i = 0; i < size; i++) perm[i] = i;
    const rng = new Rng(deriveSeed(seed, "epoch-order", epoch));
    for (let i = size - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      const t = perm[i]!;
      perm[i] = perm[j]!;
      perm[j] = t;
    }
    this.perm = perm;
  }

  /** The row at `position`; positions past the end wrap around (the `pad` tail). */
  at(position: number): number {
    return this.perm[position % this.size]!;
  }
}
