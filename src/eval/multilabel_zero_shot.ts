/**
 * Zero-shot classification of a multilabel set from its image features: every image scored against every
 * class's prompt-averaged text weights (cosine), then average precision per class and their mean, the one
 * metric CLIP_benchmark reports for such a set (`mean_average_precision`). Feature rows carry their sample's
 * index as label, which picks the sample's target vector (undecodable images are absent from both).
 */
import { multilabelMetrics } from "./average_precision.js";
import { classWeightRows, type ClassifierOptions } from "./classifier.js";
import type { SplitFeatures } from "./encode_set.js";
import { scoreBlock } from "./scores.js";
import type { TemplateSet } from "./templates.js";
import type { MultilabelSet, ZeroShotModel } from "./types.js";

/** The result fields after CLIP_benchmark's six (see TaskResult). */
export interface MultilabelZeroShot {
  metrics: { mean_average_precision: number };
  settings: { templates: string; n_templates: number; features_cached: boolean };
  counts: { n_images: number; n_classes: number; n_skipped: number; n_non_finite: number };
  seconds: { images: number; text: number };
  skipped: SplitFeatures["skipped"];
  per_class_ap: { class: string; n_positive: number; average_precision: number }[];
}

/** The (rows, C) cosine logits of image features against the class weights, a block of rows at a time. */
export function multilabelLogits(f: SplitFeatures, weights: { data: Float32Array; dim: number }, classes: number): Float32Array {
  const rows = f.labels.length;
  const logits = new Float32Array(rows * classes);
  for (let start = 0; start < rows; start += 4096) {
    const end = Math.min(rows, start + 4096);
    logits.set(scoreBlock(f, start, end, weights), start * classes);
  }
  return logits;
}

const round3 = (x: number): number => Math.round(x * 1000) / 1000;

export function multilabelZeroShot(
  model: ZeroShotModel, set: MultilabelSet, templates: TemplateSet, encoded: { f: SplitFeatures; cached: boolean }, o: ClassifierOptions,
): MultilabelZeroShot {
  const { f, cached } = encoded;
  const t0 = performance.now();
  const w = classWeightRows(model, set.classes, templates.templates, o);
  const textSeconds = (performance.now() - t0) / 1000;
  const logits = multilabelLogits(f, w, set.classes.length);
  const targets = Array.from(f.labels, (sample) => set.targets[sample]!);
  const m = multilabelMetrics(logits, targets, set.classes.map((c) => c.name));
  return {
    metrics: { mean_average_precision: m.meanAveragePrecision },
    settings: { templates: templates.name, n_templates: templates.templates.length, features_cached: cached },
    counts: { n_images: m.nImages, n_classes: set.classes.length, n_skipped: f.skipped.length, n_non_finite: m.nNonFinite },
    seconds: { images: round3(cached ? 0 : f.seconds), text: round3(textSeconds) },
    skipped: f.skipped,
    per_class_ap: m.perClass.map((c) => ({ class: c.name, n_positive: c.nPositive, average_precision: c.averagePrecision })),
  };
}
