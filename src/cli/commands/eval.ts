/**
 * `laclip eval`: CLIP_benchmark's tasks (zero-shot classification and retrieval, linear probe) and few-shot
 * episodes for one or more checkpoints on one or more datasets, or a suite file; and the older form, zero-shot
 * classification of an image folder or label list (`--images`). Only option parsing lives here (library:
 * src/eval/; formats and meaning of the numbers: docs/eval.md).
 */
import type { Device } from "../../engine/index.js";
import { ConfigError } from "../../errors/config_error.js";
import { UsageError } from "../../errors/usage_error.js";
import { EVAL_TASKS, evalBenchmark, evalFromFiles, outTakesMany, runSuite, type EvalTaskName, type TaskResult } from "../../eval/index.js";
import { CHECKPOINT_OPTIONS, CHECKPOINT_USAGE, checkpointChoice } from "../checkpoint_options.js";
import { checkOutputFile } from "../output.js";
import { intOption as int, positiveOption as positive, oneOfOption as oneOf } from "../option_values.js";
import { parseCommandArgs } from "../parse_command_args.js";

export const summary = "CLIP_benchmark tasks: zero-shot classification/retrieval, linear probe, few-shot; suites";

const USAGE = `usage: laclip eval --task LIST --dataset NAME [--dataset-root DIR] --checkpoint CKPT... [--out FILE|DIR/] [options]
       laclip eval --suite suite.yaml
       laclip eval --checkpoint CKPT --images DIR|LIST --classes FILE [options]     (docs/eval.md)
  --task        comma list of zeroshot_classification (default), zeroshot_retrieval, linear_probe, few_shot
  --dataset     wds/NAME (CLIP_benchmark WebDataset), a built-in name (imagenet1k, cifar10, ...), a retrieval
                list (.csv, .jsonl, Karpathy .json), or an ImageFolder / label list with --classes; repeatable
  --dataset-root DIR  the dataset's root ({dataset} and {dataset_cleaned} are filled in)
  --split S     evaluated split (default test)   --train-split S (linear probe, default train)
  --val-split S | --val-proportion P   turn on the linear probe's weight decay search
  --recall-k    comma list (default 1,5,10)
  --lr X --epochs N --lp-batch N --seed N --fewshot-k K   linear probe (defaults 0.1, 10, 64, 0, -1: all)
  --fewshot-ways N --fewshot-shots K --fewshot-queries Q --fewshot-episodes E   few_shot (5, 5, 15, 600)
  --feature-cache DIR  image features on disk (default ~/.cache/laclip/features)   --no-feature-cache
  --out         FILE (one result), DIR/ (CLIP_benchmark file names), or a {dataset}_{pretrained}_... template
  --suite FILE  datasets x tasks x checkpoints from a YAML file, with a Markdown + CSV table (docs/eval.md)
  --images      ImageFolder directory (DIR/<class>/<image>) or a .csv/.jsonl list of path,label
  --classes     class names: JSON list (items may be lists of synonyms) or text, one per line
  --templates   JSON list or text file of prompts with {}, or the built-in 'laclip-7' (default)
  --folder-map  JSON {"folder": classIndex} when the folders are not in class order
  --image-root  folder the relative paths of a label list are under (default: the list's folder)
  --dataset     name in the result (default: the images' base name)
  --merges      CLIP BPE merges file (default: $LACLIP_BPE)
  --batch N     images per batch (default 64)      --workers N   decode threads (default 0: inline)
  --dtype       fp32 (default) or bf16 autocast     --device      cpu (default), cuda, cuda:N
  --resampler   libvips (default) or pillow (bit-exact to Pillow, slower)
  --out FILE    (--images form) write the full result JSON there; stdout then gets one summary line
${CHECKPOINT_USAGE}
                (--checkpoint is repeatable in the --dataset and --suite forms)`;

const OPTIONS = {
  ...CHECKPOINT_OPTIONS, checkpoint: { type: "string", multiple: true }, task: { type: "string" }, "dataset-root": { type: "string" }, split: { type: "string" },
  "train-split": { type: "string" }, "val-split": { type: "string" }, "val-proportion": { type: "string" }, "recall-k": { type: "string" },
  lr: { type: "string" }, epochs: { type: "string" }, "lp-batch": { type: "string" }, seed: { type: "string" }, "fewshot-k": { type: "string" },
  "fewshot-ways": { type: "string" }, "fewshot-shots": { type: "string" }, "fewshot-queries": { type: "string" }, "fewshot-episodes": { type: "string" },
  "feature-cache": { type: "string" }, "no-feature-cache": { type: "boolean" }, suite: { type: "string" }, images: { type: "string" }, classes: { type: "string" }, templates: { type: "string" },
  "folder-map": { type: "string" }, "image-root": { type: "string" }, dataset: { type: "string", multiple: true }, merges: { type: "string" },
  batch: { type: "string" }, workers: { type: "string" }, dtype: { type: "string" }, device: { type: "string" },
  resampler: { type: "string" }, out: { type: "string" }, help: { type: "boolean", short: "h" },
} as const;

type Values = ReturnType<typeof parseCommandArgs<{ options: typeof OPTIONS }>>["values"];

function required(v: string | undefined, key: string): string {
  if (v === undefined || v === "") throw new ConfigError(`--${key} is required\n${USAGE}`, key);
  return v;
}

/** --model and the --vision-* / --text-* overrides, shared by every checkpoint of the run. */
function modelChoice(v: Values) {
  const { model, overrides } = checkpointChoice({ ...v, checkpoint: v.checkpoint?.[0] }, USAGE);
  return { model, overrides };
}

