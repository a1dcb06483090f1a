/**
 * `laclip bench matmul`: GFLOP/s of an N x N product per size and dtype, one JSON line each. Compare with
 * `/usr/bin/python3 ../shared/bench/torch_clip_step.py --mode matmul --size N --dtype fp32|bf16` (same timing).
 */
import { parseArgs } from "node:util";
import { ConfigError } from "../../../errors/config_error.js";

export const summary = "GFLOP/s of square matrix products (fp32, bf16) on libtorch";

const DTYPES = { fp32: "f32", bf16: "bf16" } as const;

function ints(text: string, key: string, min = 1): number[] {
  const out = text.split(",").map((s) => Number(s.trim()));
  if (out.some((n) => !Number.isInteger(n) || n < min)) {
    throw new ConfigError(`--${key} takes integers >= ${min} separated by commas, got '${text}'`, key);
  }
  return out;
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      sizes: { type: "string", default: "256,512,1024,2048" },
      dtype: { type: "string", default: "fp32,bf16" },
      threads: { type: "string" },
      reps: { type: "string", default: "10" },
      warmup: { type: "string", default: "2" },
      json: { type: "boolean", default: true },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log("usage: laclip bench matmul [--sizes 256,512,1024,2048] [--dtype fp32,bf16] [--threads N] [--reps 10] [--json]");
    return 0;
  }
  const sizes = ints(values.sizes, "sizes");
  // Loaded after option parsing so that `--help` and bad options answer without loading libtorch.
  const { engineInfo, getNumThreads, setNumThreads } = await import("../../../engine/index.js");
  const { timeMatmul } = await import("../../../engine/bench.js");
  const dtypes = values.dtype.split(",").map((d) => d.trim());
  for (const d of dtypes) if (!(d in DTYPES)) throw new ConfigError(`--dtype takes fp32 and/or bf16, got '${d}'`, "dtype");
  if (values.threads !== undefined) setNumThreads(ints(values.threads, "threads")[0]!);
  const reps = ints(values.reps, "reps")[0]!;
  const warmup = ints(values.warmup, "warmup", 0)[0]!;
  const torch = engineInfo().torchVersion;
  for (const size of sizes) {
    for (const d of dtypes) {
      const r = timeMatmul(size, DTYPES[d as keyof typeof DTYPES], { reps, warmup });
      console.log(JSON.stringify({
        bench: "matmul", engine: "laclip", torch, mode: "matmul", dtype: d, size, threads: getNumThreads(),
        reps: r.reps, sec_per_op: Number(r.secPerOp.toPrecision(4)), gflops: r.gflops,
      }));
    }
  }
  return 0;
}
