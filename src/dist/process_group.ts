/**
 * The process group: this process's membership of a data-parallel job, over libtorch's c10d (a TCPStore on
 * rank 0 for rendezvous, Gloo for CPU tensors, NCCL for CUDA tensors where the addon was built with it).
 * One group per process, as torch.distributed's default group.
 *
 * Every collective blocks this thread until all ranks have joined it or the timeout passes; every rank must
 * call the same collectives in the same order with matching tensor lists. A failed collective (a peer died,
 * timed out) throws an EngineError and leaves the group broken: exit, and restart the job to resume.
 */
import type { Tensor } from "../engine/index.js";
import { N } from "../engine/native.js";
import { wrap } from "../engine/tensor_class.js";
import { ConfigError } from "../errors/config_error.js";
import { DEFAULT_BARRIER_TIMEOUT_MS, DEFAULT_TIMEOUT_MS, readDistEnv, timeoutFromEnv } from "./env.js";

export type Backend = "gloo" | "nccl";

/** Gradient buckets of this many bytes (DistributedDataParallel's default): few, large messages. */
export const DEFAULT_BUCKET_BYTES = 25 * 1024 * 1024;

export interface ProcessGroupOptions {
  /** Default: the torchrun variables of `env` (env.ts). */
  rank?: number;
  world?: number;
  localRank?: number;
  localWorld?: number;
  masterAddr?: string;
  masterPort?: number;
  /** 'gloo' (CPU tensors, the default) or 'nccl' (CUDA tensors; only in a CUDA build with NCCL). */
  backend?: Backend;
  /** Rendezvous and each collective; default LACLIP_DIST_TIMEOUT_MS or 5 minutes. */
  timeoutMs?: number;
  /** barrier(); default LACLIP_DIST_BARRIER_TIMEOUT_MS or 30 minutes. */
  barrierTimeoutMs?: number;
  /** Network interface for Gloo (default GLOO_SOCKET_IFNAME; unset: loopback for a local job, else the host name's address). */
  ifname?: string;
  env?: NodeJS.ProcessEnv;
}

export interface AllReduceOptions {
  /** Divide by the world size (default false: sum). */
  average?: boolean;
  bucketBytes?: number;
}

/** The backends this addon was compiled with: [] means no distributed support. */
export const distributedBackends = (): Backend[] => N.distBackends();

/** Joins the job: blocks until all `world` ranks have met at MASTER_ADDR:MASTER_PORT (or the timeout). */
export function initProcessGroup(o: ProcessGroupOptions = {}): ProcessGroup {
  const env = o.env ?? process.env;
  // Explicit rank/world win over the environment; the rest still comes from it (or torch's defaults).
  const e = readDistEnv(o.rank !== undefined && o.world !== undefined ? { ...env, RANK: String(o.rank), WORLD_SIZE: String(o.world) } : env);
  const backend = o.backend ?? "gloo";
  const have = N.distBackends();
  if (!have.includes(backend)) {
    throw new ConfigError(
      have.length === 0
        ? "this build of laclip has no distributed support (the native addon was compiled without c10d/Gloo); install libgloo-dev and rebuild with 'make setup'"
        : `backend '${backend}' is not compiled into the native addon (available: ${have.join(", ")})`,
      "backend",
    );
  }
  const timeoutMs = o.timeoutMs ?? timeoutFromEnv(env, "LACLIP_DIST_TIMEOUT_MS", DEFAULT_TIMEOUT_MS);
  const g = new ProcessGroup({
    rank: e.rank, world: e.world, backend, timeoutMs,
    localRank: o.localRank ?? e.localRank,
    localWorld: o.localWorld ?? e.localWorld,
    masterAddr: o.masterAddr ?? e.masterAddr,
    masterPort: o.masterPort ?? e.masterPort,
    barrierTimeoutMs: o.barrierTimeoutMs ?? timeoutFromEnv(env, "LACLIP_DIST_BARRIER_TIMEOUT_MS", DEFAULT_BARRIER_TIMEOUT_MS),
  });
  const ifname = o.ifname ?? ((env.GLOO_SOCKET_IFNAME ?? "").trim() || null);
  N.distInit(backend, g.rank, g.world, g.masterAddr, g.masterPort, timeoutMs, ifname, agentStorePrefix(env));
  return g;
}

