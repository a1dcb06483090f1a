/**
 * `laclip eval --task ...` as a library call: every checkpoint (loaded once) on every dataset, the requested
 * tasks on each, results written under CLIP_benchmark's names. Image features are cached on disk unless
 * `featureCache` is null.
 */
import { homedir } from "node:os";
import { join } from "node:path";
import type { Device } from "../engine/index.js";
import { ConfigError } from "../errors/config_error.js";
import { createDecoder, type Resampler } from "../image/index.js";
import { loadClipCheckpoint, type ClipOverrides } from "../models/clip/index.js";
import { openTokenizerFile } from "../tokenizer/index.js";
import { runDatasetTasks } from "./benchmark.js";
import type { BenchmarkOptions, EvalTaskName, TaskResult } from "./benchmark_types.js";
import { clipEvalInputs, clipModelName } from "./clip.js";
import type { DatasetRequest } from "./dataset_open.js";
import { FeatureCache } from "./feature_cache.js";
import { outTakesMany, resultPath, writeJson } from "./result_files.js";

export interface EvalBenchmarkOptions extends Pick<BenchmarkOptions, "tasks" | "split" | "trainSplit" | "valSplit" | "valProportion" | "recallK" | "linearProbe" | "fewShot"> {
  checkpoints: readonly string[];
  /** Each may name its own tasks and split (a suite's entries do); default the ones above. */
  datasets: readonly (DatasetRequest & { tasks?: readonly EvalTaskName[]; split?: string })[];
  /** Config fields the checkpoints cannot show. */
  overrides?: ClipOverrides;
  /** `--model NAME|config.json` for every checkpoint (see LoadClipOptions.model). */
  model?: string;
  /** BPE merges file; default $LACLIP_BPE, else the shipped OpenAI vocabulary. */
  merges?: string;
  /** Images per batch. Default 64. */
  batch?: number;
  /** Decode threads (0: inline). Default 0. */
  workers?: number;
  bf16?: boolean;
  device?: Device;
  resampler?: Resampler;
  /** Feature cache folder; default $XDG_CACHE_HOME/laclip/features (or ~/.cache/...); null: no cache. */
  featureCache?: string | null;
  /** A result file, a directory (ends with / or exists), or a CLIP_benchmark --output template. */
  out?: string;
  log?: (line: string) => void;
  /** After each result, with the file it was written to. */
  onResult?: (r: TaskResult, path: string | undefined) => void;
}

export function defaultFeatureCache(): string {
  return join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "laclip", "features");
}

export async function evalBenchmark(o: EvalBenchmarkOptions): Promise<TaskResult[]> {
  if (o.checkpoints.length === 0) throw new ConfigError("pass at least one --checkpoint", "checkpoint");
  const expected = o.checkpoints.length * o.datasets.reduce((n, d) => n + (d.tasks ?? o.tasks).length, 0);
  if (o.out !== undefined && expected > 1 && !outTakesMany(o.out)) {
    throw new ConfigError(`${expected} results (checkpoints x datasets x tasks) need --out DIR/ (one CLIP_benchmark-named JSON each) or a {dataset}_{pretrained}_{model}_{language}_{task}.json template, not the file '${o.out}'`, "out");
  }
  const written = new Set<string>();
  const tokenizer = openTokenizerFile(o.merges);
  const cache = o.featureCache === null ? undefined : new FeatureCache(o.featureCache ?? defaultFeatureCache());
  const decoder = createDecoder({ workers: o.workers ?? 0 });
  const all: TaskResult[] = [];
  try {
    for (const checkpoint of o.checkpoints) {
      const { model, config, notes } = await loadClipCheckpoint(checkpoint, { device: o.device, overrides: o.overrides, model: o.model });
      for (const n of notes) o.log?.(`checkpoint: ${n}`);
      try {
        for (const dataset of o.datasets) {
          const results = await runDatasetTasks(model, dataset, {
            ...o,
            tasks: dataset.tasks ?? o.tasks,
            split: dataset.split ?? o.split,
            ...clipEvalInputs(config, { resampler: o.resampler }),
            tokenizer,
            batchSize: o.batch,
            decoder,
            cache,
            identity: { model: clipModelName(config), pretrained: checkpoint, checkpoint },
            preprocessing: { resampler: o.resampler ?? "libvips" },
          });
          for (const r of results) {
            const path = o.out === undefined ? undefined : resultPath(o.out, r);
            if (path !== undefined) {
              if (written.has(path)) throw new ConfigError(`two results would both go to '${path}'; put {dataset}, {pretrained}, {model} and {task} in --out, or pass a directory`, "out");
              written.add(path);
              await writeJson(path, r);
            }
            o.onResult?.(r, path);
            all.push(r);
          }
        }
      } finally {
        model.dispose();
      }
    }
  } finally {
    await decoder.close();
  }
  return all;
}
