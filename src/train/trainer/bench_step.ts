/**
 * Training-step throughput of the real trainer step (step.ts) on the workload of the PyTorch peer
 * (../shared/bench/torch_clip_step.py): random images (B, 3, S, S) ~ N(0, 1), random token ids in [1, V-3)
 * with EOT (V-1) last, the symmetric CLIP loss, AdamW(lr 1e-4, betas (0.9, 0.98), eps 1e-8, weight decay 0.5
 * on >= 2-D non-norm weights only), logit scale clamped to ln 100 after each step; `warmup` untimed steps,
 * then the mean over `steps`. Differences from the peer that do not change the work: the loss is computed in
 * float32 under bf16 (the peer runs its logits matmul under autocast), gradients are cleared after the step
 * rather than before the backward.
 *
 * On CUDA the steps run with deferred reads (no host wait inside a step, as the trainer runs them there); the
 * clock is read after the last step's values are copied to the host, which waits for all queued work. The
 * allocator's peak bytes over the whole run (warmup included) are reported, as torch.cuda.max_memory_allocated.
 */
import { performance } from "node:perf_hooks";
import {
  cudaMemoryStats, getNumThreads, liveTensors, manualSeed, randint, randn, resetCudaPeakMemory, setNumThreads, type Tensor,
} from "../../engine/index.js";
import { timeMatmul } from "../../engine/bench.js";
import type { ClipConfig } from "../../models/clip/index.js";
import { AdamW } from "../../optim/index.js";
import { decayGroups } from "../schedule.js";
import { LocalContext } from "./context.js";
import { stepFlops } from "./flops.js";
import { buildModel } from "./model_setup.js";
import { OpProfile, type OpStats } from "./op_profile.js";
import { PhaseTimer, type PhaseStats } from "./profile.js";
import { readStepValues, trainStepValues, type StepSetup, type StepValues } from "./step.js";

export interface BenchStepOptions {
  config: ClipConfig;
  dtype: "fp32" | "bf16";
  batch: number;
  steps: number;
  warmup: number;
  threads?: number;
  /** Phase and per-native-op timings of the timed steps (slows the step a little). */
  profile?: boolean;
  /** Default cpu. */
  device?: "cpu" | "cuda";
}

export interface BenchStepResult {
  samplesPerSec: number;
  secPerStep: number;
  threads: number;
  gflopPerStep: number;
  achievedGflops: number;
  /** The CPU's 1024^3 matmul rate (null on CUDA, where it is not measured). */
  peakGflops: number | null;
  mfu: number | null;
  /** CUDA: the allocator's peak bytes over the run (null on the CPU, or where the statistics are not built in). */
  peakGpuBytes: number | null;
  lastLoss: number;
  liveTensorsBefore: number;
  liveTensorsAfter: number;
  phases?: PhaseStats[];
  ops?: OpStats[];
  opTotals?: { calls: number; ms: number; handles: number };
}

/** The allocator statistics are a side column: a failure there is reported and the benchmark goes on (null). */
function gpuMemory<T>(fn: () => T): T | null {
  try {
    return fn();
  } catch (err) {
    process.stderr.write(`bench train-step: CUDA memory statistics unavailable: ${(err as Error).message}\n`);
    return null;
  }
}

export async function benchTrainStep(o: BenchStepOptions): Promise<BenchStepResult> {
  if (o.threads !== undefined) setNumThreads(o.threads);
  const c = o.config;
  const device = o.device ?? "cpu";
  if (device === "cuda") gpuMemory(() => resetCudaPeakMemory("cuda"));
  const model = buildModel(c, 0, device);
  const named = [...model.namedParameters()].map(([name, p]) => ({ name, shape: p.shape, p }));
  const { decay, noDecay } = decayGroups(named, "peer");
  const optimizer = new AdamW([{ params: decay.map((x) => x.p), weightDecay: 0.5 }, { params: noDecay.map((x) => x.p), weightDecay: 0 }], { lr: 1e-4, betas: [0.9, 0.98], eps: 1e-8 });
  manualSeed(0);
  const images = randn([o.batch, 3, c.vision.imageSize, c.vision.imageSize], { device });
  const texts: Tensor = randint(1, c.text.vocabSize - 3, [o.batch, c.text.contextLength], { device });
  texts.narrow(1, c.text.contextLength - 1, 1).fill_(c.text.vocabSize - 1); // EOT last: pooled at the last token
  const timer = new PhaseTimer(o.profile ?? false);
  const setup: StepSetup = { model, optimizer, params: model.parameters(), ctx: new LocalContext(), bf16: o.dtype === "bf16", device, gradClip: null, accumulation: "exact", timer, deferRead: device === "cuda" };
  const ops = o.profile ? new OpProfile() : undefined;
  let last: StepValues | undefined;
  try {
    // Only the last step's values are kept: reading them waits for every step queued before.
    const step = async (i: number) => {
      const v = await trainStepValues(setup, [{ images, texts }], 1e-4, { step: i, epoch: 0 });
      last?.values.dispose();
      last = v;
    };
    const read = (): number => {
      const r = last === undefined ? NaN : readStepValues([last])[0]!.loss;
      last = undefined;
      return r;
    };
    for (let i = 0; i < o.warmup; i++) await step(i);
    if (o.warmup > 0) read();
    const liveTensorsBefore = liveTensors();
    timer.reset();
    ops?.start();
    const t0 = performance.now();
    for (let i = 0; i < o.steps; i++) await step(o.warmup + i);
    const lastLoss = read();
    const secPerStep = (performance.now() - t0) / 1000 / o.steps;
    ops?.stop();
    const liveTensorsAfter = liveTensors();
    const flops = stepFlops(c, o.batch).train;
    const peakGflops = device === "cpu" ? timeMatmul(1024, o.dtype === "bf16" ? "bf16" : "f32").gflops : null;
    const achievedGflops = flops / secPerStep / 1e9;
    return {
      samplesPerSec: o.batch / secPerStep, secPerStep, threads: getNumThreads(), gflopPerStep: flops / 1e9, achievedGflops, peakGflops,
      mfu: peakGflops === null ? null : achievedGflops / peakGflops, peakGpuBytes: device === "cuda" ? (gpuMemory(() => cudaMemoryStats("cuda"))?.peak ?? null) : null,
      lastLoss, liveTensorsBefore, liveTensorsAfter,
      ...(o.profile ? { phases: timer.stats(), ops: ops!.ops(), opTotals: ops!.totals() } : {}),
    };
  } finally {
    ops?.stop();
    last?.values.dispose();
    images.dispose();
    texts.dispose();
    optimizer.dispose();
    model.dispose();
  }
}
