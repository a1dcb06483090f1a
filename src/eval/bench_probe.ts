/**
 * Linear-probe training throughput: rows per second through fitLinear (the engine's Linear + cross-entropy +
 * AdamW loop, batches gathered by index_select) on random features of the given shape, the workload of one
 * fit in `laclip eval --task linear_probe` (ImageNet: 1.28 M rows x 512 dims x 1000 classes, 10 epochs, and
 * ~20 fits with the weight decay search).
 */
import { getNumThreads, liveTensors, manualSeed, randint, randn, setNumThreads, tidy } from "../engine/index.js";
import { fitLinear } from "./linear_train.js";

export interface BenchProbeOptions {
  rows: number;
  dim: number;
  classes: number;
  epochs: number;
  batch: number;
  /** libtorch threads; default unchanged. */
  threads?: number;
  seed?: number;
}

export interface BenchProbeResult {
  rowsPerSec: number;
  seconds: number;
  steps: number;
  threads: number;
  /** Live tensors before and after the fit (its weights freed): equal when nothing leaked. */
  liveTensors: [number, number];
}

export function benchProbe(o: BenchProbeOptions): BenchProbeResult {
  if (o.threads !== undefined) setNumThreads(o.threads);
  manualSeed(o.seed ?? 0);
  return tidy(() => {
    const x = randn([o.rows, o.dim]); // (N, D)
    const y = randint(0, o.classes, [o.rows]); // (N) int64
    const before = liveTensors();
    const t0 = performance.now();
    const m = fitLinear(x, y, o.classes, { epochs: o.epochs, batchSize: o.batch, seed: o.seed ?? 0 });
    m.weight.toTypedArray(); // read back: the work is done, not just queued
    const seconds = (performance.now() - t0) / 1000;
    m.weight.dispose();
    m.bias.dispose();
    const steps = o.epochs * Math.ceil(o.rows / o.batch);
    return { rowsPerSec: (o.rows * o.epochs) / seconds, seconds, steps, threads: getNumThreads(), liveTensors: [before, liveTensors()] };
  });
}