/**
 * Under torchrun (`--no-python`), torch >= 2 sets TORCHELASTIC_USE_AGENT_STORE=True: its agent already serves
 * the store at MASTER_ADDR:MASTER_PORT, so rank 0 must connect to it rather than serve it. The keys then go
 * under a prefix of their own (per run and restart), clear of the agent's.
 */
function agentStorePrefix(env: NodeJS.ProcessEnv): string | null {
  if ((env.TORCHELASTIC_USE_AGENT_STORE ?? "").toLowerCase() !== "true") return null;
  return `laclip/${env.TORCHELASTIC_RUN_ID ?? "run"}/${env.TORCHELASTIC_RESTART_COUNT ?? "0"}/`;
}

interface GroupFields {
  rank: number;
  world: number;
  localRank: number;
  localWorld: number;
  masterAddr: string;
  masterPort: number;
  backend: Backend;
  timeoutMs: number;
  barrierTimeoutMs: number;
}

export class ProcessGroup {
  readonly rank: number;
  readonly world: number;
  readonly localRank: number;
  readonly localWorld: number;
  readonly masterAddr: string;
  readonly masterPort: number;
  readonly backend: Backend;
  readonly timeoutMs: number;
  readonly barrierTimeoutMs: number;
  #destroyed = false;

  /** Use initProcessGroup(). */
  constructor(f: GroupFields) {
    ({ rank: this.rank, world: this.world, localRank: this.localRank, localWorld: this.localWorld } = f);
    ({ masterAddr: this.masterAddr, masterPort: this.masterPort, backend: this.backend } = f);
    ({ timeoutMs: this.timeoutMs, barrierTimeoutMs: this.barrierTimeoutMs } = f);
  }

  /** Why the group stopped working (the first failed collective), or null while it works. */
  get broken(): string | null {
    return N.distInfo()?.broken ?? null;
  }

  /** Sums (or averages) every tensor over ranks, in place; tensors are flattened into buckets of `bucketBytes`. */
  allReduce(tensors: readonly Tensor[], o: AllReduceOptions = {}): void {
    if (tensors.length > 0) N.distAllreduce(tensors.map((t) => t.h), o.average ?? false, o.bucketBytes ?? DEFAULT_BUCKET_BYTES);
  }

  /** Every rank's tensors take `root`'s values, in place. */
  broadcast(tensors: readonly Tensor[], root = 0, bucketBytes = DEFAULT_BUCKET_BYTES): void {
    if (tensors.length > 0) N.distBroadcast(tensors.map((t) => t.h), root, bucketBytes);
  }

  /** (B_r, ...) → (sum of B_r, ...), rank order; no gradient. Ranks may differ in B_r only. */
  allGather(t: Tensor): Tensor {
    return wrap(N.distAllgather(t.h));
  }

  /** As allGather, differentiable: backward sums the gradient over ranks and keeps this rank's rows. */
  allGatherWithGrad(t: Tensor): Tensor {
    return wrap(N.distAllgatherWithGrad(t.h));
  }

  /** (W * B, ...) → (B, ...): chunk `rank` of the sum (or mean) over ranks. */
  reduceScatter(t: Tensor, o: { average?: boolean } = {}): Tensor {
    return wrap(N.distReduceScatter(t.h, o.average ?? false));
  }

  /** Returns once every rank has called it (through the rendezvous store, with barrierTimeoutMs). */
  barrier(timeoutMs = this.barrierTimeoutMs): void {
    N.distBarrier(timeoutMs);
  }

  /** Leaves the group (rank 0 waits briefly for the others to leave too). Idempotent. */
  destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    N.distDestroy();
  }
}
