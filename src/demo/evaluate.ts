/**
 * Step 5 of the demo: the tasks on the held-out style(s), computed from each model's held-out features, and the
 * chance levels that make the accuracies readable.
 *
 * - name: which of all the demo's emoji names a picture shows (each name has one picture per style);
 * - subgroup: which emojibase subgroup ("face smiling", "animal mammal", ...) it belongs to.
 * Both zero-shot, with two prompt sets: the bare class name (`{}`: training captions are bare names) and the
 * dataset's templates (`"an emoji of {}."`, ...) averaged as CLIP does. On the held-out features also:
 * - retrieval on the name set (src/eval's recall@k; each name is one caption, its bare-name text features):
 *   picture-to-name (per picture: is its name among the k best names; with one caption per name this equals
 *   zero-shot name top-k with the bare prompt) and name-to-picture (per name: is its picture among the k best);
 * - a linear probe on subgroup labels (src/eval's, CLIP_benchmark's defaults), fit on a fixed half of the
 *   held-out pictures and scored on the other half;
 * - 5-way 5-shot episodes on subgroup labels (src/eval's nearest-class-mean episodes, 15 queries, 600 episodes).
 * The split and the episodes are seeded by a fixed seed, the same for every model. Task keys read
 * `<style>/<task>/<prompts or kind>/<metric>`, e.g. `fluent-emoji-flat/name/bare/acc1`; values are fractions of 1.
 */
import { clipEvalInputs, fewShotEpisodes, linearProbe, openZeroShotTask, retrievalRecall, ZeroShotAccumulator, type EvalSet, type LabelledFeatures } from "../eval/index.js";
import { Rng } from "../util/rng.js";
import { loadClipCheckpoint, type ClipConfig } from "../models/clip/index.js";
import type { ClipTokenizer } from "../tokenizer/index.js";
import type { PreparedDemoData } from "./data/index.js";
import { classRows, decodeSet, imageRows, similarities, type DecodedSet, type Rows } from "./features.js";

export interface TaskChance {
  classes: number;
  images: number;
  /** Expected accuracy of a uniformly random guess. */
  acc1: number;
  acc5: number | null;
  /** Always answering the largest class. */
  majority_acc1: number;
}

/** Fractions of 1 (the unit of `laclip eval` and the training logs), to 4 decimals. */
const fraction = (x: number): number => Math.round(x * 1e4) / 1e4;

export function chanceOf(labels: readonly number[], classes: number): TaskChance {
  const counts = new Map<number, number>();
  for (const l of labels) counts.set(l, (counts.get(l) ?? 0) + 1);
  const largest = Math.max(0, ...counts.values());
  return {
    classes, images: labels.length, acc1: fraction(1 / classes), acc5: classes >= 5 ? fraction(5 / classes) : null,
    majority_acc1: fraction(largest / Math.max(1, labels.length)),
  };
}

/** The held-out sets with their pictures decoded once, shared by every model of the demo. */
export interface HeldOutSet {
  key: string;
  style: string;
  task: "name" | "subgroup";
  set: EvalSet;
  decoded: DecodedSet;
}

export interface HeldOut {
  sets: HeldOutSet[];
  templates: string[];
  chance: Record<string, TaskChance>;
}

/** Every held-out set of the data, decoded with the eval transform of `model` (the demo's one architecture). */
export async function openHeldOut(data: PreparedDemoData, model: ClipConfig): Promise<HeldOut> {
  const { transform } = clipEvalInputs(model);
  const sets: HeldOutSet[] = [];
  const chance: Record<string, TaskChance> = {};
  let templates: string[] = [];
  for (const [key, files] of Object.entries(data.evalSets)) {
    const task = await openZeroShotTask({ images: files.images, classes: files.classNamesFile, templates: data.templatesFile });
    templates = task.templates.templates;
    sets.push({ key, style: files.style, task: files.task, set: task.set, decoded: await decodeSet(task.set.samples, transform) });
    chance[key] = chanceOf(task.set.samples.map((s) => s.label), task.set.classes.length);
  }
  return { sets, templates, chance };
}

