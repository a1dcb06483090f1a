/**
 * Step 4 of the demo: train one method with the project's trainer. CLIP and LaCLIP get the same config except
 * `text.augment` (`clip`: the original caption only; `laclip`: one of the original and its rewrites, drawn
 * uniformly, with LaCLIP's fewer-than-2-words fallback), so they share the initial weights, the data order, the
 * crops and the schedule (all seeded by the one seed). The hyper-parameters were set once, for both methods,
 * before any comparison: AdamW lr 1e-3 with 10% linear warmup and cosine decay, weight decay 0.1, batch 128.
 *
 * A run lives in `<workDir>/runs/<method>-<fingerprint>`, named by everything it depends on, so the trainer's
 * auto-resume continues an interrupted demo, a finished run is reused, and other settings train afresh.
 */
import { createHash } from "node:crypto";
import { readFile, rm, writeFile, mkdir } from "node:fs/promises";
import { join } from "node:path";
import { LaclipError } from "../errors/laclip_error.js";
import type { ClipConfig } from "../models/clip/index.js";
import type { ClipTokenizer } from "../tokenizer/index.js";
import { defaultConfig, validateConfig, type TrainConfig } from "../train/config/index.js";
import { train } from "../train/trainer/index.js";
import type { Budget } from "./budget.js";
import { fingerprint } from "./fingerprint.js";
import type { DemoMethod } from "./options.js";

export const DEMO_HYPER = { lr: 1e-3, lrStart: 1e-6, lrEnd: 1e-5, warmupFraction: 0.1, weightDecay: 0.1 } as const;

/** 10% of the steps, at least one, but never all of them (a 1-step run has none). */
export function warmupSteps(steps: number): number {
  return Math.min(steps - 1, Math.max(1, Math.ceil(DEMO_HYPER.warmupFraction * steps)));
}

export interface MethodRun {
  method: DemoMethod;
  dir: string;
  checkpoint: string;
  steps: number;
  /** Mean training loss over the last epoch. */
  finalLoss: number | null;
  /** Wall seconds of training in this process (0 when a finished run was reused). */
  seconds: number;
  reused: boolean;
}

export interface MethodSetup {
  workDir: string;
  trainCsv: string;
  rewriteFiles: string[];
  rewriteSources: string[];
  /** The dataset's manifest (package versions, size, background: what the pictures depend on). */
  manifestFile: string;
  model: ClipConfig;
  tokenizer: ClipTokenizer;
  mergesFile: string;
  budget: Budget;
  seed: number;
  dtype: "fp32" | "bf16";
  workers: number;
  fresh: boolean;
  log: (line: string) => void;
  /** After every optimizer step (the demo's own progress line replaces the trainer's). */
  onStep?: (step: number, totalSteps: number) => void;
}

function trainConfig(s: MethodSetup, method: DemoMethod, dir: string, modelFile: string): TrainConfig {
  const c = defaultConfig();
  c.model.name = modelFile;
  Object.assign(c.data, { format: "csv", train: s.trainCsv, rewrites: s.rewriteFiles, rewrite_sources: s.rewriteSources, csv_header: "no", workers: s.workers });
  c.text.augment = method;
  Object.assign(c.optim, {
    lr: DEMO_HYPER.lr, lr_start: DEMO_HYPER.lrStart, lr_end: DEMO_HYPER.lrEnd, weight_decay: DEMO_HYPER.weightDecay,
    warmup_steps: warmupSteps(s.budget.steps),
  });
  Object.assign(c.train, { epochs: s.budget.epochs, batch_size: s.budget.batchSize, dtype: s.dtype, seed: s.seed });
  Object.assign(c.checkpoint, { output_dir: dir, every_steps: 0, resume: "auto" });
  // a metrics line per step: the report draws the loss and learning-rate curves from them
  Object.assign(c.log, { every_steps: 1, tensorboard: false, progress: s.onStep === undefined ? "auto" : "none" });
  return validateConfig(c, "laclip demo");
}

async function contentHash(files: readonly string[]): Promise<string> {
  const h = createHash("sha256");
  for (const f of files) h.update(await readFile(f)).update("\0");
  return h.digest("hex").slice(0, 32);
}

/** The mean training loss over the last epoch, from metrics.jsonl's per-step lines. */
async function lastEpochLoss(dir: string): Promise<number | null> {
  const text = await readFile(join(dir, "metrics.jsonl"), "utf8").catch(() => "");
  const steps = text.split("\n").filter((l) => l.includes('"loss_avg"')).map((l) => JSON.parse(l) as { epoch: number; loss: unknown });
  const last = steps.length > 0 ? steps[steps.length - 1]!.epoch : undefined;
  const losses = steps.filter((r) => r.epoch === last && typeof r.loss === "number").map((r) => r.loss as number);
  return losses.length > 0 ? losses.reduce((a, b) => a + b, 0) / losses.length : null;
}

export async function trainMethod(s: MethodSetup, method: DemoMethod): Promise<MethodRun> {
  const data = await contentHash([s.trainCsv, s.manifestFile, ...s.rewriteFiles, s.mergesFile]);
  const probe = trainConfig(s, method, "unused", "unused.json"); // the settings that decide the run, before its folder is known
  const key = fingerprint({ method, data, model: s.model, optim: probe.optim, text: probe.text, train: probe.train, tail: probe.data.tail, crop: [probe.data.crop_scale, probe.data.crop_ratio] });
  const dir = join(s.workDir, "runs", `${method}-${key}`);
  if (s.fresh) await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const modelFile = join(dir, "model.json");
  await writeFile(modelFile, JSON.stringify(s.model, null, 2) + "\n");
  const cfg = trainConfig(s, method, dir, modelFile);
  s.log(`train ${method} seed ${s.seed}: ${s.budget.epochs} epochs x ${s.budget.stepsPerEpoch} steps of ${s.budget.batchSize}, ${s.dtype} -> ${dir}`);
  const t0 = performance.now();
  const r = await train(cfg, { tokenizer: s.tokenizer, merges: s.mergesFile, keepCheckpoints: 1, log: s.log, onStep: s.onStep });
  const seconds = (performance.now() - t0) / 1000;
  if (r.lastCheckpoint === undefined) throw new LaclipError(`training ${method} ended without a checkpoint in ${dir}; delete that folder and run again`);
  const reused = r.lastLoss === undefined;
  if (reused) s.log(`train ${method} seed ${s.seed}: reusing the finished run in ${dir} (pass --fresh to train again)`);
  return { method, dir, checkpoint: r.lastCheckpoint, steps: r.step, finalLoss: await lastEpochLoss(dir), seconds: reused ? 0 : seconds, reused };
}
