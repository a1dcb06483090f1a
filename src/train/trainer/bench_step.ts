/**
 * Training-step throughput of the real trainer step (step.ts) on the workload of the PyTorch peer
 * (../shared/bench/torch_clip_step.py): random images (B, 3, S, S) ~ N(0, 1), random token ids in [1, V-3)
 * with EOT (V-1) last, the symmetric CLIP loss, AdamW(lr 1e-4, betas (0.9, 0.98), eps 1e-8, weight decay 0.5
 * on >= 2-D non-norm weights only), logit scale clamped to ln 100 after each step; `warmup` untimed steps,
 * then the mean over `steps`. Differences from the peer that do not change the work: the loss is computed in
 * float32 under bf16 (the peer runs its logits matmul under autocast), gradients are cleared after the step
 * rather than before the backward.
 */
import { performance } from "node:perf_hooks";
import { getNumThreads, manualSeed, randint, randn, setNumThreads, liveTensors, type Tensor } from "../../engine/index.js";
import { timeMatmul } from "../../engine/bench.js";
import type { ClipConfig } from "../../models/clip/index.js";
import { AdamW } from "../../optim/index.js";
import { decayGroups } from "../schedule.js";
import { LocalContext } from "./context.js";
import { stepFlops } from "./flops.js";
import { buildModel } from "./model_setup.js";
import { OpProfile, type OpStats } from "./op_profile.js";
import { PhaseTimer, type PhaseStats } from "./profile.js";
import { trainStep, type StepSetup } from "./step.js";

export interface BenchStepOptions {
  config: ClipConfig;
  dtype: "fp32" | "bf16";
  batch: number;
  steps: number;
  warmup: number;
  threads?: number;
  /** Phase and per-native-op timings of the timed steps (slows the step a little). */
  profile?: boolean;
}

export interface BenchStepResult {
  samplesPerSec: number;
  secPerStep: number;
  threads: number;
  gflopPerStep: number;
  achievedGflops: number;
  peakGflops: number;
  mfu: number;
  lastLoss: number;
  liveTensorsBefore: number;
  liveTensorsAfter: number;
  phases?: PhaseStats[];
  ops?: OpStats[];
  opTotals?: { calls: number; ms: number; handles: number };
}

export async function benchTrainStep(o: BenchStepOptions): Promise<BenchStepResult> {
  if (o.threads !== undefined) setNumThreads(o.threads);
  const c = o.config;
  const model = buildModel(c, 0);
  const named = [...model.namedParameters()].map(([name, p]) => ({ name, shape: p.shape, p }));
  const { decay, noDecay } = decayGroups(named, "peer");
  const optimizer = new AdamW([{ params: decay.map((x) => x.p), weightDecay: 0.5 }, { params: noDecay.map((x) => x.p), weightDecay: 0 }], { lr: 1e-4, betas: [0.9, 0.98], eps: 1e-8 });
  manualSeed(0);
  const images = randn([o.batch, 3, c.vision.imageSize, c.vision.imageSize]);
  const texts: Tensor = randint(1, c.text.vocabSize - 3, [o.batch, c.text.contextLength]);
  texts.narrow(1, c.text.contextLength - 1, 1).fill_(c.text.vocabSize - 1); // EOT last: pooled at the last token
  const timer = new PhaseTimer(o.profile ?? false);
  const setup: StepSetup = { model, optimizer, params: model.parameters(), ctx: new LocalContext(), bf16: o.dtype === "bf16", device: "cpu", gradClip: null, accumulation: "exact", timer };
  const ops = o.profile ? new OpProfile() : undefined;
  try {
    let lastLoss = NaN;
    const step = async (i: number) => (lastLoss = (await trainStep(setup, [{ images, texts }], 1e-4, { step: i, epoch: 0 })).loss);
    for (let i = 0; i < o.warmup; i++) await step(i);
    const liveTensorsBefore = liveTensors();
    timer.reset();
    ops?.start();
    const t0 = performance.now();
    for (let i = 0; i < o.steps; i++) await step(o.warmup + i);
    const secPerStep = (performance.now() - t0) / 1000 / o.steps;
    ops?.stop();
    const liveTensorsAfter = liveTensors();
    const flops = stepFlops(c, o.batch).train;
    const peakGflops = timeMatmul(1024, o.dtype === "bf16" ? "bf16" : "f32").gflops;
    const achievedGflops = flops / secPerStep / 1e9;
    return {
      samplesPerSec: o.batch / secPerStep, secPerStep, threads: getNumThreads(), gflopPerStep: flops / 1e9, achievedGflops, peakGflops,
      mfu: achievedGflops / peakGflops, lastLoss, liveTensorsBefore, liveTensorsAfter,
      ...(o.profile ? { phases: timer.stats(), ops: ops!.ops(), opTotals: ops!.totals() } : {}),
    };
  } finally {
    ops?.stop();
    images.dispose();
    texts.dispose();
    optimizer.dispose();
    model.dispose();
  }
}