/** The prompt sets every zero-shot task is scored with. */
export const PROMPT_SETS = ["bare", "templates"] as const;

/** top-1 and top-5 accuracy (fractions of 1) of (n, C) scores against labels, ties to the lower class as in src/eval. */
export function zeroShotScores(scores: Float32Array, labels: Int32Array, classNames: readonly string[]): { acc1: number; acc5: number | null } {
  const acc = new ZeroShotAccumulator(classNames);
  acc.add(scores, labels);
  const r = acc.result();
  return { acc1: fraction(r.acc1), acc5: r.acc5 === null ? null : fraction(r.acc5) };
}

/** Indices of the k largest values of row `row` of (n, C) scores, best first (ties to the lower index). */
export function topK(scores: Float32Array, classes: number, row: number, k: number): number[] {
  const idx = Array.from({ length: classes }, (_, j) => j);
  const base = row * classes;
  idx.sort((a, b) => scores[base + b]! - scores[base + a]! || a - b);
  return idx.slice(0, k);
}

/** Which held-out pictures the report shows: `k` spread evenly over the name set (the same for every model). */
export function samplePictures(count: number, k: number): number[] {
  const n = Math.min(k, count);
  return Array.from({ length: n }, (_, i) => Math.floor(((i + 0.5) * count) / n));
}

/** Seeds the probe's split and the few-shot episodes: the same for every model, whatever its training seed. */
export const HELD_OUT_SEED = 0;

/** Row indices of a seeded half of each class (a class of one row goes to the test half). */
export function probeSplit(labels: ArrayLike<number>, seed: number): { train: number[]; test: number[] } {
  const order = new Rng(seed).shuffle(Array.from({ length: labels.length }, (_, i) => i));
  const byClass = new Map<number, number[]>();
  for (const i of order) byClass.set(labels[i]!, [...(byClass.get(labels[i]!) ?? []), i]);
  const train: number[] = [];
  const test: number[] = [];
  for (const rows of byClass.values()) {
    const half = Math.floor(rows.length / 2);
    train.push(...rows.slice(0, half));
    test.push(...rows.slice(half));
  }
  return { train: train.sort((a, b) => a - b), test: test.sort((a, b) => a - b) };
}

function pick(f: Rows, labels: ArrayLike<number>, rows: readonly number[]): LabelledFeatures {
  const data = new Float32Array(rows.length * f.dim);
  rows.forEach((r, i) => data.set(f.data.subarray(r * f.dim, (r + 1) * f.dim), i * f.dim));
  return { data, dim: f.dim, labels: rows.map((r) => labels[r]!) };
}

/** The few-shot protocol (the paper's 5-way 5-shot, 15 queries per class, 600 episodes). */
export const FEW_SHOT = { ways: 5, shots: 5, queries: 15, episodes: 600 } as const;

/** Classes with enough pictures for a few-shot episode; under 5 (tiny test sets) the task is left out. */
export function fewShotClasses(labels: ArrayLike<number>): number {
  const counts = new Map<number, number>();
  for (let i = 0; i < labels.length; i++) counts.set(labels[i]!, (counts.get(labels[i]!) ?? 0) + 1);
  return [...counts.values()].filter((n) => n >= FEW_SHOT.shots + FEW_SHOT.queries).length;
}

