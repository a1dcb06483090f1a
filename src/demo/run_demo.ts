/**
 * `laclip demo` as a library call: prepare the emoji data (cached renders), rewrite the captions, get a
 * tokenizer, train every method with the same budget and seed, and score each on the held-out style(s).
 *
 *   const r = await runDemo({ ...options });   r.line: the settings and accuracies (deterministic for a seed)
 *
 * Everything in `line` except `timings` is a function of the options and the installed packages: the same
 * seed gives the same numbers (tested). docs/demo.md explains what they mean.
 */
import { readFile } from "node:fs/promises";
import { getNumThreads, setNumThreads } from "../engine/index.js";
import { prepareDemoData, type PreparedDemoData } from "./data/index.js";
import { planBudget, type Budget } from "./budget.js";
import { chanceLevels, evaluateCheckpoint, type TaskChance, type TaskScore } from "./evaluate.js";
import { DEMO_CONTEXT, demoModelConfig } from "./model.js";
import { checkOptions, type DemoMethod, type DemoOptions } from "./options.js";
import { rewriteCaptions, type DemoRewrites } from "./rewrite_step.js";
import { demoTokenizer, type DemoTokenizer } from "./tokenizer_step.js";
import { DEMO_HYPER, trainMethod, type MethodRun } from "./train_method.js";

export interface MethodResult {
  /** Keyed `<style>/<task>`: `fluent-emoji-flat/name`, `fluent-emoji-flat/subgroup`. */
  zeroshot: Record<string, TaskScore>;
  final_loss: number | null;
}

export interface DemoSettings {
  train_styles: string[];
  eval_styles: string[];
  size: number;
  seed: number;
  max_emoji: number | null;
  emoji: number;
  train_images: number;
  eval_images: number;
  subgroups: number;
  rewrite: { engine: string; model: string | null; sources: string[]; per_source: number; distinct_captions: number; accepted: number; fell_back: number };
  tokenizer: { merges: string; vocab: number; context: number; truncated_texts: number };
  model: { image: number; patch: number; vision: string; text: string; embed: number };
  methods: DemoMethod[];
  dtype: "fp32" | "bf16";
  batch: number;
  epochs: number;
  steps: number;
  budget_from: "minutes" | "epochs";
  minutes: number | null;
  lr: number;
  weight_decay: number;
  threads: number;
}

export interface DemoLine {
  demo: "laclip";
  settings: DemoSettings;
  chance: Record<string, TaskChance>;
  methods: Partial<Record<DemoMethod, MethodResult>>;
  timings: Record<string, number | boolean>;
}

export interface DemoResult {
  line: DemoLine;
  data: PreparedDemoData;
  rewrites: DemoRewrites;
  tokenizer: DemoTokenizer;
  budget: Budget;
  runs: MethodRun[];
}

const seconds = (t0: number): number => Math.round((performance.now() - t0) / 100) / 10;

async function lines(file: string): Promise<string[]> {
  const text = await readFile(file, "utf8");
  return (text.endsWith("\n") ? text.slice(0, -1) : text).split("\n");
}

