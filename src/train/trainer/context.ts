/**
 * The seam between the training loop and data parallelism. The loop only ever talks to a `TrainContext`;
 * `LocalContext` is the one-process version (world 1, every collective the identity). A c10d (Gloo/NCCL)
 * context drops in behind the same interface without touching the loop (docs/train.md, "Distributed seam").
 *
 * The contract that makes W processes give the same losses and weights as one process on the global batch:
 * - every rank computes the SAME loss, over features all-gathered from all ranks (rank-major rows);
 * - `allGatherWithGrad` backward SUMS the incoming feature gradients over ranks and keeps the local slice;
 *   each rank then holds W times its share of the global gradient ...
 * - ... and `allReduceGradients` AVERAGES parameter gradients over ranks, which divides that W back out.
 * That is what SLIP/LaCLIP's GatherLayer + DistributedDataParallel do.
 */
import type { Tensor } from "../../engine/index.js";

export interface TrainContext {
  /** This process's rank, 0 .. world-1 (torchrun's RANK). */
  readonly rank: number;
  /** Processes in the job (WORLD_SIZE). */
  readonly world: number;
  /** Rank on this machine (LOCAL_RANK): picks the CUDA device; 0 on the CPU. */
  readonly localRank: number;
  /** Rank 0: the one that writes checkpoints, metrics and TensorBoard files and prints progress. */
  readonly isMain: boolean;
  /**
   * (B, ...) local rows → (world * B, ...), rank r's rows at [r * B, (r + 1) * B). Differentiable: its backward
   * all-reduces (sums) the gradient of the gathered tensor over ranks and returns the local slice. Every rank
   * must call it the same number of times, in the same order, with the same shapes. Called inside tidy():
   * the result may be `t` itself (world 1) or a new tensor owned by the enclosing scope.
   */
  allGatherWithGrad(t: Tensor): Tensor;
  /** Averages every parameter's `.grad` over ranks, in place (missing grads count as zero on that rank). */
  allReduceGradients(params: readonly Tensor[]): void | Promise<void>;
  /** Copies rank 0's values into every rank's tensors, in place (at the start of a fresh run). */
  broadcastParameters(params: readonly Tensor[]): void | Promise<void>;
  /** Returns when every rank has reached it (around checkpoint writes and at the end). */
  barrier(): void | Promise<void>;
  /** True on every rank when `flag` is true on any rank (a stop request agreed at a step boundary). */
  anyRank(flag: boolean): boolean | Promise<boolean>;
  /** Leaves the process group. Idempotent. */
  close(): void | Promise<void>;
}

/** One process, no communication: gathering returns its input, reductions and barriers do nothing. */
export class LocalContext implements TrainContext {
  readonly rank = 0;
  readonly world = 1;
  readonly localRank = 0;
  readonly isMain = true;

  allGatherWithGrad(t: Tensor): Tensor {
    return t;
  }

  allReduceGradients(): void {}

  broadcastParameters(): void {}

  barrier(): void {}

  anyRank(flag: boolean): boolean {
    return flag;
  }

  close(): void {}
}