/** Retrieval (name sets), linear probe and few-shot (subgroup sets) from one model's held-out features. */
function featureTasks(h: HeldOutSet, img: Rows, bare: Rows): Record<string, number> {
  const out: Record<string, number> = {};
  if (h.task === "name") {
    // one caption per name that has a picture: caption t -> its picture
    const pictureOf = new Map<number, number>();
    h.decoded.labels.forEach((l, i) => pictureOf.has(l) || pictureOf.set(l, i));
    const names = [...pictureOf.keys()].sort((a, b) => a - b);
    const texts = { data: new Float32Array(names.length * bare.dim), dim: bare.dim };
    names.forEach((c, t) => texts.data.set(bare.data.subarray(c * bare.dim, (c + 1) * bare.dim), t * bare.dim));
    const r = retrievalRecall(img, texts, names.map((c) => pictureOf.get(c)!), { recallK: [1, 5] });
    for (const k of [1, 5]) {
      out[`${h.key}/pic2name/r${k}`] = fraction(r.metrics[`text_retrieval_recall@${k}`]!);
      out[`${h.key}/name2pic/r${k}`] = fraction(r.metrics[`image_retrieval_recall@${k}`]!);
    }
  } else {
    const split = probeSplit(h.decoded.labels, HELD_OUT_SEED);
    const lp = linearProbe(pick(img, h.decoded.labels, split.train), pick(img, h.decoded.labels, split.test), { classes: h.set.classes.length, seed: HELD_OUT_SEED });
    out[`${h.key}/linear_probe/acc1`] = fraction(lp.metrics.lp_acc1);
    if (fewShotClasses(h.decoded.labels) >= FEW_SHOT.ways) {
      const all = pick(img, h.decoded.labels, Array.from({ length: img.count }, (_, i) => i));
      const fs = fewShotEpisodes(all, { ...FEW_SHOT, seed: HELD_OUT_SEED });
      out[`${h.key}/fewshot_5way5shot/acc`] = fraction(fs.metrics.fewshot_acc);
    }
  }
  return out;
}

export interface ModelFeatures {
  /** Per held-out set key: the image rows and, per prompt set, the class rows. */
  images: Record<string, Rows>;
  classes: Record<string, Record<(typeof PROMPT_SETS)[number], Rows>>;
}

export interface ModelEvaluation {
  /** `<style>/<task>/<prompts>/<metric>` -> fraction of 1. */
  scores: Record<string, number>;
  /** Per style: the sample pictures' top-5 names with the bare-name prompt. */
  top5: Record<string, number[][]>;
  features: ModelFeatures;
}

export async function evaluateCheckpoint(checkpoint: string, held: HeldOut, tokenizer: ClipTokenizer, bf16: boolean, samples: number): Promise<ModelEvaluation> {
  const { model } = await loadClipCheckpoint(checkpoint);
  try {
    model.train(false);
    const text = { tokenizer, contextLength: model.config.text.contextLength, bf16 };
    const scores: Record<string, number> = {};
    const top5: Record<string, number[][]> = {};
    const features: ModelFeatures = { images: {}, classes: {} };
    for (const h of held.sets) {
      const img = imageRows(model, h.decoded, { bf16 });
      features.images[h.key] = img;
      const prompts = { bare: ["{}"], templates: held.templates };
      const rowsByPrompts = {} as Record<(typeof PROMPT_SETS)[number], Rows>;
      for (const p of PROMPT_SETS) {
        const cls = classRows(model, h.set.classes, prompts[p], text);
        rowsByPrompts[p] = cls;
        const sims = similarities(img, cls); // (images, classes)
        const r = zeroShotScores(sims, h.decoded.labels, h.set.classes.map((c) => c.name));
        scores[`${h.key}/${p}/acc1`] = r.acc1;
        if (r.acc5 !== null) scores[`${h.key}/${p}/acc5`] = r.acc5;
        if (h.task === "name" && p === "bare") top5[h.style] = samplePictures(img.count, samples).map((i) => topK(sims, cls.count, i, 5));
      }
      features.classes[h.key] = rowsByPrompts;
      Object.assign(scores, featureTasks(h, img, rowsByPrompts.bare));
    }
    return { scores, top5, features };
  } finally {
    model.dispose();
  }
}
