/**
 * The trainer's TrainContext (src/train/trainer/context.ts) over a c10d process group: what makes W processes
 * train like one process on the global batch.
 *
 * - allGatherWithGrad: features of all ranks in rank order, with the gradient path back to every rank
 *   (docs/distributed.md, "Why the gather needs a gradient");
 * - allReduceGradients: parameter gradients averaged over ranks, in 25 MB buckets;
 * - broadcastParameters: rank 0's initial weights everywhere, so that every rank starts identical even if
 *   something in initialisation differed;
 * - barrier, anyRank (a flag all-reduced at step boundaries: a stop request every rank obeys), close: through
 *   the group.
 */
import { tensor, zerosLike, type Tensor } from "../engine/index.js";
import type { TrainContext } from "../train/trainer/context.js";
import { watchLauncher } from "./launcher_watch.js";
import { DEFAULT_BUCKET_BYTES, initProcessGroup, type ProcessGroup, type ProcessGroupOptions } from "./process_group.js";

export interface DistributedContextOptions {
  /** Gradient bucket size in bytes (default 25 MiB). */
  bucketBytes?: number;
}

export class DistributedContext implements TrainContext {
  readonly rank: number;
  readonly world: number;
  readonly localRank: number;
  readonly isMain: boolean;
  readonly #bucketBytes: number;

  constructor(
    readonly group: ProcessGroup,
    o: DistributedContextOptions = {},
  ) {
    this.rank = group.rank;
    this.world = group.world;
    this.localRank = group.localRank;
    this.isMain = group.rank === 0;
    this.#bucketBytes = o.bucketBytes ?? DEFAULT_BUCKET_BYTES;
  }

  allGatherWithGrad(t: Tensor): Tensor {
    // World 1: the identity, exactly as LocalContext (no copy, no graph node).
    return this.world === 1 ? t : this.group.allGatherWithGrad(t);
  }

  allReduceGradients(params: readonly Tensor[]): void {
    // Every rank must hand over the same list: a parameter that got no gradient on this rank (unused in its
    // forward) contributes zeros rather than dropping out and shifting every bucket after it.
    const grads: Tensor[] = [];
    for (const p of params) {
      if (!p.requiresGrad) continue;
      let g = p.grad;
      if (g === undefined) {
        const z = zerosLike(p);
        p.grad = z;
        z.dispose(); // the parameter keeps its own reference to the storage
        g = p.grad!;
      }
      grads.push(g);
    }
    if (this.world > 1) this.group.allReduce(grads, { average: true, bucketBytes: this.#bucketBytes });
  }

  broadcastParameters(params: readonly Tensor[]): void {
    if (this.world > 1) this.group.broadcast(params, 0, this.#bucketBytes);
  }

  barrier(): void {
    if (this.world > 1) this.group.barrier();
  }

  anyRank(flag: boolean): boolean {
    if (this.world === 1) return flag;
    const t = tensor([flag ? 1 : 0], { dtype: "f32" });
    try {
      this.group.allReduce([t]); // the sum: > 0 when any rank raised the flag
      return t.item() > 0;
    } finally {
      t.dispose();
    }
  }

  close(): void {
    this.group.destroy();
  }
}

/**
 * Joins the job described by the torchrun variables (or `o`) and returns the trainer's context. Under
 * `launchLocalWorkers`, also exits this worker when the launcher goes away, so that no worker outlives it.
 */
export function initDistributedContext(o: ProcessGroupOptions & DistributedContextOptions = {}): DistributedContext {
  watchLauncher(o.env ?? process.env);
  return new DistributedContext(initProcessGroup(o), o);
}