export async function runDemo(o: DemoOptions): Promise<DemoResult> {
  checkOptions(o);
  const started = performance.now();
  setNumThreads(o.threads); // for the whole process: the engine has one intra-op pool
  const timings: Record<string, number | boolean> = {};

  let t = performance.now();
  const data = await prepareDemoData({ workDir: o.workDir, trainStyles: o.trainStyles, evalStyles: o.evalStyles, size: o.size, seed: o.seed, maxEmoji: o.maxEmoji, log: o.log });
  timings.data_s = seconds(t);

  t = performance.now();
  const rewrites = await rewriteCaptions(data.trainCsv, o.workDir, { ...o.rewrite, seed: o.seed }, o.log);
  timings.rewrite_s = seconds(t);

  t = performance.now();
  const texts = [...rewrites.rowCaptions];
  for (const f of rewrites.files) texts.push(...(await lines(f)));
  const tok = await demoTokenizer({ workDir: o.workDir, texts, merges: o.merges, numMerges: o.bpeMerges, contextLength: DEMO_CONTEXT, log: o.log });
  timings.tokenizer_s = seconds(t);

  const model = demoModelConfig(o.size, tok.vocabSize);
  const budget = planBudget({ minutes: o.minutes, epochs: o.epochs, methods: o.methods.length, trainSamples: data.counts.trainImages, batchSize: o.batchSize, model, dtype: o.dtype });
  o.log(`budget: ${budget.epochs} epochs x ${budget.stepsPerEpoch} steps = ${budget.steps} steps per method (${budget.from === "minutes" ? `from --minutes ${o.minutes} on the reference machine: about ${Math.round(budget.referenceSecondsPerMethod)} s each there` : "from --epochs"})`);

  const chance = await chanceLevels(data);
  const runs: MethodRun[] = [];
  const methods: Partial<Record<DemoMethod, MethodResult>> = {};
  for (const method of o.methods) {
    const run = await trainMethod({
      workDir: o.workDir, trainCsv: data.trainCsv, rewriteFiles: rewrites.files, rewriteSources: rewrites.sources, manifestFile: data.manifestFile,
      model, tokenizer: tok.tokenizer, mergesFile: tok.mergesFile, budget, seed: o.seed, dtype: o.dtype, workers: o.workers, fresh: o.fresh, log: o.log,
    }, method);
    runs.push(run);
    timings[`train_${method}_s`] = Math.round(run.seconds * 10) / 10;
    if (run.reused) timings[`train_${method}_reused`] = true;
    else o.log(`train ${method}: ${run.steps} steps in ${run.seconds.toFixed(0)} s (${((run.steps * budget.batchSize) / run.seconds).toFixed(0)} samples/s; ${((budget.steps * budget.gflopPerStep) / run.seconds).toFixed(1)} model GFLOP/s here vs ${(budget.steps * budget.gflopPerStep / budget.referenceSecondsPerMethod).toFixed(1)} on the reference machine)`);
    t = performance.now();
    methods[method] = { zeroshot: await evaluateCheckpoint(run.checkpoint, data, tok.tokenizer, o.dtype === "bf16"), final_loss: run.finalLoss === null ? null : Math.round(run.finalLoss * 1e4) / 1e4 };
    timings[`eval_${method}_s`] = seconds(t);
  }
  timings.total_s = seconds(started);

  const r = o.rewrite;
  const settings: DemoSettings = {
    train_styles: o.trainStyles, eval_styles: o.evalStyles, size: o.size, seed: o.seed, max_emoji: o.maxEmoji ?? null,
    emoji: data.counts.emoji, train_images: data.counts.trainImages, eval_images: data.counts.evalImages, subgroups: data.counts.subgroups,
    rewrite: {
      engine: r.engine, model: r.engine === "openai" ? (r.model ?? null) : r.engine === "llama" ? (r.modelPath ?? null) : null,
      sources: rewrites.sources, per_source: r.perSource, distinct_captions: rewrites.uniqueCaptions,
      accepted: rewrites.summary.rewrites, fell_back: rewrites.summary.fallbacks,
    },
    tokenizer: { merges: tok.trained ? "learned" : tok.mergesFile, vocab: tok.vocabSize, context: DEMO_CONTEXT, truncated_texts: tok.truncated },
    model: {
      image: model.vision.imageSize, patch: model.vision.patchSize, vision: `${model.vision.width}x${model.vision.layers}`,
      text: `${model.text.width}x${model.text.layers}`, embed: model.embedDim,
    },
    methods: o.methods, dtype: o.dtype, batch: budget.batchSize, epochs: budget.epochs, steps: budget.steps, budget_from: budget.from,
    minutes: budget.from === "minutes" ? o.minutes : null, lr: DEMO_HYPER.lr, weight_decay: DEMO_HYPER.weightDecay, threads: getNumThreads(),
  };
  return { line: { demo: "laclip", settings, chance, methods, timings }, data, rewrites, tokenizer: tok, budget, runs };
}
