/**
 * Feature extraction throughput, the cost of evaluation: pairs per second through both towers (one image and
 * one text per pair) of a freshly initialised CLIP, under noGrad and optionally bf16 autocast, on random
 * inputs in memory (no decoding, no disk) — the PyTorch peer's `--mode infer` workload.
 */
import { autocast, getNumThreads, liveTensors, manualSeed, noGrad, randint, randn, setNumThreads, tidy, type Tensor } from "../engine/index.js";
import { CLIP, type ClipConfig } from "../models/clip/index.js";
import { Generator } from "../engine/index.js";

export interface BenchEmbedOptions {
  config: ClipConfig;
  /** "fp32" or "bf16" (autocast). */
  dtype: "fp32" | "bf16";
  /** Pairs per step. Default 16. */
  batch?: number;
  /** Timed steps. Default 5. */
  steps?: number;
  /** Untimed steps first. Default 1. */
  warmup?: number;
  /** libtorch threads; default unchanged. */
  threads?: number;
  /** Where the model and inputs live. Default cpu. */
  device?: "cpu" | "cuda";
}

export interface BenchEmbedResult {
  pairsPerSec: number;
  secPerStep: number;
  threads: number;
  liveTensors: [number, number];
}

export function benchEmbed(o: BenchEmbedOptions): BenchEmbedResult {
  if (o.threads !== undefined) setNumThreads(o.threads);
  const batch = o.batch ?? 16;
  const steps = o.steps ?? 5;
  const c = o.config;
  const device = o.device ?? "cpu";
  const model = new CLIP(c, { device, generator: new Generator(0) });
  model.train(false);
  manualSeed(0);
  const images = randn([batch, 3, c.vision.imageSize, c.vision.imageSize], { device });
  const texts: Tensor = randint(1, c.text.vocabSize - 3, [batch, c.text.contextLength], { device });
  tidy(() => void texts.narrow(1, c.text.contextLength - 1, 1).fill_(c.text.vocabSize - 1)); // EOT last, as the peer's inputs
  const step = () =>
    noGrad(() => tidy(() => {
      const run = () => {
        model.encodeImage(images).toTypedArray(); // read back: the work is done, not just queued
        model.encodeText(texts).toTypedArray();
      };
      if (o.dtype === "bf16") autocast({ dtype: "bf16", device }, run);
      else run();
    }));
  try {
    for (let i = 0; i < (o.warmup ?? 1); i++) step();
    const before = liveTensors();
    const t0 = performance.now();
    for (let i = 0; i < steps; i++) step();
    const secPerStep = (performance.now() - t0) / 1000 / steps;
    return { pairsPerSec: batch / secPerStep, secPerStep, threads: getNumThreads(), liveTensors: [before, liveTensors()] };
  } finally {
    images.dispose();
    texts.dispose();
    model.dispose();
  }
}
