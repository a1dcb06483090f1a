/**
 * The rendezvous environment, read exactly as torchrun and torch.distributed read it, so that whatever starts
 * PyTorch jobs (torchrun-style launchers, Slurm scripts, Kubernetes indexed jobs) starts laclip workers too:
 *
 *   RANK              this process, 0 .. WORLD_SIZE-1
 *   WORLD_SIZE        processes in the job
 *   LOCAL_RANK        this process on its machine (picks the CUDA device); default 0
 *   LOCAL_WORLD_SIZE  processes on this machine; default 1
 *   MASTER_ADDR       host of rank 0, which serves the rendezvous store; default 127.0.0.1
 *   MASTER_PORT       its TCP port; default 29500 (torch's)
 *
 * Plus laclip's own: LACLIP_DIST_TIMEOUT_MS (rendezvous and collectives), LACLIP_DIST_BARRIER_TIMEOUT_MS and
 * GLOO_SOCKET_IFNAME (as in torch: the network interface Gloo uses).
 */
import { ConfigError } from "../errors/config_error.js";

export interface DistEnv {
  rank: number;
  world: number;
  localRank: number;
  localWorld: number;
  masterAddr: string;
  masterPort: number;
}

export const DEFAULT_MASTER_PORT = 29500;
/** Rendezvous and any single collective: a live peer is never this far behind inside a step. */
export const DEFAULT_TIMEOUT_MS = 300_000;
/** Barriers: rank 0 may evaluate or write a checkpoint while the others wait. */
export const DEFAULT_BARRIER_TIMEOUT_MS = 1_800_000;

function intVar(env: NodeJS.ProcessEnv, name: string, fallback: number | undefined, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === "") {
    if (fallback === undefined) throw new ConfigError(`environment variable ${name} is not set; a distributed worker needs RANK and WORLD_SIZE (docs/distributed.md)`, name);
    return fallback;
  }
  const n = Number(raw.trim());
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(`environment variable ${name}='${raw}' must be an integer in [${min}, ${max}]`, name);
  }
  return n;
}

/** True when the environment names a multi-process job (WORLD_SIZE set and above 1). */
export function isDistributedEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  const w = env.WORLD_SIZE;
  return w !== undefined && w.trim() !== "" && Number(w) > 1;
}

/** The torchrun variables of `env`; RANK and WORLD_SIZE are required, the rest have torch's defaults. */
export function readDistEnv(env: NodeJS.ProcessEnv = process.env): DistEnv {
  const world = intVar(env, "WORLD_SIZE", undefined, 1);
  const rank = intVar(env, "RANK", undefined, 0, world - 1);
  const localWorld = intVar(env, "LOCAL_WORLD_SIZE", 1, 1);
  const localRank = intVar(env, "LOCAL_RANK", 0, 0, Math.max(localWorld - 1, 0));
  const masterAddr = (env.MASTER_ADDR ?? "").trim() || "127.0.0.1";
  const masterPort = intVar(env, "MASTER_PORT", DEFAULT_MASTER_PORT, 1, 65535);
  return { rank, world, localRank, localWorld, masterAddr, masterPort };
}

/** A timeout in ms from `name` in env, or the fallback. */
export function timeoutFromEnv(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  return intVar(env, name, fallback, 1);
}
