/**
 * Zero-shot evaluation after an epoch (src/eval), when the config names class names, templates and images.
 * The task files are read once at start, so a typo fails the run before the first step, not after an epoch.
 * Metrics are fractions of 1, the unit of `laclip eval`'s results (CLIP_benchmark's), so the numbers compare as
 * they are.
 */
import type { Device } from "../../engine/index.js";
import { ConfigError } from "../../errors/config_error.js";
import { clipEvalInputs, openZeroShotTask, zeroShotEval, type TextTokenizer, type ZeroShotTask } from "../../eval/index.js";
import type { ImageDecoder } from "../../image/index.js";
import type { CLIP } from "../../models/clip/index.js";
import type { TrainConfig } from "../config/index.js";

export interface EpochEval {
  task: ZeroShotTask;
  run(model: CLIP, decoder: ImageDecoder): Promise<Record<string, number>>;
}

export async function openEpochEval(cfg: TrainConfig, tokenizer: TextTokenizer, o: { device: Device; log?: (line: string) => void }): Promise<EpochEval | undefined> {
  const { class_names, templates, images } = cfg.eval;
  const set = [class_names, templates, images].filter((v) => v !== null).length;
  if (set === 0) return undefined;
  if (set !== 3) throw new ConfigError("zero-shot evaluation needs eval.class_names, eval.templates and eval.images all set (or none)", "eval");
  const task = await openZeroShotTask({ classes: class_names!, templates: templates!, images: images! });
  return {
    task,
    async run(model, decoder) {
      const report = await zeroShotEval(model, task.set, {
        ...clipEvalInputs(model.config),
        tokenizer,
        templates: task.templates.templates,
        batchSize: cfg.eval.batch_size,
        decoder,
        bf16: cfg.train.dtype === "bf16",
        device: o.device,
        log: o.log,
      });
      const out: Record<string, number> = { zeroshot_acc1: report.acc1, zeroshot_mean_per_class_recall: report.meanPerClassRecall };
      if (report.acc5 !== null) out.zeroshot_acc5 = report.acc5;
      return out;
    },
  };
}
