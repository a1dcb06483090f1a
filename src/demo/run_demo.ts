/**
 * `laclip demo` as a library call: prepare the emoji data (cached renders), rewrite the captions, get a
 * tokenizer, then for every seed train every method with the same budget and score each on the held-out
 * style(s); the per-seed numbers, their means and the paired LaCLIP - CLIP differences with a 95% t interval
 * over seeds go into one line, the rest (curves, samples) into `<workDir>/result/demo.json` for the report.
 *
 *   const r = await runDemo({ ...options });   r.line: the settings and results (deterministic for the seeds)
 *
 * Everything in `line` except `timings` is a function of the options and the installed packages: the same
 * seeds give the same numbers (tested). docs/demo.md explains what they mean.
 */
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { writeReport } from "../report/index.js";
import { getNumThreads, setNumThreads } from "../engine/index.js";
import { prepareDemoData, type PreparedDemoData } from "./data/index.js";
import { planBudget, REFERENCE_GFLOPS, type Budget } from "./budget.js";
import { evaluateCheckpoint, openHeldOut, samplePictures, type TaskChance } from "./evaluate.js";
import { DEMO_CONTEXT, demoModelConfig } from "./model.js";
import { checkOptions, type DemoMethod, type DemoOptions } from "./options.js";
import { DemoProgress } from "./progress.js";
import { summariseTasks, type TaskResult } from "./results.js";
import { writeDemoResult, type DemoRunRef } from "./result_file.js";
import { rewriteCaptions, type DemoRewrites } from "./rewrite_step.js";
import { demoTokenizer, type DemoTokenizer } from "./tokenizer_step.js";
import { DEMO_HYPER, trainMethod, type MethodRun } from "./train_method.js";

/** The training seed does not touch the data: the emoji subset, renders and rewrites use this one. */
export const DATA_SEED = 0;

/** Held-out pictures whose top-5 names the report shows. */
const SAMPLE_PICTURES = 8;

export interface MethodResult {
  /** Mean training loss of the last epoch, per seed. */
  final_loss: (number | null)[];
}

export interface DemoSettings {
  train_styles: string[];
  eval_styles: string[];
  size: number;
  seeds: number[];
  data_seed: number;
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
  /** How to read `tasks[...].diff.ci95` and `ci95`. */
  interval: string;
  chance: Record<string, TaskChance>;
  /** Keyed `<style>/<task>/<prompts or kind>/<metric>`, e.g. `fluent-emoji-flat/name/bare/acc1`. */
  tasks: Record<string, TaskResult>;
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
  /** `<workDir>/result/demo.json`: the line, the runs, sample captions and pictures (what `laclip report` reads). */
  resultFile: string;
  /** The HTML report of this run (`laclip report` on the result folder): `<workDir>/report.html`. */
  report: string;
}

