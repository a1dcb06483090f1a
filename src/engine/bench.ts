/**
 * Matrix-product throughput, timed the way ../shared/bench/torch_clip_step.py --mode matmul times PyTorch:
 * two seeded N x N randn operands, warmup + 1 untimed products, then the mean over >= 10 timed products.
 */
import { performance } from "node:perf_hooks";
import type { DType } from "./dtype.js";
import { manualSeed, randn } from "./random.js";

export interface MatmulTiming {
  size: number;
  dtype: DType;
  reps: number;
  secPerOp: number;
  gflops: number;
}

export function timeMatmul(size: number, dtype: DType, o: { warmup?: number; reps?: number } = {}): MatmulTiming {
  manualSeed(0);
  const x = randn([size, size], { dtype });
  const y = randn([size, size], { dtype });
  try {
    for (let i = 0; i < (o.warmup ?? 2) + 1; i++) x.matmul(y).dispose();
    const reps = Math.max(o.reps ?? 10, 10);
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) x.matmul(y).dispose();
    const secPerOp = (performance.now() - t0) / 1000 / reps;
    return { size, dtype, reps, secPerOp, gflops: Math.round((2 * size ** 3) / secPerOp / 1e8) / 10 };
  } finally {
    x.dispose();
    y.dispose();
  }
}
