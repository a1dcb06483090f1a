/**
 * A few real optimizer steps of the trainer (trainStep: towers, loss over all ranks' features, backward,
 * gradient all-reduce, clipping, AdamW, logit-scale clamp) on a small CLIP, shared by train_equivalence.test.ts
 * (one process, the whole global batch) and its worker (this rank's rows of it). Importing this file does
 * nothing.
 */
import { Generator, randint, randn, tidy, type Tensor } from "../../src/engine/index.js";
import { resolveClipConfig } from "../../src/models/clip/index.js";
import { loadConfig } from "../../src/train/config/index.js";
import { PhaseTimer, buildModel, buildOptimizer, trainStep, type MicroBatch, type StepSetup, type TrainContext } from "../../src/train/trainer/index.js";

export const GLOBAL_BATCH = 8;
export const STEPS = 3;
const VOCAB = 600;
const CONTEXT = 8;
const CONFIG = resolveClipConfig({
  layout: "laclip", embedDim: 16,
  vision: { imageSize: 16, patchSize: 8, width: 32, layers: 2, heads: 2 },
  text: { contextLength: CONTEXT, vocabSize: VOCAB, width: 32, layers: 2, heads: 2 },
} as never);

export interface Scenario {
  /** Texts per image: 1 (clip) or 2 (laclip-mt, two text batches). */
  texts: 1 | 2;
  /** Micro-batches per rank and step (exact accumulation when > 1). */
  micro: number;
  gradClip: number | null;
}
export const SCENARIOS: Record<string, Scenario> = {
  clip: { texts: 1, micro: 1, gradClip: 1.0 },
  "laclip-mt-accumulated": { texts: 2, micro: 2, gradClip: null },
};

export interface StepsResult {
  losses: number[];
  logitScales: number[];
  /** Every parameter after the last step, concatenated in model order. */
  weights: number[];
}

/** Step `step`'s global batch (the same in every process), rows [first, first + rows) of it. */
function batchRows(s: Scenario, step: number, first: number, rows: number): MicroBatch {
  const gen = new Generator(500 + step);
  const images = randn([GLOBAL_BATCH, 3, 16, 16], { generator: gen });
  const texts = randint(1, VOCAB - 1, s.texts === 1 ? [GLOBAL_BATCH, CONTEXT] : [s.texts, GLOBAL_BATCH, CONTEXT], { generator: gen });
  texts.narrow(-1, CONTEXT - 1, 1).fill_(VOCAB - 1); // EOT last
  const textDim = s.texts === 1 ? 0 : 1;
  return { images: images.narrow(0, first, rows).clone(), texts: texts.narrow(textDim, first, rows).clone() };
}

/** `n` equal micro-batches of a batch, in row order. */
function split(s: Scenario, b: MicroBatch, n: number): MicroBatch[] {
  const rows = b.images.shape[0]! / n;
  const textDim = s.texts === 1 ? 0 : 1;
  return Array.from({ length: n }, (_, i) => ({ images: b.images.narrow(0, i * rows, rows), texts: b.texts.narrow(textDim, i * rows, rows) }));
}

export interface RunOptions {
  /** First global row this process holds, and how many (default: all of them). */
  first?: number;
  rows?: number;
  /** Seed of the initial weights; may differ between ranks: the broadcast at the start must make them agree. */
  initSeed?: number;
  /** Micro-batches per step (default the scenario's). */
  micro?: number;
  steps?: number;
  /** Called after each step (the failure tests print progress and die here). */
  onStep?: (step: number, loss: number) => void;
}

/**
 * Trains on rows [first, first + rows) of each step's global batch. AdamW's eps is 1e-4, not 1e-8: some
 * gradients are zero in exact arithmetic (an attention key bias cancels in the softmax), and with a tiny eps
 * Adam turns their float noise into full-size steps of either sign, so two runs that differ only in rounding
 * would end with weights a whole learning rate apart.
 */
export async function runSteps(s: Scenario, ctx: TrainContext, o: RunOptions = {}): Promise<StepsResult> {
  const first = o.first ?? 0;
  const rows = o.rows ?? GLOBAL_BATCH;
  const initSeed = o.initSeed ?? 7;
  const micro = o.micro ?? s.micro;
  const model = buildModel(CONFIG, initSeed);
  const cfg = await loadConfig({ overrides: ["data.train=unused.csv", "optim.lr=0.01", "optim.weight_decay=0.1", "optim.eps=1e-4"] });
  const optimizer = buildOptimizer(model, cfg);
  await ctx.broadcastParameters(model.parameters());
  const setup: StepSetup = {
    model, optimizer, params: model.parameters(), ctx, bf16: false, device: "cpu", gradClip: s.gradClip, accumulation: "exact",
    timer: new PhaseTimer(false),
  };
  const out: StepsResult = { losses: [], logitScales: [], weights: [] };
  for (let step = 0; step < (o.steps ?? STEPS); step++) {
    const batch = tidy(() => batchRows(s, step, first, rows));
    const r = await trainStep(setup, split(s, batch, micro), 0.01, { step, epoch: 0 });
    out.losses.push(r.loss);
    out.logitScales.push(r.logitScale);
    o.onStep?.(step, r.loss);
    batch.images.dispose();
    batch.texts.dispose();
  }
  out.weights = model.parameters().flatMap((p: Tensor) => Array.from(p.toTypedArray() as Float32Array));
  model.dispose();
  optimizer.dispose();
  return out;
}
