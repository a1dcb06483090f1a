/**
 * What a CLI command needs to run data-parallel: `--nproc N` re-runs the same command as N local workers
 * (launchFromCli), and a worker (WORLD_SIZE > 1 in its environment, set by that launcher, a Slurm script or a
 * Kubernetes job) joins the job before training (contextFromEnv).
 */
import { constants } from "node:os";
import { UsageError } from "../errors/usage_error.js";
import { initDistributedContext, type DistributedContext } from "./context.js";
import { isDistributedEnv } from "./env.js";
import { WorkerFailedError } from "./errors/worker_failed_error.js";
import { launchLocalWorkers } from "./launcher.js";

/** The value of `--nproc` (undefined: 1), checked. */
export function parseNproc(value: string | undefined): number {
  if (value === undefined) return 1;
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isInteger(n) || n < 1) throw new UsageError(`--nproc must be a positive integer, got '${value}'`, "nproc");
  return n;
}

/** `args` without `--nproc N` / `--nproc=N`, so that the workers do not launch workers of their own. */
export function withoutNproc(args: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--nproc") i++;
    else if (!args[i]!.startsWith("--nproc=")) out.push(args[i]!);
  }
  return out;
}

/**
 * Runs `laclip <command> <args minus --nproc>` as `nproc` local workers and returns the exit code: 0 when
 * every worker succeeded, 1 (after printing why to stderr) when one failed and the rest were stopped, 128 +
 * the signal number when a SIGINT/SIGTERM stopped the job (the workers stopped cleanly on it).
 */
export async function launchFromCli(command: string, args: readonly string[], nproc: number): Promise<number> {
  try {
    const r = await launchLocalWorkers({ nproc, argv: [command, ...withoutNproc(args)] });
    if (r.interrupted === undefined) return 0;
    process.stderr.write(`laclip ${command}: stopped by ${r.interrupted}\n`);
    return 128 + (constants.signals[r.interrupted] ?? 0);
  } catch (err) {
    if (!(err instanceof WorkerFailedError)) throw err;
    process.stderr.write(`laclip ${command}: ${err.message}\n`);
    return 1;
  }
}

/**
 * In a worker of a multi-process job: joins it (Gloo for the CPU, NCCL for CUDA devices) and returns the
 * trainer's context. Otherwise undefined: the command runs as one process.
 */
export function contextFromEnv(o: { device?: string; env?: NodeJS.ProcessEnv } = {}): DistributedContext | undefined {
  const env = o.env ?? process.env;
  if (!isDistributedEnv(env)) return undefined;
  return initDistributedContext({ env, backend: (o.device ?? "cpu").startsWith("cuda") ? "nccl" : "gloo" });
}

/** A worker's device: `cuda` means the GPU of its LOCAL_RANK (cuda:LOCAL_RANK); anything else stays as given. */
export function workerDevice(device: string, ctx: { localRank: number } | undefined): string {
  return device === "cuda" && ctx !== undefined ? `cuda:${ctx.localRank}` : device;
}
