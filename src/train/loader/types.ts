/**
 * What the loader hands the trainer. A `HostBatch` is finished host memory (decoded, augmented, tokenised),
 * made in the background; a `TrainBatch` is the same as engine tensors, made on the training thread when the
 * trainer takes it.
 */
import type { Tensor } from "../../engine/index.js";
import type { HostTensor } from "../../io/host_tensor.js";
import type { DataPosition } from "../data/index.js";

export interface HostBatch {
  epoch: number;
  /** The batch's step within its epoch. */
  step: number;
  /** The data position to checkpoint once this batch has been trained on. */
  next: DataPosition;
  /** f32 (B, 3, S, S), normalised. */
  images: HostTensor;
  /** i64 (B, L), or (T, B, L) for laclip-mt (text batch k = every sample's k-th text). */
  texts: HostTensor;
  /** Dataset index of the sample in each slot (after any replacement). */
  indices: number[];
  /** Slots whose image could not be decoded and were filled with a replacement sample. */
  replaced: number;
}

export interface TrainBatch {
  epoch: number;
  step: number;
  /** Where the data stands once this batch has been trained on. */
  position: DataPosition;
  /** (B, 3, S, S) f32. */
  images: Tensor;
  /** (B, L) i64, or (T, B, L) for laclip-mt. */
  texts: Tensor;
  indices: number[];
  replaced: number;
  /** Seconds the trainer waited for this batch (zero when prefetching kept up). */
  waitSeconds: number;
  /** Frees both tensors. */
  dispose(): void;
}
