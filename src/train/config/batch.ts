/**
 * The batch arithmetic of a run on a given number of ranks: per-rank batch B, world size W and accumulation A
 * give the global batch G = B * W * A per optimizer step. `global_batch` fixes G and derives A (the paper's
 * 8192 is 256 x 32 GPUs x 1, or 256 x 8 GPUs x 4); setting both checks that they agree.
 */
import { ConfigError } from "../../errors/config_error.js";
import type { TrainConfig } from "./types.js";

export interface BatchPlan {
  perRank: number;
  world: number;
  accum: number;
  global: number;
}

export function resolveBatch(cfg: TrainConfig, world: number): BatchPlan {
  const B = cfg.train.batch_size;
  const G = cfg.train.global_batch;
  const A = cfg.train.grad_accum;
  if (G === null) return { perRank: B, world, accum: A ?? 1, global: B * world * (A ?? 1) };
  const perPass = B * world;
  if (A === null) {
    if (G % perPass !== 0) {
      throw new ConfigError(
        `train.global_batch ${G} is not a multiple of batch_size ${B} x ${world} ranks = ${perPass}; change one of them`,
        "train.global_batch",
      );
    }
    return { perRank: B, world, accum: G / perPass, global: G };
  }
  if (perPass * A !== G) {
    throw new ConfigError(`train.global_batch ${G} != batch_size ${B} x ${world} ranks x grad_accum ${A} = ${perPass * A}; set only one of global_batch and grad_accum`, "train.global_batch");
  }
  return { perRank: B, world, accum: A, global: G };
}