export const INTERVAL =
  "95% Student t interval over seeds: diff = paired LaCLIP - CLIP per seed (same initial weights, data order and crops), mean +- t(0.975, n-1) sd/sqrt(n); ci95 of a method = the same for its mean; null with one seed";

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
  let progress: DemoProgress | undefined;
  const log = (line: string): void => {
    progress?.interrupt();
    o.log(line);
  };

  let t = performance.now();
  const data = await prepareDemoData({ workDir: o.workDir, trainStyles: o.trainStyles, evalStyles: o.evalStyles, size: o.size, seed: DATA_SEED, maxEmoji: o.maxEmoji, log });
  timings.data_s = seconds(t);

  t = performance.now();
  const rewrites = await rewriteCaptions(data.trainCsv, o.workDir, { ...o.rewrite, seed: DATA_SEED }, log);
  timings.rewrite_s = seconds(t);

  t = performance.now();
  const texts = [...rewrites.rowCaptions];
  const rewriteLines: string[][] = [];
  for (const f of rewrites.files) rewriteLines.push(await lines(f));
  for (const l of rewriteLines) texts.push(...l);
  const tok = await demoTokenizer({ workDir: o.workDir, texts, merges: o.merges, numMerges: o.bpeMerges, contextLength: DEMO_CONTEXT, log });
  timings.tokenizer_s = seconds(t);

  const model = demoModelConfig(o.size, tok.vocabSize);
  const runsPlanned = o.methods.length * o.seeds.length;
  const budget = planBudget({ minutes: o.minutes, epochs: o.epochs, methods: runsPlanned, trainSamples: data.counts.trainImages, batchSize: o.batchSize, model, dtype: o.dtype });
  log(`budget: ${budget.epochs} epochs x ${budget.stepsPerEpoch} steps = ${budget.steps} steps per method and seed, ${runsPlanned} runs (${budget.from === "minutes" ? `from --minutes ${o.minutes} on the reference machine: about ${Math.round(budget.referenceSecondsPerMethod)} s each there` : "from --epochs"})`);

  t = performance.now();
  const held = await openHeldOut(data, model);
  timings.heldout_s = seconds(t);

  progress = new DemoProgress({
    seeds: o.seeds, methods: o.methods, stepsPerRun: budget.steps, guessSecondsPerStep: budget.gflopPerStep / REFERENCE_GFLOPS[o.dtype],
  });
  const runs: MethodRun[] = [];
  const refs: DemoRunRef[] = [];
  const scores: Partial<Record<DemoMethod, Record<string, number>[]>> = {};
  const methods: Partial<Record<DemoMethod, MethodResult>> = {};
  const top5: Record<string, Record<string, number[][]>> = {};
  for (const m of o.methods) {
    timings[`train_${m}_s`] = 0;
    timings[`eval_${m}_s`] = 0;
    timings[`train_${m}_reused`] = true;
    scores[m] = [];
    methods[m] = { final_loss: [] };
  }
  for (const seed of o.seeds) {
    for (const method of o.methods) {
      progress.trainStart(seed, method);
      const run = await trainMethod({
        workDir: o.workDir, trainCsv: data.trainCsv, rewriteFiles: rewrites.files, rewriteSources: rewrites.sources, manifestFile: data.manifestFile,
        model, tokenizer: tok.tokenizer, mergesFile: tok.mergesFile, budget, seed, dtype: o.dtype, workers: o.workers, fresh: o.fresh, log,
        onStep: (step) => progress!.trainStep(step),
      }, method);
      progress.trainEnd(!run.reused);
      runs.push(run);
      refs.push({ method, seed, dir: run.dir });
      timings[`train_${method}_s`] = Math.round(((timings[`train_${method}_s`] as number) + run.seconds) * 10) / 10;
      if (!run.reused) {
        timings[`train_${method}_reused`] = false;
        log(`train ${method} seed ${seed}: ${run.steps} steps in ${run.seconds.toFixed(0)} s (${((run.steps * budget.batchSize) / run.seconds).toFixed(0)} samples/s; ${((budget.steps * budget.gflopPerStep) / run.seconds).toFixed(1)} model GFLOP/s here vs ${(budget.steps * budget.gflopPerStep / budget.referenceSecondsPerMethod).toFixed(1)} on the reference machine)`);
      }
      t = performance.now();
      const done = progress.evalStart(seed, method);
      const ev = await evaluateCheckpoint(run.checkpoint, held, tok.tokenizer, o.dtype === "bf16", SAMPLE_PICTURES);
      done();
      scores[method]!.push(ev.scores);
      top5[`${method} seed ${seed}`] = ev.top5;
      methods[method]!.final_loss.push(run.finalLoss === null ? null : Math.round(run.finalLoss * 1e4) / 1e4);
      timings[`eval_${method}_s`] = Math.round(((timings[`eval_${method}_s`] as number) + seconds(t)) * 10) / 10;
    }
  }

  const r = o.rewrite;
  const settings: DemoSettings = {
    train_styles: o.trainStyles, eval_styles: o.evalStyles, size: o.size, seeds: o.seeds, data_seed: DATA_SEED, max_emoji: o.maxEmoji ?? null,
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
  const tasks = summariseTasks(scores, held.chance);
  const line: DemoLine = { demo: "laclip", settings, interval: INTERVAL, chance: held.chance, tasks, methods, timings };

  progress.step("report");
  t = performance.now();
  const resultFile = await writeDemoResult(o.workDir, {
    line, runs: refs, captions: rewriteSamples(rewrites.rowCaptions, rewriteLines, rewrites.sources),
    pictures: held.sets.filter((h) => h.task === "name").map((h) => ({
      style: h.style,
      items: samplePictures(h.set.samples.length, SAMPLE_PICTURES).map((at, i) => ({
        image: h.set.samples[at]!.path, name: h.set.classes[h.set.samples[at]!.label]!.name,
        top5: Object.fromEntries(Object.entries(top5).map(([model, byStyle]) => [model, byStyle[h.style]![i]!.map((c) => h.set.classes[c]!.name)])),
      })),
    })),
  });
  const report = join(o.workDir, "report.html");
  await writeReport([dirname(resultFile)], report);
  timings.report_s = seconds(t);
  progress.finish();
  timings.total_s = seconds(started);
  return { line, data, rewrites, tokenizer: tok, budget, runs, resultFile, report };
}

/** A few distinct captions with their rewrites (one per source), for the report's table. */
function rewriteSamples(captions: readonly string[], rewrites: readonly string[][], sources: readonly string[]): { caption: string; rewrites: Record<string, string> }[] {
  const seen = new Set<string>();
  const out: { caption: string; rewrites: Record<string, string> }[] = [];
  const step = Math.max(1, Math.floor(captions.length / 10));
  for (let i = 0; i < captions.length && out.length < 8; i += step) {
    if (seen.has(captions[i]!)) continue;
    seen.add(captions[i]!);
    out.push({ caption: captions[i]!, rewrites: Object.fromEntries(sources.map((s, k) => [s, rewrites[k]![i]!])) });
  }
  return out;
}
