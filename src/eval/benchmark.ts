/**
 * CLIP_benchmark's tasks on one model and one dataset, from features: each split the tasks need is encoded once
 * (or read from the feature cache) and shared by every task. Results are CLIP_benchmark's JSON (`dataset`,
 * `model`, `pretrained`, `task`, `metrics`, `language`) followed by laclip's own fields (settings, counts,
 * timings).
 *
 *   const results = await runDatasetTasks(model, { dataset: "wds/cifar10", root }, { tasks: ["zeroshot_classification", "linear_probe"], ... });
 */
import { LaclipError } from "../errors/laclip_error.js";
import type { BenchmarkOptions, EvalTaskName, TaskResult } from "./benchmark_types.js";
import { classWeightRows } from "./classifier.js";
import type { DatasetRequest, OpenedSplit } from "./dataset_open.js";
import { textFeatures, type SplitFeatures } from "./encode_set.js";
import { holdOutRows } from "./features.js";
import { fewShotEpisodes } from "./few_shot.js";
import { linearProbe } from "./linear_probe.js";
import { ZeroShotAccumulator } from "./metrics.js";
import { multilabelZeroShot } from "./multilabel_zero_shot.js";
import { retrievalRecall } from "./retrieval.js";
import { scoreBlock } from "./scores.js";
import { Splits } from "./splits.js";
import type { ZeroShotModel } from "./types.js";

const round3 = (x: number): number => Math.round(x * 1000) / 1000;

export async function runDatasetTasks(model: ZeroShotModel, req: DatasetRequest, o: BenchmarkOptions): Promise<TaskResult[]> {
  const splits = new Splits(model, req, o);
  const out: TaskResult[] = [];
  for (const task of o.tasks) {
    const t0 = performance.now();
    const r = await runTask(task, model, splits, req, o);
    r.seconds.total = round3((performance.now() - t0) / 1000);
    out.push(r);
  }
  return out;
}

type Body = Omit<TaskResult, "dataset" | "model" | "pretrained" | "task" | "language" | "metrics_unit" | "split">;

/** The result with CLIP_benchmark's keys first, in its order, then ours. */
function result(task: EvalTaskName, req: DatasetRequest, o: BenchmarkOptions, split: string, b: Body): TaskResult {
  const { metrics, ...rest } = b;
  return { dataset: req.dataset, model: o.identity.model, pretrained: o.identity.pretrained, task, metrics, language: "en", metrics_unit: "fraction", split, ...rest };
}

const MULTILABEL_TASKS = (source: string, task: string): string =>
  `'${source}' is a multilabel set (dataset_type.txt says multilabel): laclip runs only zeroshot_classification on it (mean_average_precision, as CLIP_benchmark), not ${task}`;

async function classification(splits: Splits, split: string, task: string): Promise<Extract<OpenedSplit, { kind: "classification" }>> {
  const s = await splits.open(split);
  if (s.kind === "multilabel") throw new LaclipError(MULTILABEL_TASKS(s.set.source, task));
  if (s.kind !== "classification") throw new LaclipError(`${task} needs a classification dataset, but '${s.set.source}' is a retrieval set (dataset_type.txt says retrieval)`);
  return s;
}

