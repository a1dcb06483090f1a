import type { BadSamples } from "./bad_samples.js";

/**
 * The shapes the training data pipeline passes around. A dataset yields `Sample`s; the loader turns a
 * `SampleBatch` into tensors (decode, augment, tokenise) and checkpoints the `DataPosition` it reached.
 */

/** Where a sample's image is: a file to read (CSV/JSONL) or the bytes already read from a tar member (WDS). */
export type ImageRef =
  | { kind: "path"; path: string }
  | { kind: "bytes"; bytes: Buffer; /** the member name, e.g. `000000123.jpg`, for log lines and the format */ name: string };

export interface Sample {
  /** Stable 0-based id of the sample in the whole dataset (CSV/JSONL row, or WDS shard start + ordinal). */
  index: number;
  /** Human-readable key for log lines: the image path of the row, the JSONL id, or the WDS key. */
  key: string;
  image: ImageRef;
  /** The original caption first, then the rewrites in the dataset's fixed source order. */
  texts: string[];
  /** The source of each text, parallel to `texts`: `original` first, then the rewrite source names. */
  sources: string[];
  /** The file the sample came from (the CSV/JSONL file, or the tar shard), for log lines. */
  file?: string;
}

/**
 * Where training stands in the data: `step` batches of `epoch` have been consumed by every rank. Restarting at
 * the same position gives exactly the same remaining batches (for the same data, seed, world size and batch).
 */
export interface DataPosition {
  epoch: number;
  step: number;
}

export interface SampleBatch {
  epoch: number;
  step: number;
  samples: Sample[];
  /** The position to checkpoint once this batch has been trained on: `{epoch, step: step + 1}`. */
  next: DataPosition;
}

/** One rank's view of a training set: fixed-size batches per step, the same number of steps on every rank. */
export interface TrainData {
  /** Skipped samples by reason, counted as they are met. */
  readonly bad: BadSamples;
  /** Samples in the dataset (all ranks together, bad ones included). */
  readonly size: number;
  /** Batches per epoch on every rank. */
  readonly stepsPerEpoch: number;
  /** The batches of `from.epoch`, starting at `from.step`, in the order a fresh run would give them. */
  batches(from: DataPosition): AsyncGenerator<SampleBatch>;
  /**
   * A deterministic stand-in for a sample the loader found unusable (an undecodable image): depends only on
   * the batch position and `attempt`, so a resumed run makes the same choice. Counts and logs the bad sample.
   */
  replace(batch: SampleBatch, slot: number, reason: string, attempt?: number): Promise<Sample>;
  close(): Promise<void>;
}
