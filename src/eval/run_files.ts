/**
 * `laclip eval` as a library call: load a checkpoint of either layout, read the task files, evaluate, and
 * write the CLIP_benchmark-style result.
 */
import { basename, extname } from "node:path";
import type { Device } from "../engine/index.js";
import { createDecoder, type Resampler } from "../image/index.js";
import { loadClipCheckpoint, type ClipOverrides } from "../models/clip/index.js";
import { openTokenizerFile } from "../tokenizer/index.js";
import { clipEvalInputs, clipModelName } from "./clip.js";
import { benchmarkResult, writeResult, type BenchmarkResult } from "./result_json.js";
import { openZeroShotTask, type TaskFiles } from "./task.js";
import { zeroShotEval } from "./zero_shot.js";

export interface EvalFilesOptions extends TaskFiles {
  /** A LaCLIP/open_clip `.pt`, a `.safetensors` file, or a project checkpoint directory. */
  checkpoint: string;
  /** Config fields the checkpoint cannot show (heads when widths are not multiples of 64, activations, epsilons). */
  overrides?: ClipOverrides;
  /** `--model NAME|config.json` (see LoadClipOptions.model). */
  model?: string;
  /** BPE merges file; default $LACLIP_BPE, else the shipped OpenAI vocabulary. */
  merges?: string;
  /** Name in the result; default the images' base name. */
  dataset?: string;
  /** Images per batch. Default 64. */
  batch?: number;
  /** Decode threads; 0 decodes on the calling thread. Default 0. */
  workers?: number;
  bf16?: boolean;
  device?: Device;
  resampler?: Resampler;
  /** Where to write the result JSON (atomically); not written when absent. */
  out?: string;
  log?: (line: string) => void;
  onProgress?: (done: number, total: number) => void;
}

export async function evalFromFiles(o: EvalFilesOptions): Promise<BenchmarkResult> {
  const tokenizer = openTokenizerFile(o.merges);
  const task = await openZeroShotTask(o);
  for (const n of task.set.notes) o.log?.(n);
  const { model, config, notes } = await loadClipCheckpoint(o.checkpoint, { device: o.device, overrides: o.overrides, model: o.model });
  for (const n of notes) o.log?.(`checkpoint: ${n}`);
  const decoder = createDecoder({ workers: o.workers ?? 0 });
  try {
    const report = await zeroShotEval(model, task.set, {
      ...clipEvalInputs(config, { resampler: o.resampler }),
      tokenizer,
      templates: task.templates.templates,
      batchSize: o.batch,
      decoder,
      bf16: o.bf16,
      device: o.device,
      log: o.log,
      onProgress: o.onProgress,
    });
    const result = benchmarkResult(report, {
      dataset: o.dataset ?? basename(o.images, extname(o.images)),
      model: clipModelName(config),
      pretrained: o.checkpoint,
      templates: task.templates.name,
      nTemplates: task.templates.templates.length,
    });
    if (o.out !== undefined) await writeResult(o.out, result);
    return result;
  } finally {
    await decoder.close();
    model.dispose();
  }
}