async function runTask(task: EvalTaskName, model: ZeroShotModel, splits: Splits, req: DatasetRequest, o: BenchmarkOptions): Promise<TaskResult> {
  const split = o.split ?? "test";
  const done = (b: Body): TaskResult => result(task, req, o, split, b);
  if (task === "zeroshot_classification") {
    const opened = await splits.open(split);
    if (opened.kind === "multilabel") {
      if (opened.templates === undefined) throw new LaclipError(`zero-shot classification of '${req.dataset}' needs templates: pass --templates (the dataset has no zeroshot_classification_templates.txt and is not built in)`);
      return done(multilabelZeroShot(model, opened.set, opened.templates, await splits.encoded(split), o));
    }
    const s = await classification(splits, split, task);
    if (s.templates === undefined) throw new LaclipError(`zero-shot classification of '${req.dataset}' needs templates: pass --templates (the dataset has no zeroshot_classification_templates.txt and is not built in)`);
    const { f, cached } = await splits.encoded(split);
    const t0 = performance.now();
    const w = classWeightRows(model, s.set.classes, s.templates.templates, o);
    const textSeconds = (performance.now() - t0) / 1000;
    const acc = new ZeroShotAccumulator(s.set.classes.map((c) => c.name));
    const rows = f.labels.length;
    for (let start = 0; start < rows; start += 4096) {
      const end = Math.min(rows, start + 4096);
      acc.add(scoreBlock(f, start, end, w), f.labels.subarray(start, end));
    }
    const m = acc.result();
    return done({
      metrics: { acc1: m.acc1, acc5: m.acc5, mean_per_class_recall: m.meanPerClassRecall },
      settings: { templates: s.templates.name, n_templates: s.templates.templates.length, features_cached: cached },
      counts: { n_images: m.nImages, n_classes: m.nClasses, n_skipped: f.skipped.length, n_non_finite: m.nNonFinite },
      seconds: { images: round3(cached ? 0 : f.seconds), text: round3(textSeconds) },
      skipped: f.skipped,
      per_class: m.perClass.map((c) => ({ class: c.name, n: c.n, correct1: c.correct1, recall: c.recall })),
    });
  }
  if (task === "zeroshot_retrieval") {
    const s = await splits.open(split);
    if (s.kind === "multilabel") throw new LaclipError(MULTILABEL_TASKS(s.set.source, task));
    if (s.kind !== "retrieval") throw new LaclipError(`zero-shot retrieval needs captions, but '${s.set.source}' is a classification set; use a retrieval dataset (dataset_type.txt 'retrieval', or a .csv/.jsonl/Karpathy .json list)`);
    const { f, cached } = await splits.encoded(split);
    const texts: string[] = [];
    const textImage: number[] = [];
    f.labels.forEach((image, row) => {
      for (const c of s.set.captions[image]!) {
        texts.push(c);
        textImage.push(row);
      }
    });
    const t0 = performance.now();
    const tf = textFeatures(model, texts, o);
    const textSeconds = (performance.now() - t0) / 1000;
    const r = retrievalRecall(f, tf, textImage, { recallK: o.recallK });
    return done({
      metrics: r.metrics,
      settings: { recall_k: o.recallK ?? [1, 5, 10], features_cached: cached },
      counts: { n_images: r.nImages, n_captions: r.nTexts, n_skipped: f.skipped.length },
      seconds: { images: round3(cached ? 0 : f.seconds), text: round3(textSeconds) },
      skipped: f.skipped,
    });
  }
  if (task === "linear_probe") {
    const trainSplit = o.trainSplit ?? "train";
    const test = await classification(splits, split, task);
    const trainSet = await classification(splits, trainSplit, task);
    if (trainSet.set.source === test.set.source) {
      throw new LaclipError(`the linear probe would train and test on the same images ('${test.set.source}'); give --dataset-root DIR with DIR/${trainSplit} and DIR/${split} (or WebDataset splits)`);
    }
    const tr = await splits.encoded(trainSplit);
    const te = await splits.encoded(split);
    let train: SplitFeatures = tr.f;
    let val: SplitFeatures | undefined;
    if (o.valSplit !== undefined) val = (await splits.encoded(o.valSplit)).f;
    else if (o.valProportion !== undefined) {
      const [a, b] = holdOutRows(tr.f, o.valProportion, o.linearProbe?.seed ?? 0);
      [train, val] = [{ ...a, skipped: [], seconds: 0 }, { ...b, skipped: [], seconds: 0 }];
    }
    const t0 = performance.now();
    const lp = linearProbe(train, te.f, { ...o.linearProbe, val, classes: test.set.classes.length, classNames: test.set.classes.map((c) => c.name), log: o.log });
    return done({
      metrics: { ...lp.metrics },
      settings: {
        train_split: trainSplit, val_split: o.valSplit ?? null, val_proportion: o.valProportion ?? null, lr: o.linearProbe?.lr ?? 0.1,
        batch_size: o.linearProbe?.batchSize ?? 64, features_cached: tr.cached && te.cached,
      },
      counts: { n_train: lp.nTrain, n_val: lp.nVal, n_test: lp.nTest, n_classes: lp.classes, n_skipped: tr.f.skipped.length + te.f.skipped.length },
      seconds: { images: round3((tr.cached ? 0 : tr.f.seconds) + (te.cached ? 0 : te.f.seconds)), probe: round3((performance.now() - t0) / 1000) },
      skipped: [...tr.f.skipped, ...te.f.skipped],
      search: lp.search.map((x) => ({ weight_decay: x.weightDecay, val_acc1: x.valAcc1 })),
    });
  }
  await classification(splits, split, task);
  const { f, cached } = await splits.encoded(split);
  const t0 = performance.now();
  const fs = fewShotEpisodes(f, o.fewShot);
  return done({
    metrics: { ...fs.metrics },
    settings: { classifier: "nearest class mean, cosine", features_cached: cached },
    counts: { n_images: f.labels.length, n_eligible_classes: fs.eligibleClasses, n_skipped: f.skipped.length },
    seconds: { images: round3(cached ? 0 : f.seconds), episodes: round3((performance.now() - t0) / 1000) },
    skipped: f.skipped,
  });
}
