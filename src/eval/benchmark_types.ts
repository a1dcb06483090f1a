/** The tasks `laclip eval` runs, and the result and option types of src/eval/benchmark.ts. */
import type { EvalTransformSpec, ImageDecoder } from "../image/index.js";
import type { TextTokenizer } from "./classifier.js";
import type { FeatureCache } from "./feature_cache.js";
import type { FewShotOptions } from "./few_shot.js";
import type { LinearProbeOptions } from "./linear_probe.js";
import type { RunOptions } from "./run_model.js";

export const EVAL_TASKS = ["zeroshot_classification", "zeroshot_retrieval", "linear_probe", "few_shot"] as const;
export type EvalTaskName = (typeof EVAL_TASKS)[number];

/** One result file: CLIP_benchmark's six keys first, then laclip's. */
export interface TaskResult {
  dataset: string;
  model: string;
  pretrained: string;
  task: EvalTaskName;
  metrics: Record<string, number | boolean | null>;
  language: "en";
  /** Accuracies and recalls are fractions of 1, as in CLIP_benchmark and laclip's training logs. */
  metrics_unit: "fraction";
  split: string;
  settings: Record<string, unknown>;
  counts: Record<string, number>;
  seconds: Record<string, number>;
  skipped: { path: string; reason: string }[];
  per_class?: { class: string; n: number; correct1: number; recall: number | null }[];
  /** Multilabel zero-shot: each class's positives and average precision. */
  per_class_ap?: { class: string; n_positive: number; average_precision: number }[];
  search?: { weight_decay: number; val_acc1: number }[];
}

export interface BenchmarkOptions extends RunOptions {
  tasks: readonly EvalTaskName[];
  /** The evaluated split. Default "test". */
  split?: string;
  /** The linear probe's training split. Default "train". */
  trainSplit?: string;
  /** A validation split for the weight decay search. */
  valSplit?: string;
  /** Or: this fraction of the training split held out for it (seeded). */
  valProportion?: number;
  tokenizer: TextTokenizer;
  contextLength: number;
  transform: EvalTransformSpec;
  /** Images per encodeImage call. Default 64. */
  batchSize?: number;
  decoder?: ImageDecoder;
  /** recall@k values. Default [1, 5, 10]. */
  recallK?: readonly number[];
  linearProbe?: Pick<LinearProbeOptions, "lr" | "epochs" | "batchSize" | "seed" | "fewshotK">;
  fewShot?: FewShotOptions;
  /** Image features on disk; default none (features live for this call only). */
  cache?: FeatureCache;
  /** The names written into every result, and the checkpoint path the cache keys on. */
  identity: { model: string; pretrained: string; checkpoint: string };
  /** What else changes the features (written into the cache key). */
  preprocessing?: unknown;
  log?: (line: string) => void;
}
