/** The options the peer-compared CLIP benchmarks share (train-step, embed): parsed and checked once. */
import { ConfigError } from "../../../errors/config_error.js";

export function int(v: string, key: string, min: number): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new ConfigError(`--${key} must be an integer >= ${min}, got '${v}'`, key);
  return n;
}

export const round = (x: number, digits: number): number => Number(x.toFixed(digits));

/** dtype, batch, steps, warmup and threads from parsed option strings; --peer only with the peer's configs. */
export function peerBenchOptions(v: { config: string; dtype: string; batch: string; steps: string; warmup: string; threads: string; peer: boolean }) {
  const dtype = v.dtype;
  if (dtype !== "fp32" && dtype !== "bf16") throw new ConfigError(`--dtype must be fp32 or bf16, got '${dtype}'`, "dtype");
  if (v.peer && v.config !== "bench-s" && v.config !== "vit-b16") throw new ConfigError(`--peer knows only the peer's configs bench-s and vit-b16, not '${v.config}'`, "peer");
  return { dtype: dtype as "fp32" | "bf16", batch: int(v.batch, "batch", 1), steps: int(v.steps, "steps", 1), warmup: int(v.warmup, "warmup", 0), threads: int(v.threads, "threads", 1) };
}
