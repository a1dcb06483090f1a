/**
 * Which part of the input a job works on. Shard i of N owns the captions whose global index is i modulo N
 * (strided: no count of the input is needed up front, and slow regions spread over all shards); for WebDataset
 * input it owns whole tars instead, tar t for t modulo N = i, so each output tar is written by one shard.
 * `--shard i/N` wins; otherwise a Slurm array task or a Kubernetes indexed-job pod finds its shard in the
 * environment.
 */
import { join } from "node:path";
import { ConfigError } from "../../errors/config_error.js";

export interface ShardSpec {
  index: number;
  count: number;
}

export const WHOLE: ShardSpec = { index: 0, count: 1 };

export function parseShard(text: string): ShardSpec {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const spec = m ? { index: Number(m[1]), count: Number(m[2]) } : undefined;
  if (!spec || spec.count < 1 || spec.index >= spec.count) {
    throw new ConfigError(`--shard must be i/N with 0 <= i < N (e.g. 3/16), got '${text}'`, "--shard");
  }
  return spec;
}

/** The shard from the environment, with where it came from; undefined when none is set. */
export function shardFromEnv(env: NodeJS.ProcessEnv, shardCount?: number): { spec: ShardSpec; from: string } | undefined {
  const int = (name: string): number | undefined => {
    const v = env[name];
    if (v === undefined || v === "") return undefined;
    if (!/^\d+$/.test(v)) throw new ConfigError(`environment variable ${name}='${v}' is not a non-negative integer`, name);
    return Number(v);
  };
  const task = int("SLURM_ARRAY_TASK_ID");
  if (task !== undefined) {
    const count = shardCount ?? int("SLURM_ARRAY_TASK_COUNT");
    if (count === undefined) throw new ConfigError("SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not; pass --shard i/N", "--shard");
    // arrays may start at 1 (--array=1-16); shards are numbered from 0
    const index = task - (int("SLURM_ARRAY_TASK_MIN") ?? 0);
    return { spec: check({ index, count }, "SLURM_ARRAY_TASK_ID"), from: "SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT" };
  }
  const pod = int("JOB_COMPLETION_INDEX");
  if (pod !== undefined) {
    const count = shardCount ?? int("LACLIP_SHARD_COUNT");
    if (count === undefined) {
      throw new ConfigError("JOB_COMPLETION_INDEX is set but the number of shards is not; pass --shard-count N (the job's completions) or set LACLIP_SHARD_COUNT", "--shard-count");
    }
    return { spec: check({ index: pod, count }, "JOB_COMPLETION_INDEX"), from: "JOB_COMPLETION_INDEX" };
  }
  return undefined;
}

function check(spec: ShardSpec, from: string): ShardSpec {
  if (spec.count < 1 || spec.index < 0 || spec.index >= spec.count) {
    throw new ConfigError(`${from} gives shard ${spec.index} of ${spec.count}, which does not exist`, "--shard");
  }
  return spec;
}

export function ownsIndex(spec: ShardSpec, index: number): boolean {
  return index % spec.count === spec.index;
}

export function ownsTar(spec: ShardSpec, tar: number): boolean {
  return tar % spec.count === spec.index;
}

export function shardDirName(spec: ShardSpec): string {
  const pad = (n: number) => String(n).padStart(5, "0");
  return `shard-${pad(spec.index)}-of-${pad(spec.count)}`;
}

/** Where a shard writes: the output root itself for an unsharded run. */
export function shardDir(outputDir: string, spec: ShardSpec): string {
  return spec.count === 1 ? outputDir : join(outputDir, shardDirName(spec));
}