/** The options both forms share: how to load, decode and run the model. */
function runtime(v: Values) {
  return {
    merges: v.merges,
    batch: int(v.batch, "batch", 1),
    workers: int(v.workers, "workers", 0),
    bf16: oneOf(v.dtype, "dtype", ["fp32", "bf16"] as const) === "bf16",
    device: v.device as Device | undefined,
    resampler: oneOf(v.resampler, "resampler", ["libvips", "pillow"] as const),
  };
}

function tasks(v: string | undefined): EvalTaskName[] {
  const list = (v ?? "zeroshot_classification").split(",").map((t) => t.trim()).filter((t) => t !== "");
  for (const t of list) if (!(EVAL_TASKS as readonly string[]).includes(t)) throw new ConfigError(`--task '${t}' is not one of ${EVAL_TASKS.join(", ")}`, "task");
  if (list.length === 0) throw new ConfigError("--task needs at least one task", "task");
  return list as EvalTaskName[];
}

function intList(v: string | undefined, key: string): number[] | undefined {
  if (v === undefined) return undefined;
  return v.split(",").map((x) => int(x.trim(), key, 1)!);
}

function number(v: string | undefined, key: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === "" || !Number.isFinite(n)) throw new ConfigError(`--${key} must be a number, got '${v}'`, key);
  return n;
}

function fewshotK(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (v === "-1") return -1;
  return int(v, "fewshot-k", 1);
}

/** One line per result on stdout: what it is, its metrics, and where it was written. */
function summaryLine(r: TaskResult, out: string | undefined): string {
  const { dataset, model, pretrained, task, metrics, metrics_unit } = r;
  return JSON.stringify({ dataset, model, pretrained, task, metrics, metrics_unit, ...(out === undefined ? {} : { out }) });
}

async function runLegacy(v: Values): Promise<number> {
  if ((v.checkpoint ?? []).length > 1) throw new ConfigError("the --images form takes one --checkpoint; use --dataset DIR --classes FILE for several", "checkpoint");
  if ((v.dataset ?? []).length > 1) throw new ConfigError("the --images form takes one --dataset name", "dataset");
  if (v.out !== undefined) checkOutputFile(v.out, "--out");
  let reported = 0;
  const result = await evalFromFiles({
    checkpoint: required(v.checkpoint?.[0], "checkpoint"),
    images: required(v.images, "images"),
    classes: required(v.classes, "classes"),
    templates: v.templates ?? "laclip-7",
    folderMap: v["folder-map"],
    imageRoot: v["image-root"],
    dataset: v.dataset?.[0],
    ...runtime(v),
    out: v.out,
    ...modelChoice(v),
    log: (line) => console.error(`laclip eval: ${line}`),
    onProgress: (done, total) => {
      // about ten lines per run, whatever its size
      if (done === total || done >= reported + total / 10) {
        reported = done;
        console.error(`laclip eval: ${done}/${total} images`);
      }
    },
  });
  if (v.out === undefined) console.log(JSON.stringify(result, null, 2));
  else {
    const { dataset, model, pretrained, metrics, metrics_unit, n_images, n_classes, n_skipped } = result;
    console.log(JSON.stringify({ dataset, model, pretrained, metrics, metrics_unit, n_images, n_classes, n_skipped, out: v.out }));
  }
  return 0;
}

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs({ args: argv, options: OPTIONS, allowPositionals: false, strict: true }, USAGE);
  const v = parsed.values;
  if (v.help) {
    console.log(USAGE);
    return 0;
  }
  const log = (line: string) => console.error(`laclip eval: ${line}`);
  if (v.suite !== undefined) {
    const s = await runSuite(v.suite, { merges: v.merges, log, onResult: (r, out) => console.log(summaryLine(r, out)) });
    console.error(`laclip eval: table written to ${s.markdown} and ${s.csv}`);
    return 0;
  }
  if (v.images !== undefined) return runLegacy(v);
  // a results folder is created by the run; a single result file must be writable before any work
  if (v.out !== undefined && !outTakesMany(v.out)) checkOutputFile(v.out, "--out");
  const datasets = v.dataset ?? [];
  if (datasets.length === 0) throw new ConfigError(`--dataset is required (or --images, or --suite)\n${USAGE}`, "dataset");
  const checkpoints = v.checkpoint ?? [];
  if (checkpoints.length === 0) throw new UsageError(`give --checkpoint (a .pt, a .safetensors, or a checkpoint or run folder)\n${USAGE}`, "checkpoint");
  await evalBenchmark({
    checkpoints,
    datasets: datasets.map((dataset) => ({ dataset, root: v["dataset-root"], classes: v.classes, templates: v.templates, folderMap: v["folder-map"], imageRoot: v["image-root"] })),
    tasks: tasks(v.task),
    split: v.split,
    trainSplit: v["train-split"],
    valSplit: v["val-split"],
    valProportion: number(v["val-proportion"], "val-proportion"),
    recallK: intList(v["recall-k"], "recall-k"),
    linearProbe: { lr: positive(v.lr, "lr"), epochs: int(v.epochs, "epochs", 1), batchSize: int(v["lp-batch"], "lp-batch", 1), seed: int(v.seed, "seed", 0), fewshotK: fewshotK(v["fewshot-k"]) },
    fewShot: { ways: int(v["fewshot-ways"], "fewshot-ways", 1), shots: int(v["fewshot-shots"], "fewshot-shots", 1), queries: int(v["fewshot-queries"], "fewshot-queries", 1), episodes: int(v["fewshot-episodes"], "fewshot-episodes", 1), seed: int(v.seed, "seed", 0) },
    ...runtime(v),
    featureCache: v["no-feature-cache"] ? null : v["feature-cache"],
    out: v.out,
    ...modelChoice(v),
    log,
    onResult: (r, out) => console.log(summaryLine(r, out)),
  });
  return 0;
}
