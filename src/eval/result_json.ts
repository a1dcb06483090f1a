/**
 * One evaluation as CLIP_benchmark writes it (`{dataset, model, pretrained, task, metrics, language}`, metrics
 * as fractions in [0, 1]), plus fields of ours after those: counts, templates, per-class results, skipped
 * images and timings. acc5 is null with fewer than 5 classes, where CLIP_benchmark writes NaN (not JSON).
 */
import { writeAll, writeFileAtomic } from "../io/file/atomic_write.js";
import type { ZeroShotReport } from "./zero_shot.js";

export interface ResultInfo {
  /** The evaluation set's name (default in the CLI: the image folder's or list file's base name). */
  dataset: string;
  /** The architecture (a preset name when the config equals one). */
  model: string;
  /** The weights: the checkpoint path. */
  pretrained: string;
  /** The template set's name and how many templates it has. */
  templates: string;
  nTemplates: number;
}

export interface BenchmarkResult {
  dataset: string;
  model: string;
  pretrained: string;
  task: "zeroshot_classification";
  metrics: { acc1: number; acc5: number | null; mean_per_class_recall: number };
  language: "en";
  /** Accuracies and recalls are fractions of 1, as in CLIP_benchmark and laclip's training logs. */
  metrics_unit: "fraction";
  n_images: number;
  n_classes: number;
  n_skipped: number;
  n_non_finite: number;
  templates: string;
  n_templates: number;
  per_class: { class: string; n: number; correct1: number; recall: number | null }[];
  skipped: { path: string; reason: string }[];
  seconds: { text: number; images: number };
}

export function benchmarkResult(r: ZeroShotReport, info: ResultInfo): BenchmarkResult {
  return {
    dataset: info.dataset,
    model: info.model,
    pretrained: info.pretrained,
    task: "zeroshot_classification",
    metrics: { acc1: r.acc1, acc5: r.acc5, mean_per_class_recall: r.meanPerClassRecall },
    language: "en",
    metrics_unit: "fraction",
    n_images: r.nImages,
    n_classes: r.nClasses,
    n_skipped: r.skipped.length,
    n_non_finite: r.nNonFinite,
    templates: info.templates,
    n_templates: info.nTemplates,
    per_class: r.perClass.map((c) => ({ class: c.name, n: c.n, correct1: c.correct1, recall: c.recall })),
    skipped: r.skipped.map((s) => ({ path: s.path, reason: s.reason })),
    seconds: { text: round3(r.textSeconds), images: round3(r.imageSeconds) },
  };
}

const round3 = (x: number): number => Math.round(x * 1000) / 1000;

/** Writes the result as indented JSON, atomically (a reader never sees half a file). */
export async function writeResult(path: string, result: BenchmarkResult): Promise<void> {
  const bytes = new TextEncoder().encode(`${JSON.stringify(result, null, 2)}\n`);
  await writeFileAtomic(path, async (h) => void (await writeAll(h, bytes, 0)));
}
